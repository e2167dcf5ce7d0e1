import { runChecks } from './health';

const info = { environment: 'test', version: '1', okText: { database: 'connected', stripe: 'authenticated' } };

describe('runChecks', () => {
  it('is unhealthy when a check fails, naming it', async () => {
    const report = await runChecks({ ...info, checks: { database: () => Promise.reject(new Error('refused')) } });
    expect(report).toEqual({ status: 'unhealthy', environment: 'test', version: '1', checks: { database: 'error: refused' } });
  });

  it('reports advisory checks, passing or failing, without letting them decide the status', async () => {
    const report = await runChecks({ ...info, checks: { database: async () => undefined }, advisory: { stripe: () => Promise.reject(new Error('down')) } });
    expect(report.status).toBe('healthy');
    expect(report.checks).toEqual({ database: 'connected', stripe: 'error: down' });
    const ok = await runChecks({ ...info, checks: {}, advisory: { stripe: async () => undefined } });
    expect(ok.checks).toEqual({ stripe: 'authenticated' });
  });

  it('lets an advisory check say why it did not check', async () => {
    const report = await runChecks({ ...info, checks: {}, advisory: { stripe: async () => 'not configured' } });
    expect(report.checks).toEqual({ stripe: 'not configured' });
  });
});
