import { salesforceEnv } from './env';

const base = { SALESFORCE_LOGIN_URL: 'http://127.0.0.1:12120', SALESFORCE_CLIENT_ID: 'id', SALESFORCE_CLIENT_SECRET: 'secret', SALESFORCE_PUBSUB_URL: '127.0.0.1:12121' };
const messages = (env: Record<string, string>) => {
  const r = salesforceEnv.safeParse({ ...base, ...env });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('salesforceEnv', () => {
  it('has defaults for everything but the org and credentials', () => {
    expect(salesforceEnv.parse(base)).toEqual({
      ...base,
      SALESFORCE_PUBSUB_URL: { address: '127.0.0.1:12121', tls: false },
      SALESFORCE_API_VERSION: '64.0',
      SALESFORCE_EXTERNAL_ID_FIELD: 'Customer_Sync_Id__c',
      SALESFORCE_EMAIL_FIELD: 'Billing_Email__c',
      SALESFORCE_COUNTRY_FIELD: 'code',
      SALESFORCE_FIELD_DIRECTIONS: {},
      SALESFORCE_QUOTA_STOP_SHARE: 0.9,
      SALESFORCE_TIMEOUT_MS: 10_000,
      SALESFORCE_PUBSUB_IDLE_MS: 300_000,
      SALESFORCE_PHONE_FIELD: 'Phone',
      SALESFORCE_ADDRESS: 'billing',
    });
  });

  it('speaks TLS to Salesforce (https:// or port 443/7443), plain text otherwise', () => {
    const tls = (v: string) => salesforceEnv.parse({ ...base, SALESFORCE_PUBSUB_URL: v }).SALESFORCE_PUBSUB_URL;
    expect(tls('api.pubsub.salesforce.com:7443')).toEqual({ address: 'api.pubsub.salesforce.com:7443', tls: true });
    expect(tls('https://pubsub.example:8443')).toEqual({ address: 'pubsub.example:8443', tls: true });
    expect(tls('localhost:443').tls).toBe(true);
    expect(messages({ SALESFORCE_PUBSUB_URL: 'api.pubsub.salesforce.com' })).toEqual([expect.stringContaining('SALESFORCE_PUBSUB_URL: expected host:port')]);
  });

  it('parses field directions and names every mistake', () => {
    expect(salesforceEnv.parse({ ...base, SALESFORCE_FIELD_DIRECTIONS: 'phone=from, address=to' }).SALESFORCE_FIELD_DIRECTIONS).toEqual({ phone: 'from', address: 'to' });
    expect(messages({ SALESFORCE_FIELD_DIRECTIONS: 'fax=from,phone=sideways,name=to,name=both' })).toEqual([
      'SALESFORCE_FIELD_DIRECTIONS: unknown field "fax" in "fax=from" (fields: name, email, phone, address)',
      'SALESFORCE_FIELD_DIRECTIONS: unknown direction "sideways" for phone (directions: both, to, from)',
      'SALESFORCE_FIELD_DIRECTIONS: name is given twice',
    ]);
  });

  it('refuses rates, shares and modes out of range', () => {
    expect(messages({ SALESFORCE_WRITE_RATE: '0', SALESFORCE_QUOTA_STOP_SHARE: '1.5', SALESFORCE_COUNTRY_FIELD: 'iso' }).map((m) => m.split(':')[0])).toEqual(['SALESFORCE_COUNTRY_FIELD', 'SALESFORCE_WRITE_RATE', 'SALESFORCE_QUOTA_STOP_SHARE']);
    expect(salesforceEnv.parse({ ...base, SALESFORCE_READ_RATE: '5', SALESFORCE_QUOTA_STOP_SHARE: '1' })).toMatchObject({ SALESFORCE_READ_RATE: 5, SALESFORCE_QUOTA_STOP_SHARE: 1 });
  });
});
