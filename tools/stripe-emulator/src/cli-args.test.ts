import { parseCliArgs, UsageError } from './cli-args';

describe('parseCliArgs', () => {
  it('defaults to 127.0.0.1:12111 with no faults', () => {
    expect(parseCliArgs([], {})).toEqual({ help: false, options: { port: 12111, host: '127.0.0.1' } });
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const { options } = parseCliArgs(
      ['--port', '0', '--host=0.0.0.0', '--webhook-url', 'http://localhost:3000/hooks', '--webhook-secret=whsec_x', '--rate-limit', '25', '--error-rate=0.1', '--latency-ms', '40', '--duplicate-webhooks', '0.2', '--reorder-webhooks'],
      {},
    );
    expect(options).toEqual({
      port: 0,
      host: '0.0.0.0',
      webhookEndpoints: [{ url: 'http://localhost:3000/hooks', secret: 'whsec_x' }],
      faults: { rate_limit_rps: 25, error_rate: 0.1, latency_ms: 40, duplicate_webhooks: 0.2, reorder_webhooks: true },
    });
  });

  it('falls back to the environment, flags winning', () => {
    const env = { EMULATOR_PORT: '4000', EMULATOR_WEBHOOK_URL: 'http://x/y', EMULATOR_WEBHOOK_SECRET: 'whsec_env' };
    expect(parseCliArgs([], env).options).toMatchObject({ port: 4000, webhookEndpoints: [{ url: 'http://x/y', secret: 'whsec_env' }] });
    expect(parseCliArgs(['--port', '5000'], env).options.port).toBe(5000);
  });

  it.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--error-rate', '1.5']],
    [['--rate-limit']],
    [['--bogus']],
    [['stray']],
    [['--webhook-url', 'http://x/y']],
  ])('rejects %j', (argv) => {
    expect(() => parseCliArgs(argv, {})).toThrow(UsageError);
  });
});
