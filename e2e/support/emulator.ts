import { urlOf } from './stack';

export interface EmuCustomer {
  id: string;
  name: string | null;
  email: string | null;
  phone?: string | null;
  address?: Record<string, string | null> | null;
  metadata: Record<string, string>;
  deleted?: boolean;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(urlOf('emulator') + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The emulator's admin routes (tools/stripe-emulator/README.md). */
export const emulator = {
  customers: (includeDeleted = false) => call<EmuCustomer[]>('GET', `/_emulator/customers${includeDeleted ? '?include_deleted=true' : ''}`),
  stats: () => call<{ writes: number; requests: { total: number; by_route: Record<string, number> }; rate_limited: number; errors_injected: number }>('GET', '/_emulator/stats'),
  resetStats: () => call('POST', '/_emulator/stats/reset'),
  faults: (f: Record<string, unknown>) => call('POST', '/_emulator/faults', f),
  reset: (body: Record<string, boolean> = {}) => call('POST', '/_emulator/reset', body),
  addWebhook: (url: string, secret: string) => call('POST', '/_emulator/webhook-endpoints', { url, secret }),
  clearWebhooks: () => call('DELETE', '/_emulator/webhook-endpoints'),
  seed: (count: number, emailPrefix: string) => call<{ created: number }>('POST', '/_emulator/seed', { count, email_prefix: emailPrefix, name_prefix: `${emailPrefix} ` }),
  /** A person editing in Stripe; `silent` = no event and no webhook (drift nobody told us about). */
  dashboard: {
    create: (c: { name: string; email: string; metadata?: Record<string, string> }, silent = false) =>
      call<EmuCustomer>('POST', `/_emulator/dashboard/customers${silent ? '?silent=true' : ''}`, c),
    update: (id: string, c: { name?: string; email?: string; phone?: string | null; address?: Record<string, string | null> | null }, silent = false) =>
      call<EmuCustomer>('POST', `/_emulator/dashboard/customers/${id}${silent ? '?silent=true' : ''}`, c),
    delete: (id: string, silent = false) => call('DELETE', `/_emulator/dashboard/customers/${id}${silent ? '?silent=true' : ''}`),
  },
};
