import autocannon from 'autocannon';
import type { Client, Request } from 'autocannon';
import { summarize, type Summary } from './stats';

export interface CannonOptions {
  origin: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** Send exactly this many requests instead (autocannon's `amount`: it overrides durationS). */
  amount?: number;
  /** Builds each request (a fresh email, a random id, …). */
  request: Request;
  overallRate?: number;
}

export interface CannonResult {
  reqPerSec: number;
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  latency: Summary;
  /** Date.now() (ms, fractional) of the first request built and of the last response: autocannon itself ends on its 1 s tick. */
  firstSentAt: number;
  lastResponseAt: number;
}

/** Date.now() with performance.now()'s resolution. */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * Closed-loop load with autocannon. Latencies are taken from each client's `response` event
 * (sub-millisecond hrtime) rather than autocannon's histogram, which keeps whole milliseconds.
 */
export function cannon(opts: CannonOptions): Promise<CannonResult> {
  const latencies: number[] = [];
  let firstSentAt: number | undefined;
  let lastResponseAt = 0;
  const request: autocannon.Request = {
    ...opts.request,
    setupRequest: (req: autocannon.Request, context: object) => {
      firstSentAt ??= preciseNow();
      const setup = opts.request.setupRequest;
      return typeof setup === 'function' ? setup(req, context) : req;
    },
  };
  const options: autocannon.Options = {
    url: opts.origin,
    headers: opts.headers,
    connections: opts.connections,
    duration: opts.durationS,
    requests: [request],
    setupClient: (client: Client) => {
      client.on('response', (status, _bytes, responseTime) => {
        lastResponseAt = preciseNow();
        if (status >= 200 && status < 300) latencies.push(responseTime);
      });
    },
  };
  if (opts.amount !== undefined) options.amount = opts.amount;
  if (opts.overallRate !== undefined) {
    options.overallRate = opts.overallRate;
    // autocannon's correction assumes an interval of ceil(1 / rate) = 1 ms and back-fills a
    // sample for every millisecond of each response: that is not coordinated omission, skip it.
    options.ignoreCoordinatedOmission = true;
  }
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
      resolve({
        reqPerSec: result['2xx'] / result.duration,
        ok: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        statusCodes,
        latency: summarize(latencies),
        firstSentAt: firstSentAt ?? lastResponseAt,
        lastResponseAt,
      });
    });
  });
}
