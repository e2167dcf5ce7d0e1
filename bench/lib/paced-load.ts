import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarize, type Summary } from './stats';

export interface PacedRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: string;
  /** Per-request headers (a signature over this body, …), on top of the options' `headers`. */
  headers?: Record<string, string>;
}

export interface PacedOptions {
  origin: string;
  headers: Record<string, string>;
  /** Requests per second, sent evenly spaced whatever the responses do (open loop). */
  rate: number;
  durationS: number;
  request: (index: number) => PacedRequest;
  /** Called with performance.now() at the end of each response. */
  onResponse?: (index: number, status: number, body: string, at: number) => void;
  /** At most this many requests in flight (default: one second's worth). */
  maxInFlight?: number;
  /**
   * What to do when the server falls that far behind: 'stop' the phase (the rate is not
   * sustained, latencies would only measure our own queue), or 'skip' the requests due meanwhile
   * and go on at whatever rate the server sustains (when the load only has to produce work).
   */
  whenBehind?: 'stop' | 'skip';
}

export interface PacedResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  achievedRate: number;
  latency: Summary;
  /** How far behind its schedule the generator sent (p99, ms): large values would hide latency. */
  lagP99: number;
  /** Set when the server fell `maxInFlight` requests behind and sending stopped at this second. */
  gaveUpAtS: number | undefined;
  /** Requests not sent because `maxInFlight` were in flight (whenBehind 'skip'). */
  skipped: number;
  /** The first few failures (status and body, or the client error), so a failed run says why. */
  failures: string[];
}

/**
 * A fixed-rate load generator. autocannon's `overallRate` is not one: each connection sends its
 * per-second quota back to back at the start of every second, then idles, so "500/s" there is
 * really bursts of `connections` concurrent requests. Here request i leaves at t0 + i/rate.
 */
export async function pacedLoad(opts: PacedOptions): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const { hostname, port } = new URL(opts.origin);
  const total = Math.round(opts.rate * opts.durationS);
  const latencies: number[] = [];
  const lags: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const failures: string[] = [];
  const noteFailure = (index: number, what: string) => {
    if (failures.length < 5) failures.push(`#${index}: ${what.slice(0, 200)}`);
  };
  const pending = new Set<Promise<void>>();

  const fire = (index: number) => {
    const req = opts.request(index);
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      const body = req.body ?? '';
      const r = http.request(
        {
          agent,
          hostname,
          port,
          method: req.method,
          path: req.path,
          timeout: 10_000,
          headers: { ...opts.headers, ...req.headers, ...(req.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const at = performance.now();
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              ok += 1;
              latencies.push(at - started);
            } else {
              non2xx += 1;
              noteFailure(index, `${status} ${Buffer.concat(chunks).toString('utf8')}`);
            }
            opts.onResponse?.(index, status, Buffer.concat(chunks).toString('utf8'), at);
            resolve();
          });
        },
      );
      r.on('timeout', () => r.destroy(new Error('timeout')));
      r.on('error', (err) => {
        errors += 1;
        noteFailure(index, `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`);
        resolve();
      });
      r.end(body);
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  // A server that cannot keep up would otherwise queue requests without end (and the run with them).
  const maxInFlight = opts.maxInFlight ?? Math.max(100, opts.rate);
  let gaveUpAtS: number | undefined;
  let skipped = 0;
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    // A 1 ms tick sends everything that is due; the lag records how late each one left.
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * opts.rate) / 1000) + 1);
      for (; sent < due; sent++) {
        if (pending.size >= maxInFlight) {
          if (opts.whenBehind !== 'skip') break;
          skipped += 1;
          continue;
        }
        lags.push(now - (t0 + (sent * 1000) / opts.rate));
        fire(sent);
      }
      if (sent < due) gaveUpAtS = (now - t0) / 1000;
      if (sent >= total || gaveUpAtS !== undefined) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const sendingS = (performance.now() - t0) / 1000;
  await Promise.all(pending);
  agent.destroy();
  return {
    sent: sent - skipped,
    ok,
    non2xx,
    errors,
    achievedRate: (sent - skipped) / sendingS,
    latency: summarize(latencies),
    lagP99: summarize(lags).p99,
    gaveUpAtS,
    skipped,
    failures,
  };
}
