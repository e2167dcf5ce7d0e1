import { Connection } from 'jsforce';
import { DEFAULT_CLIENT_ID, type RunningEmulator } from './index';
import { admin, API_VERSION, fakeClock, login, rejectionOf, rest, startTestEmulator } from './test/helpers';

const clock = fakeClock();
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator({ clock: clock.now, tokenTtlSeconds: 60 });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset({ sessions: true }));

describe('OAuth 2.0 client credentials', () => {
  it('lets jsforce log in and answers with the token shape Salesforce uses', async () => {
    const conn = await login(emulator);
    expect(conn.instanceUrl).toBe(emulator.url);
    expect(conn.accessToken).toMatch(/^00D8d0000000001!/);
    expect(conn.userInfo?.organizationId).toMatch(/^00D/);
    expect(conn.userInfo?.id).toMatch(/^005/);

    const response = await fetch(`${emulator.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT_ID, client_secret: 'emulator-client-secret' }),
    });
    const body = (await response.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', instance_url: emulator.url, issued_at: String(clock.now()) });
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const err = await rejectionOf(login(emulator, { clientSecret: 'wrong' }));
    expect(err.name).toBe('invalid_client');
    expect(err.message).toBe('invalid client credentials');
  });

  it('answers 401 INVALID_SESSION_ID once the token TTL has passed, or for an unknown token', async () => {
    const conn = await login(emulator);
    const token = conn.accessToken ?? '';
    expect((await rest(emulator, token, 'GET', 'limits')).status).toBe(200);
    expect(await rest(emulator, 'nonsense', 'GET', 'limits')).toMatchObject({ status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] });
    clock.advance(61_000);
    expect(await rest(emulator, token, 'GET', 'limits')).toMatchObject({ status: 401, body: [{ errorCode: 'INVALID_SESSION_ID' }] });
  });

  it('expires every session on the admin call; jsforce cannot refresh a client-credentials session by itself', async () => {
    const conn = await login(emulator);
    expect((await admin(emulator, 'POST', '/sessions/expire')).body).toEqual({ expired: 1 });
    // jsforce's built-in OAuth refresh needs a refresh token, which this flow never issues.
    const err = await rejectionOf(conn.sobject('Account').create({ Name: 'After expiry' }));
    expect(err.message).toMatch(/refresh token/i);
  });

  it('lets jsforce retry transparently when the connector supplies a refreshFn that logs in again', async () => {
    let refreshes = 0;
    const conn: Connection = new Connection({
      oauth2: { loginUrl: emulator.url, clientId: DEFAULT_CLIENT_ID, clientSecret: 'emulator-client-secret' },
      version: API_VERSION,
      refreshFn: (c, callback) => {
        refreshes++;
        c.authorize({ grant_type: 'client_credentials' }).then(() => callback(null, c.accessToken ?? undefined), (e: Error) => callback(e));
      },
    });
    await conn.authorize({ grant_type: 'client_credentials' });
    await admin(emulator, 'POST', '/sessions/expire');
    const result = await conn.sobject('Account').create({ Name: 'Retried' });
    expect(result).toMatchObject({ success: true });
    expect(refreshes).toBe(1);
  });
});
