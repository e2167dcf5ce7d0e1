// The Salesforce emulator as the e2e suite runs it: its CLI as a child process, on this worker's
// ports, and its admin API (a person editing in the Salesforce UI, stats, faults).
import { ports, startProcess, type Proc } from './stack';

export const SF_CLIENT_ID = 'e2e-sf-client';
export const SF_CLIENT_SECRET = 'e2e-sf-secret-do-not-log';

export interface SfAccount {
  Id: string;
  Name: string;
  Phone: string | null;
  Billing_Email__c: string | null;
  Customer_Sync_Id__c: string | null;
  BillingCity: string | null;
  BillingCountryCode: string | null;
  IsDeleted: boolean;
}

export function startSalesforceEmulator(): Proc {
  return startProcess(
    'salesforce-emulator',
    'tools/salesforce-emulator/dist/cli.js',
    ['--port', String(ports.salesforce), '--grpc-port', String(ports['salesforce-grpc']), '--client-id', SF_CLIENT_ID, '--client-secret', SF_CLIENT_SECRET, '--keepalive-ms', '1000'],
    {},
  );
}

/** What the apps need to reach it. */
export const salesforceEnv = {
  SALESFORCE_LOGIN_URL: `http://127.0.0.1:${ports.salesforce}`,
  SALESFORCE_CLIENT_ID: SF_CLIENT_ID,
  SALESFORCE_CLIENT_SECRET: SF_CLIENT_SECRET,
  SALESFORCE_PUBSUB_URL: `127.0.0.1:${ports['salesforce-grpc']}`,
  SALESFORCE_WRITE_RATE: '1000',
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${ports.salesforce}/_emulator${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const salesforce = {
  health: () => call<{ ok: boolean }>('GET', '/health'),
  reset: () => call('POST', '/reset', { faults: true, sessions: true }),
  accounts: () => call<SfAccount[]>('GET', '/accounts'),
  byInternalId: async (id: number) => (await call<SfAccount[]>('GET', '/accounts')).find((a) => a.Customer_Sync_Id__c === String(id) && !a.IsDeleted),
  ui: {
    create: (fields: Record<string, unknown>) => call<SfAccount>('POST', '/ui/accounts', fields),
    update: (id: string, fields: Record<string, unknown>) => call<SfAccount>('PATCH', `/ui/accounts/${id}`, fields),
    delete: (id: string) => call('DELETE', `/ui/accounts/${id}`),
  },
  /** Record writes made through the API (ours), as opposed to the UI's. */
  apiWrites: async () => (await call<{ writes: number }>('GET', '/stats')).writes,
  expireSessions: () => call('POST', '/sessions/expire'),
  faults: (f: Record<string, unknown>) => call('POST', '/faults', f),
};
