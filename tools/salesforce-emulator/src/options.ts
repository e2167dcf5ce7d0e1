import { systemClock, type Clock } from './clock';
import type { FaultSettings } from './faults/settings';

export interface EmulatorOptions {
  /** REST + OAuth port; 0 (the default here) picks a free port. The CLI defaults to 12120. */
  port?: number;
  /** Pub/Sub API gRPC port; 0 (the default here) picks a free port. The CLI defaults to 12121. */
  grpcPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The connected app's credentials accepted by /services/oauth2/token. */
  clientId?: string;
  clientSecret?: string;
  /** Access token lifetime; default 7200 s. */
  tokenTtlSeconds?: number;
  /** API requests allowed per day (Sforce-Limit-Info, REQUEST_LIMIT_EXCEEDED); default 100000. */
  dailyQuota?: number;
  /** Account's External ID field used for upserts; default Customer_Sync_Id__c. */
  externalIdField?: string;
  /** Custom email field on Account; default Billing_Email__c. */
  emailField?: string;
  /** Org has state and country/territory picklists (BillingCountryCode exists); default true. */
  stateCountryPicklists?: boolean;
  /** Empty FetchResponse sent when a subscription is idle this long; default 270000 ms. */
  keepaliveMs?: number;
  /** Change events are kept this long; default 72 h. */
  retentionMs?: number;
  /** SOQL page size (Salesforce: 2000); smaller values make paging testable. */
  queryBatchSize?: number;
  /** Initial fault settings (same keys as POST /_emulator/faults). */
  faults?: Partial<FaultSettings>;
  /** Wall clock in ms (record dates, token expiry, event retention); tests inject a fake one. */
  clock?: Clock;
}

export interface ResolvedOptions {
  port: number;
  grpcPort: number;
  host: string;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  dailyQuota: number;
  externalIdField: string;
  emailField: string;
  stateCountryPicklists: boolean;
  keepaliveMs: number;
  retentionMs: number;
  queryBatchSize: number;
  faults: Partial<FaultSettings>;
  clock: Clock;
}

export const DEFAULT_CLIENT_ID = 'emulator-client-id';
export const DEFAULT_CLIENT_SECRET = 'emulator-client-secret';

function int(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer >= ${min}`);
  return value;
}

function customField(name: string, value: string | undefined, fallback: string): string {
  const v = value ?? fallback;
  if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(v)) throw new TypeError(`${name} must be a custom field API name ending in __c, got "${v}"`);
  return v;
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: int('port', options.port, 0, 0),
    grpcPort: int('grpcPort', options.grpcPort, 0, 0),
    host: options.host ?? '127.0.0.1',
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    tokenTtlSeconds: int('tokenTtlSeconds', options.tokenTtlSeconds, 7200),
    dailyQuota: int('dailyQuota', options.dailyQuota, 100_000, 0),
    externalIdField: customField('externalIdField', options.externalIdField, 'Customer_Sync_Id__c'),
    emailField: customField('emailField', options.emailField, 'Billing_Email__c'),
    stateCountryPicklists: options.stateCountryPicklists ?? true,
    keepaliveMs: int('keepaliveMs', options.keepaliveMs, 270_000),
    retentionMs: int('retentionMs', options.retentionMs, 72 * 3_600_000),
    queryBatchSize: int('queryBatchSize', options.queryBatchSize, 2000),
    faults: options.faults ?? {},
    clock: options.clock ?? systemClock,
  };
  if (resolved.externalIdField.toLowerCase() === resolved.emailField.toLowerCase()) throw new TypeError('externalIdField and emailField must differ');
  return resolved;
}
