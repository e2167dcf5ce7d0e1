import { z } from 'zod';
import { EnvError } from '@cs/platform';
import { defineConnector } from '../connector';
import { stripeConnector } from '../stripe/connector';
import type { Integration } from '../types';
import { enabledSystems, loadConnectors, loadWebhookVerifiers, probeConnectors } from './from-env';

const stripeKeys = { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' };

/** A second system that needs a variable of its own, to show that a disabled system needs none. */
const other = defineConnector({
  system: 'other',
  okText: 'ok',
  env: z.object({ OTHER_TOKEN: z.string().min(3) }),
  connect: () => ({ system: 'other' }) as unknown as Integration,
  limits: () => ({ writesPerSec: 5, readsPerSec: 7 }),
});
const known = [stripeConnector, other];

const problems = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof EnvError) return err.problems;
    throw err;
  }
  return [];
};

describe('connectors from the environment', () => {
  it("gives a connector's adapter the field directions its env names, and names every bad one", () => {
    const { registry } = loadConnectors({ ...stripeKeys, STRIPE_FIELD_DIRECTIONS: 'phone=from, address=to' });
    expect(registry.get('stripe').catalogs.customer?.fieldMap).toEqual({ phone: 'from', address: 'to' });
    expect(problems(() => loadConnectors({ ...stripeKeys, STRIPE_FIELD_DIRECTIONS: 'fax=to,name=sideways' }))).toEqual([
      expect.stringMatching(/STRIPE_FIELD_DIRECTIONS.*unknown field "fax"/),
      expect.stringMatching(/STRIPE_FIELD_DIRECTIONS.*unknown direction "sideways" for name/),
    ]);
  });

  it('enables stripe by default and reads its settings, rate limits included', () => {
    const { registry, limits, okText } = loadConnectors(stripeKeys);
    expect(registry.systems()).toEqual(['stripe']);
    expect(limits.get('stripe')).toEqual({ writesPerSec: 25, readsPerSec: 25 });
    expect(okText).toEqual({ stripe: 'authenticated' });
  });

  it("takes Stripe's live limits from a live key, and explicit rates over both", () => {
    expect(loadConnectors({ STRIPE_SECRET_KEY: 'sk_live_abc' }).limits.get('stripe')).toEqual({ writesPerSec: 100, readsPerSec: 100 });
    expect(loadConnectors({ STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WRITE_RATE: '40', STRIPE_READ_RATE: '0' }).limits.get('stripe')).toEqual({ writesPerSec: 40, readsPerSec: 0 });
  });

  it('names every bad variable of every enabled system at once', () => {
    expect(problems(() => loadConnectors({ SYNC_SYSTEMS: 'stripe,other', STRIPE_SECRET_KEY: 'pk_test_abc' }, {}, known))).toEqual([
      'STRIPE_SECRET_KEY: expected a Stripe secret key (sk_test_..., sk_live_...)',
      'OTHER_TOKEN: required but not set',
    ]);
  });

  it('a system that is not enabled needs none of its variables', () => {
    const { registry } = loadConnectors({ SYNC_SYSTEMS: 'other', OTHER_TOKEN: 'abcd' }, {}, known);
    expect(registry.systems()).toEqual(['other']);
    expect(enabledSystems({ SYNC_SYSTEMS: ' other , other' }, known)).toEqual(['other']);
  });

  it('refuses an unknown system or a malformed list', () => {
    expect(problems(() => enabledSystems({ SYNC_SYSTEMS: 'stripe,hubspot' }, known))).toEqual(['SYNC_SYSTEMS: unknown system "hubspot" (known: stripe, other)']);
    expect(problems(() => enabledSystems({ SYNC_SYSTEMS: 'Stripe!' }))).toEqual(['SYNC_SYSTEMS: expected a comma list of system names, e.g. stripe']);
  });

  it('gives the gateway a verifier per system that sends webhooks, from its secret alone (several during a rotation)', () => {
    const verifiers = loadWebhookVerifiers({ SYNC_SYSTEMS: 'stripe,other', STRIPE_WEBHOOK_SECRET: 'whsec_new, whsec_old' }, known);
    expect([...verifiers.keys()]).toEqual(['stripe']);
    expect(problems(() => loadWebhookVerifiers({}))).toEqual(['STRIPE_WEBHOOK_SECRET: required but not set']);
    expect(problems(() => loadWebhookVerifiers({ STRIPE_WEBHOOK_SECRET: 'nope' }))).toEqual(['STRIPE_WEBHOOK_SECRET: expected whsec_... (comma list allowed)']);
  });

  it('tells a process that only shows systems which ones it cannot reach, and why', () => {
    const [stripe] = probeConnectors({});
    expect(stripe).toMatchObject({ system: 'stripe', notConfigured: 'STRIPE_SECRET_KEY: required but not set' });
    expect(probeConnectors(stripeKeys)[0]).toMatchObject({ system: 'stripe', integration: expect.objectContaining({ system: 'stripe' }) });
  });
});
