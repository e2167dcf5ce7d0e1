import { z } from 'zod';
import { fieldDirections } from '../field-map';

const rate = z.coerce.number().positive().max(100_000).optional();
const apiName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a Salesforce field API name');

/**
 * host:port (plain text, the emulator) or https://host:port. TLS when the value says https:// or
 * the port is 443/7443 (Salesforce's own api.pubsub.salesforce.com:7443 only speaks TLS); anything
 * else is insecure, because the emulator serves plain-text gRPC and cannot do otherwise.
 */
const pubSubUrl = z
  .string()
  .regex(/^(https?:\/\/)?[A-Za-z0-9.-]+:\d{1,5}\/?$/, 'expected host:port, e.g. api.pubsub.salesforce.com:7443 or 127.0.0.1:12121')
  .transform((v) => {
    const tlsByScheme = v.startsWith('https://');
    const address = v.replace(/^https?:\/\//, '').replace(/\/$/, '');
    const port = Number(address.split(':').at(-1));
    return { address, tls: tlsByScheme || port === 443 || port === 7443 };
  });

/** What calling Salesforce needs: the workers, the CLI, the API's health view. */
export const salesforceEnv = z.object({
  /** https://login.salesforce.com, a My Domain URL, or the emulator (http://127.0.0.1:12120). */
  SALESFORCE_LOGIN_URL: z.url({ protocol: /^https?$/ }),
  SALESFORCE_CLIENT_ID: z.string().min(1),
  SALESFORCE_CLIENT_SECRET: z.string().min(1),
  SALESFORCE_API_VERSION: z.string().regex(/^\d+\.0$/, 'expected e.g. 64.0').default('64.0'),
  SALESFORCE_PUBSUB_URL: pubSubUrl,
  /** Account's unique External ID field holding our customer id: what makes creates idempotent. */
  SALESFORCE_EXTERNAL_ID_FIELD: apiName.default('Customer_Sync_Id__c'),
  SALESFORCE_EMAIL_FIELD: apiName.default('Billing_Email__c'),
  /** The Account field with the phone: the standard Phone, or a phone field of the org's own. */
  SALESFORCE_PHONE_FIELD: apiName.default('Phone'),
  /** Which compound address of Account is ours. */
  SALESFORCE_ADDRESS: z.enum(['billing', 'shipping']).default('billing'),
  /** `code`: the org has state and country picklists (BillingCountryCode); `name`: free-text BillingCountry. */
  SALESFORCE_COUNTRY_FIELD: z.enum(['code', 'name']).default('code'),
  /** e.g. "phone=from,address=to"; a field left out syncs both ways. */
  SALESFORCE_FIELD_DIRECTIONS: fieldDirections,
  /** Writes per second (outbound); default 20. */
  SALESFORCE_WRITE_RATE: rate,
  /** Reads per second (catch-up, backfill, reconcile); default 20. */
  SALESFORCE_READ_RATE: rate,
  /** Stop calling once this share of the org's daily API quota is used, leaving the rest to people and other apps. */
  SALESFORCE_QUOTA_STOP_SHARE: z.coerce.number().gt(0).max(1).default(0.9),
  SALESFORCE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** A change stream silent this long is opened again (Salesforce keeps an idle one alive every 270 s at most). */
  SALESFORCE_PUBSUB_IDLE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
});
export type SalesforceEnv = z.infer<typeof salesforceEnv>;
