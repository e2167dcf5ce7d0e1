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
