import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import { StreamPromise } from 'jsforce/lib/util/promise';
import { Transport } from 'jsforce/lib/transport';

export interface TransportHooks {
  onResponse(response: HttpResponse, elapsedMs: number): void;
  /** The error to fail with when the same request gets a second 401 (after jsforce refreshed once). */
  rejectSecond401(): Error;
}

/**
 * jsforce's HTTP transport, observed: one instance per logical request (jsforce's `request`
 * accepts a `transport` option and keeps it for the replay after a token refresh). It is the only
 * place that sees every exchange on the wire with its status and headers, errors and the 401 that
 * precedes a refresh included: jsforce's `response` event lives on a per-call HttpApi we never
 * get hold of, and `conn.limitInfo` has no status or timing.
 */
export class ObservedTransport extends Transport {
  lastStatus: number | undefined;
  private unauthorized = 0;

  constructor(private readonly hooks: TransportHooks) {
    super();
  }

  override httpRequest(req: HttpRequest, options?: HttpRequestOptions): StreamPromise<HttpResponse> {
    const started = Date.now();
    const inner = super.httpRequest(req, options);
    return StreamPromise.create(() => ({
      stream: inner.stream(),
      promise: inner.then((response) => {
        this.lastStatus = response.statusCode;
        this.hooks.onResponse(response, Date.now() - started);
        if (response.statusCode === 401 && ++this.unauthorized > 1) throw this.hooks.rejectSecond401();
        return response;
      }),
    }));
  }
}
