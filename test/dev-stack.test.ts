/**
 * The local stack that `make dev` and `pnpm turbo dev` both run comes from scripts/dev-stack.js:
 * the dev defaults, the emulators when no account is given, what the caller sets winning, and
 * every workspace package taking part in `pnpm turbo dev`.
 */
import fs from 'node:fs';
import path from 'node:path';

interface StackProcess { name: string; dir: string; entry: string; nodeArgs: string[]; args: string[]; env: Record<string, string> }
interface Stack { env: Record<string, string>; processes: StackProcess[]; idle: { dir: string; why: string }[]; problems: string[]; dotEnv: Record<string, string>; banner: string }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { devStack } = require('../scripts/dev-stack.js') as { devStack: (env: Record<string, string>, infra: Record<string, string>) => Stack };

const root = path.resolve(__dirname, '..');
const infra = { DATABASE_URL: 'postgres://postgres@127.0.0.1:54329/customer_sync', KAFKA_BROKERS: '127.0.0.1:9092' };
const names = (stack: Stack) => stack.processes.map((p) => p.name);

describe('the dev stack', () => {
  it('runs the four apps and the Stripe emulator by default, with the dev defaults and the local infra', () => {
    const stack = devStack({}, infra);
    expect(names(stack)).toEqual(['stripe-emulator', 'api', 'webhook-gateway', 'outbound-worker', 'inbound-worker']);
    expect(stack.env).toMatchObject({ ...infra, NODE_ENV: 'development', LOG_PRETTY: 'true', STRIPE_API_BASE: 'http://127.0.0.1:12111', STRIPE_SECRET_KEY: 'sk_test_local_dev_key' });
    expect(stack.processes[0]!.args).toEqual(['--port', '12111', '--webhook-url', 'http://127.0.0.1:8001/api/v1/webhooks/stripe', '--webhook-secret', 'whsec_local_dev_secret']);
    expect(stack.dotEnv).toEqual({ STRIPE_API_BASE: 'http://127.0.0.1:12111', STRIPE_SECRET_KEY: 'sk_test_local_dev_key', STRIPE_WEBHOOK_SECRET: 'whsec_local_dev_secret' });
    expect(stack.idle).toEqual([{ dir: 'tools/salesforce-emulator', why: 'SYNC_SYSTEMS has no salesforce' }]);
    expect(stack.processes.find((p) => p.name === 'outbound-worker')!.nodeArgs).toEqual(['--enable-source-maps', '--max-old-space-size=96', '--max-semi-space-size=16']);
    expect(stack.problems).toEqual([]);
  });

  it('keeps what the caller sets (empty counts as unset) and points the emulators at its ports', () => {
    const stack = devStack({ NODE_ENV: 'test', LOG_PRETTY: '', EMULATOR_PORT: '30111', WEBHOOK_PORT: '30001', STRIPE_WEBHOOK_SECRET: 'whsec_mine', OUTBOUND_HEALTH_PORT: '30002' }, infra);
    expect(stack.env).toMatchObject({ NODE_ENV: 'test', LOG_PRETTY: 'true', STRIPE_API_BASE: 'http://127.0.0.1:30111', STRIPE_WEBHOOK_SECRET: 'whsec_mine' });
    expect(stack.processes[0]!.args).toEqual(['--port', '30111', '--webhook-url', 'http://127.0.0.1:30001/api/v1/webhooks/stripe', '--webhook-secret', 'whsec_mine']);
    expect(stack.processes.find((p) => p.name === 'outbound-worker')!.env).toEqual({ HEALTH_PORT: '30002' });
    expect(stack.processes.find((p) => p.name === 'inbound-worker')!.env).toEqual({});
    expect(stack.banner).toContain(':30002 (outbound) :8003 (inbound)');
  });

  it('uses a Stripe account given instead of the emulator, and refuses half of one', () => {
    const real = devStack({ STRIPE_SECRET_KEY: 'sk_test_mine', STRIPE_WEBHOOK_SECRET: 'whsec_mine' }, infra);
    expect(names(real)).not.toContain('stripe-emulator');
    expect(real.env).not.toHaveProperty('STRIPE_SECRET_KEY'); // the caller's own value reaches the apps untouched
    expect(real.idle).toContainEqual({ dir: 'tools/stripe-emulator', why: 'STRIPE_SECRET_KEY is set' });
    expect(devStack({ STRIPE_API_BASE: 'http://127.0.0.1:1' }, infra).problems).toEqual(['STRIPE_API_BASE is set but STRIPE_SECRET_KEY is not']);
    expect(devStack({ STRIPE_SECRET_KEY: 'sk_test_mine' }, infra).problems).toEqual(['STRIPE_WEBHOOK_SECRET is required with a real Stripe key (see README: stripe listen)']);
  });

  it('adds the Salesforce emulator when SYNC_SYSTEMS has salesforce and no org is given', () => {
    const stack = devStack({ SYNC_SYSTEMS: 'stripe,salesforce', SALESFORCE_EMULATOR_PORT: '30120', SALESFORCE_EMULATOR_GRPC_PORT: '30121' }, infra);
    expect(names(stack)).toEqual(['stripe-emulator', 'salesforce-emulator', 'api', 'webhook-gateway', 'outbound-worker', 'inbound-worker']);
    expect(stack.env).toMatchObject({ SALESFORCE_LOGIN_URL: 'http://127.0.0.1:30120', SALESFORCE_PUBSUB_URL: '127.0.0.1:30121' });
    expect(stack.processes[1]!.args).toEqual(['--port', '30120', '--grpc-port', '30121', '--client-id', 'local-dev-client', '--client-secret', 'local-dev-secret']);
    const org = devStack({ SYNC_SYSTEMS: 'stripe,salesforce', SALESFORCE_LOGIN_URL: 'https://x.my.salesforce.com' }, infra);
    expect(names(org)).not.toContain('salesforce-emulator');
    expect(org.idle).toContainEqual({ dir: 'tools/salesforce-emulator', why: 'SALESFORCE_LOGIN_URL is set' });
  });

  it('runs each process from a built entry of a workspace package', () => {
    for (const p of devStack({ SYNC_SYSTEMS: 'stripe,salesforce' }, infra).processes) {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, p.dir, 'package.json'), 'utf8')) as { main?: string; bin?: Record<string, string> };
      expect({ name: p.name, entry: [pkg.main, ...Object.values(pkg.bin ?? {})].includes(p.entry) }).toEqual({ name: p.name, entry: true });
    }
  });

  it("is what every workspace package's dev task runs under `pnpm turbo dev`", () => {
    const workspace = ['apps', 'packages', 'tools'].flatMap((d) => fs.readdirSync(path.join(root, d)).map((p) => `${d}/${p}`)).concat('migrations');
    for (const dir of workspace) {
      const { scripts } = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      expect({ dir, dev: scripts.dev }).toEqual({ dir, dev: `bash ${path.relative(path.join(root, dir), root)}/scripts/dev-watch.sh` });
    }
  });
});
