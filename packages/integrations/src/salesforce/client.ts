import { Connection, type HttpRequest, type HttpResponse } from 'jsforce';
import type { StreamPromise } from 'jsforce/lib/util/promise';
import type { ExternalCall } from '../types';
import { SalesforceApiError, refreshFailure, secondSessionRejection } from './errors';
import { ObservedTransport } from './transport';

export interface SalesforceClientConfig {
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  apiVersion: string;
  timeoutMs?: number | undefined;
  /** Told about every HTTP answer from Salesforce (operation, status, elapsed time), e.g. to record metrics. */
  onCall?: ((call: ExternalCall) => void) | undefined;
}

/** `work`, or a TimeoutError once `ms` pass without an answer (the call itself is left to finish). */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException(`${what} got no answer in ${ms} ms`, 'TimeoutError')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface Quota {
  used: number;
  max: number;
}

/**
 * A jsforce Connection logged in with OAuth 2.0 client credentials. That flow issues no refresh
 * token, so jsforce's own refresh on a 401 fails ("No refresh token found"); our refreshFn logs in
 * again instead, and jsforce then replays the request that got the 401, so an expired session
 * costs a login, never a write. Every call sends `Sforce-Call-Options: client=<client id>`, which
 * Salesforce records as the change's origin: how the change stream recognises our own writes.
 */
export class SalesforceClient {
  readonly conn: Connection;
  private latestQuota: Quota | null = null;
  private login: Promise<void> | null = null;

  constructor(private readonly config: SalesforceClientConfig) {
    this.conn = new Connection({
      oauth2: { loginUrl: config.loginUrl, clientId: config.clientId, clientSecret: config.clientSecret },
      version: config.apiVersion,
      callOptions: { client: config.clientId },
      refreshFn: (conn, callback) => {
        conn.authorize({ grant_type: 'client_credentials' }).then(
          () => callback(null, conn.accessToken ?? undefined),
          (err: Error) => callback(err),
        );
      },
    });
  }

  get clientId(): string {
    return this.config.clientId;
  }

  /** The latest `Sforce-Limit-Info: api-usage=N/M` Salesforce sent; null before the first answer. */
  quota(): Quota | null {
    return this.latestQuota;
  }

  /** Logs in once; concurrent callers share the login. A failed login is retried by the next caller. */
  async ensureLogin(): Promise<void> {
    if (this.conn.accessToken) return;
    // jsforce's OAuth call takes no timeout (its own default is 30 minutes): bound it like every other call.
    this.login ??= withTimeout(this.conn.authorize({ grant_type: 'client_credentials' }), this.config.timeoutMs ?? 10_000, 'Salesforce login')
      .then(
        () => undefined,
        (err: Error) => Promise.reject(refreshFailure(err)),
      )
      .finally(() => (this.login = null));
    await this.login;
  }

  /** A fresh login, for callers that learn of an expired session outside REST (the Pub/Sub API). */
  async relogin(): Promise<void> {
    this.conn.accessToken = null as unknown as string;
    await this.ensureLogin();
  }

  /** What the Pub/Sub API needs to accept our session. */
  async session(): Promise<{ accessToken: string; instanceUrl: string; tenantId: string }> {
    await this.ensureLogin();
    return { accessToken: this.conn.accessToken ?? '', instanceUrl: this.conn.instanceUrl, tenantId: this.conn.userInfo?.organizationId ?? '' };
  }

  /**
   * One REST call under /services/data/vNN.N. `operation` is the bounded name reported to onCall
   * (e.g. "PATCH /sobjects/Account/{field}/{id}"). jsforce's own retries (5 attempts on 5xx for
   * GET/PUT/DELETE) are turned off: retries are the caller's, with backoff, parking and audit.
   */
  async request<T>(method: HttpRequest['method'], path: string, operation: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    await this.ensureLogin();
    const transport = new ObservedTransport({
      onResponse: (response: HttpResponse, elapsedMs: number) => this.observe(operation, response, elapsedMs),
      // jsforce retries a 401 once after refreshing; a second 401 means the new session is refused
      // too, and jsforce would refresh and retry forever.
      rejectSecond401: () => secondSessionRejection(),
    });
    const request: HttpRequest = {
      method,
      url: path.startsWith('/services/') ? path : `/services/data/v${this.config.apiVersion}${path}`,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    try {
      return await (this.conn.request<T>(request, { transport, timeout: this.config.timeoutMs ?? 10_000, retry: { maxRetries: 0 }, noContentResponse: undefined }) as StreamPromise<T>);
    } catch (err) {
      if (err instanceof SalesforceApiError) throw err;
      if (err instanceof Error && err.message.startsWith('Unable to refresh session')) throw refreshFailure(err);
      // jsforce's HttpApiError has Salesforce's errorCode but not the status: add the one we saw.
      if (err instanceof Error && 'errorCode' in err && transport.lastStatus !== undefined) throw SalesforceApiError.from(err, transport.lastStatus);
      throw err;
    }
  }

  private observe(operation: string, response: HttpResponse, elapsedMs: number): void {
    const usage = /api-usage=(\d+)\/(\d+)/.exec(String(response.headers['sforce-limit-info'] ?? ''));
    if (usage) this.latestQuota = { used: Number(usage[1]), max: Number(usage[2]) };
    if (!this.config.onCall) return;
    try {
      this.config.onCall({ system: 'salesforce', method: operation, status: response.statusCode, elapsedMs, ...(usage ? { quota: this.latestQuota! } : {}) });
    } catch {
      // metrics are never worth a failed sync
    }
  }
}
