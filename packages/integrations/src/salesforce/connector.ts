import { defineConnector } from '../connector';
import { salesforceEnv } from './env';
import { SalesforceIntegration } from './salesforce-integration';

/**
 * Salesforce publishes no per-second limit for REST, only the daily quota (SALESFORCE_QUOTA_STOP_SHARE
 * guards it) and 25 concurrent long-running calls; 20/s each way keeps a sync well inside both
 * while leaving headroom for the org's other integrations. *_RATE overrides either.
 */
const DEFAULT_RATE = 20;

export const salesforceConnector = defineConnector({
  system: 'salesforce',
  okText: 'authenticated',
  // Change Data Capture keeps events 72 hours: a replay may bring back any of them.
  redeliveryWindowHours: 72,
  env: salesforceEnv,
  connect: (env, hooks) =>
    new SalesforceIntegration({
      loginUrl: env.SALESFORCE_LOGIN_URL,
      clientId: env.SALESFORCE_CLIENT_ID,
      clientSecret: env.SALESFORCE_CLIENT_SECRET,
      apiVersion: env.SALESFORCE_API_VERSION,
      timeoutMs: env.SALESFORCE_TIMEOUT_MS,
      onCall: hooks.onCall,
      pubSub: env.SALESFORCE_PUBSUB_URL,
      pubSubIdleMs: env.SALESFORCE_PUBSUB_IDLE_MS,
      quotaStopShare: env.SALESFORCE_QUOTA_STOP_SHARE,
      shape: {
        externalIdField: env.SALESFORCE_EXTERNAL_ID_FIELD,
        emailField: env.SALESFORCE_EMAIL_FIELD,
        phoneField: env.SALESFORCE_PHONE_FIELD,
        address: env.SALESFORCE_ADDRESS === 'shipping' ? 'Shipping' : 'Billing',
        country: env.SALESFORCE_COUNTRY_FIELD,
        fieldMap: env.SALESFORCE_FIELD_DIRECTIONS,
      },
    }),
  limits: (env) => ({
    writesPerSec: env.SALESFORCE_WRITE_RATE ?? DEFAULT_RATE,
    readsPerSec: env.SALESFORCE_READ_RATE ?? DEFAULT_RATE,
  }),
});
