import { performance } from 'node:perf_hooks';
import { pacedLoad, type PacedResult } from './paced-load';
import { AUTH } from './stack';

export const COLLECTION = '/api/v1/customers';

/** Create bodies with names and emails unique to this run (`label` tells the benchmarks apart). */
export function customerBodies(label: string): () => string {
  const runId = Date.now().toString(36);
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  let n = 0;
  return () => JSON.stringify({ name: `${label} ${n}`, email: `${slug}-${runId}-${n++}@example.com` });
}

/**
 * POST /api/v1/customers at a steady rate, open loop. When the API cannot keep up (64 in flight)
 * the requests due meanwhile are skipped: the load only has to produce commits, and the rate
 * achieved is reported. `onCreated` gets each new id with the wall clock (what Postgres stamps
 * rows with) and performance.now() of its 201.
 */
export async function pacedCreates(opts: {
  origin: string;
  rate: number;
  durationS: number;
  body: () => string;
  onCreated?: (id: number, wallMs: number, perfMs: number) => void;
}): Promise<{ load: PacedResult; ids: number[] }> {
  const ids: number[] = [];
  const load = await pacedLoad({
    origin: opts.origin,
    headers: AUTH,
    rate: opts.rate,
    durationS: opts.durationS,
    request: () => ({ method: 'POST', path: COLLECTION, body: opts.body() }),
    maxInFlight: 64,
    whenBehind: 'skip',
    onResponse: (_i, status, body, at) => {
      if (status !== 201) return;
      const id = (JSON.parse(body) as { id: number }).id;
      opts.onCreated?.(id, Date.now(), at);
      ids.push(id);
    },
  });
  return { load, ids };
}

/** N creates as fast as the API takes them over `connections` connections (closed loop): they only have to end up in Kafka. */
export async function closedLoopCreates(origin: string, n: number, connections: number, body: () => string): Promise<{ ids: number[]; rate: number }> {
  const ids: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < n) {
        next += 1;
        const res = await fetch(origin + COLLECTION, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: body() });
        const text = await res.text();
        if (res.status !== 201) throw new Error(`backlog create answered ${res.status}: ${text}`);
        ids.push((JSON.parse(text) as { id: number }).id);
      }
    }),
  );
  return { ids, rate: n / ((performance.now() - started) / 1000) };
}
