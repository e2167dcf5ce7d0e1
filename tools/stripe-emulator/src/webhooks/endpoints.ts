import { newEndpointId, newWebhookSecret } from '../ids';

export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
}

export class EndpointValidationError extends Error {}

/** Registered receivers, unique by URL (re-registering a URL updates its secret). */
export class EndpointRegistry {
  private readonly byUrl = new Map<string, WebhookEndpoint>();

  get size(): number {
    return this.byUrl.size;
  }

  register(url: unknown, secret: unknown): WebhookEndpoint {
    if (typeof url !== 'string') throw new EndpointValidationError('url is required');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new EndpointValidationError(`url is not a valid URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new EndpointValidationError('url must be http or https');
    }
    if (secret !== undefined && secret !== null && (typeof secret !== 'string' || secret.length === 0)) {
      throw new EndpointValidationError('secret must be a non-empty string');
    }
    const existing = this.byUrl.get(url);
    const chosenSecret = typeof secret === 'string' ? secret : (existing?.secret ?? newWebhookSecret());
    const endpoint: WebhookEndpoint = { id: existing?.id ?? newEndpointId(), url, secret: chosenSecret };
    this.byUrl.set(url, endpoint);
    return endpoint;
  }

  list(): WebhookEndpoint[] {
    return [...this.byUrl.values()];
  }

  /** Whether this exact registration is still current (deliveries to removed ones are dropped). */
  isActive(endpoint: WebhookEndpoint): boolean {
    return this.byUrl.get(endpoint.url)?.id === endpoint.id;
  }

  clear(): number {
    const removed = this.byUrl.size;
    this.byUrl.clear();
    return removed;
  }
}
