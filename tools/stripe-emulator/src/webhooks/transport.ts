import http from 'node:http';
import https from 'node:https';

/**
 * POSTs one webhook and resolves with the status code; rejects on connection errors and
 * timeouts. Keep-alive agents keep a busy receiver from exhausting ephemeral ports.
 */
export class WebhookTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly inFlight = new Set<http.ClientRequest>();

  constructor(maxSockets: number, private readonly timeoutMs: number) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  }

  post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const isHttps = target.protocol === 'https:';
      const request = (isHttps ? https : http).request(target, {
        method: 'POST',
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        timeout: this.timeoutMs,
      });
      this.inFlight.add(request);
      const done = (): boolean => this.inFlight.delete(request);
      request.on('timeout', () => request.destroy(new Error(`webhook timed out after ${this.timeoutMs} ms`)));
      request.on('error', (err) => {
        done();
        reject(err);
      });
      request.on('response', (response) => {
        // Drain the body so the socket can be reused; Stripe ignores what receivers answer.
        response.resume();
        response.on('end', () => {
          done();
          resolve(response.statusCode ?? 0);
        });
        response.on('error', (err) => {
          done();
          reject(err);
        });
      });
      request.end(body);
    });
  }

  /** Aborts everything in flight (reset/close). */
  abortAll(): void {
    for (const request of this.inFlight) request.destroy(new Error('emulator reset'));
    this.inFlight.clear();
  }

  destroy(): void {
    this.abortAll();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
