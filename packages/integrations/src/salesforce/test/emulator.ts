// Test-only (excluded from the build): the Salesforce emulator in-process, and our integration
// built against it through the connector, as the apps build it.
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, startEmulator, type EmulatorOptions, type RunningEmulator } from '@cs/salesforce-emulator';
import type { ExternalCall } from '../../types';
import { salesforceConnector } from '../connector';
import { salesforceEnv } from '../env';
import type { SalesforceIntegration } from '../salesforce-integration';

export interface TestOrg {
  emulator: RunningEmulator;
  sf: SalesforceIntegration;
  calls: ExternalCall[];
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startTestOrg(options: EmulatorOptions = {}, env: Record<string, string> = {}): Promise<TestOrg> {
  const emulator = await startEmulator({ port: 0, grpcPort: 0, ...options });
  const parsed = salesforceEnv.parse({
    SALESFORCE_LOGIN_URL: emulator.url,
    SALESFORCE_CLIENT_ID: DEFAULT_CLIENT_ID,
    SALESFORCE_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
    SALESFORCE_PUBSUB_URL: emulator.grpcAddress,
    ...env,
  });
  const calls: ExternalCall[] = [];
  const sf = salesforceConnector.connect(parsed, { onCall: (c) => calls.push(c) }) as SalesforceIntegration;
  const admin = async <T,>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${emulator.url}/_emulator${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    emulator,
    sf,
    calls,
    admin,
    close: async () => {
      sf.stream.close();
      await emulator.close();
    },
  };
}

export const opts = { idempotencyKey: 'test' };

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
