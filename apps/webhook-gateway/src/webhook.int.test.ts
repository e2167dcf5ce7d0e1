import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { StripeWebhookVerifier } from '@cs/integrations';
import { BatchingPublisher, createKafka, topics } from '@cs/kafka-schemas';
import { createLogger } from '@cs/platform';
import { collect } from '../../../test/support/kafka';
import { sign, stripeEvent } from '../../../test/support/stripe-events';
import { buildApp } from './server';

const SECRET = 'whsec_current_secret';
const OLD_SECRET = 'whsec_previous_secret';
const topic = topics(process.env.KAFKA_TOPIC_PREFIX).syncInbound;
const logger = createLogger({ name: 'gateway-test', level: 'silent' });

function appWith(brokers: string, opts: { topic?: string; lingerMs?: number } = {}) {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'gateway-test' });
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 1, initialRetryTime: 50 } });
  const app = buildApp({
    logger,
    environment: 'test',
    version: 'test',
    checks: {},
    verifiers: new Map([['stripe', new StripeWebhookVerifier([SECRET, OLD_SECRET])]]),
    publisher: new BatchingPublisher(producer, opts.topic ?? topic, { lingerMs: opts.lingerMs ?? 0 }),
  });
  return { app, producer };
}

let live: ReturnType<typeof appWith>;
beforeAll(async () => {
  live = appWith(process.env.KAFKA_BROKERS!);
  await live.producer.connect();
});
afterAll(() => live.producer.disconnect());

const post = (app: ReturnType<typeof appWith>['app'], body: string, headers: Record<string, string> = {}) =>
  request(app).post('/api/v1/webhooks/stripe').set('Content-Type', 'application/json').set(headers).send(body);

describe('POST /api/v1/webhooks/stripe', () => {
  it('publishes the change a verified event tells of to sync.inbound, neutral and keyed by the customer id, in the shared envelope, then answers 200', async () => {
    const customerId = `cus_${randomUUID().slice(0, 12)}`;
    const seen = await collect(topic, (m) => m.key === customerId);
    const event = stripeEvent({ customer: { id: customerId, name: 'Jenny' } });
    const body = JSON.stringify(event);
    const res = await post(live.app, body, { 'Stripe-Signature': sign(body, SECRET), 'X-Request-Id': 'trace-wh-1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true });
    expect(res.headers['x-request-id']).toBe('trace-wh-1');
    const [msg] = await seen.waitFor(1);
    expect(msg!.value).toMatchObject({
      type: 'external.change',
      origin: 'stripe',
      idempotency_key: `stripe:${event.id}`,
      trace_id: 'trace-wh-1',
      payload: {
        system: 'stripe',
        entity_type: 'customer',
        object_type: 'customer',
        external_id: customerId,
        kind: 'updated',
        event_id: event.id,
        event_type: 'customer.updated',
        source_ts: event.created,
        via: 'webhook',
        // Stripe's shape ends at the gateway: our fields only, no raw event.
        state: { name: 'Jenny', email: expect.any(String), internalId: null, deleted: false },
      },
    });
    expect(msg!.value).not.toHaveProperty('payload.event');
    await seen.stop();
  });

  it('accepts the previous secret during a rotation', async () => {
    const body = JSON.stringify(stripeEvent());
    expect((await post(live.app, body, { 'Stripe-Signature': sign(body, OLD_SECRET) })).status).toBe(200);
  });

  describe('refuses, publishing nothing', () => {
    const marker = `cus_bad_${randomUUID().slice(0, 8)}`;
    let seen: Awaited<ReturnType<typeof collect>>;
    beforeAll(async () => {
      seen = await collect(topic, (m) => m.key === marker);
    });
    afterAll(async () => {
      await new Promise((r) => setTimeout(r, 1000)); // anything wrongly published has arrived by now
      expect(seen.messages).toHaveLength(0);
      await seen.stop();
    });
    const event = () => JSON.stringify(stripeEvent({ customer: { id: marker } }));
    const now = () => Math.floor(Date.now() / 1000);

    it.each([
      ['a missing signature', () => ({ body: event(), headers: {} })],
      ['a malformed signature', () => ({ body: event(), headers: { 'Stripe-Signature': 'garbage' } })],
      ['a forged signature (wrong secret)', () => { const b = event(); return { body: b, headers: { 'Stripe-Signature': sign(b, 'whsec_attacker') } }; }],
      ['a stale signature (10 minutes old)', () => { const b = event(); return { body: b, headers: { 'Stripe-Signature': sign(b, SECRET, now() - 600) } }; }],
      ['a body changed after signing', () => { const b = event(); return { body: b.replace('Jenny', 'Evil'), headers: { 'Stripe-Signature': sign(b, SECRET) } }; }],
      ['a replay re-stamped with a new timestamp but the old v1', () => {
        const b = event();
        const old = sign(b, SECRET, now() - 600);
        return { body: b, headers: { 'Stripe-Signature': old.replace(/t=\d+/, `t=${now()}`) } };
      }],
      ['a truncated body', () => { const b = event(); return { body: b.slice(0, 40), headers: { 'Stripe-Signature': sign(b, SECRET) } }; }],
    ])('%s → 400', async (_name, make) => {
      const { body, headers } = make();
      const res = await post(live.app, body, headers as Record<string, string>);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_webhook');
    });

    it('a correctly signed body that is not JSON → 400', async () => {
      const body = 'this is not json';
      const res = await post(live.app, body, { 'Stripe-Signature': sign(body, SECRET) });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/not valid JSON/);
    });

    it('a body over 1 MB → 413', async () => {
      const big = JSON.stringify(stripeEvent({ customer: { id: marker, metadata: { pad: 'x'.repeat(1024 * 1024) } } }));
      const res = await post(live.app, big, { 'Stripe-Signature': sign(big, SECRET) });
      expect(res.status).toBe(413);
    });

    it('a body over 1 MB sent without a length (chunked) → 413', async () => {
      const server = createServer(live.app).listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        const status = await new Promise<number | undefined>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/webhooks/stripe', headers: { 'stripe-signature': 'x' } }, (res) => {
            res.resume();
            resolve(res.statusCode);
          });
          req.on('error', reject);
          for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 'x'));
          req.end();
        });
        expect(status).toBe(413);
      } finally {
        server.close();
      }
    });

    it('other paths and methods under the prefix → 404 in the one error shape', async () => {
      expect((await request(live.app).post('/api/v1/webhooks/stripe/extra').send('{}')).body.error.code).toBe('route_not_found');
      expect((await request(live.app).get('/api/v1/webhooks/stripe')).body.error.code).toBe('route_not_found');
    });

    it('a verified event type we do not sync → 200 (so Stripe stops retrying), not published', async () => {
      const body = JSON.stringify(stripeEvent({ type: 'invoice.paid', customer: { id: marker } }));
      const res = await post(live.app, body, { 'Stripe-Signature': sign(body, SECRET) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true, ignored: 'invoice.paid' });
    });

    it('an unknown system → 404', async () => {
      const res = await request(live.app).post('/api/v1/webhooks/paypal').send('{}');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('unknown_system');
    });
  });

  it('answers 503 when Kafka cannot take the event, so Stripe retries', async () => {
    const down = appWith('127.0.0.1:1');
    const body = JSON.stringify(stripeEvent());
    const res = await post(down.app, body, { 'Stripe-Signature': sign(body, SECRET) });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('kafka_unavailable');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('answers 503 to every webhook that shared a failed produce request: none is acknowledged', async () => {
    // A topic the broker does not have: the one produce request of the batch fails.
    const failing = appWith(process.env.KAFKA_BROKERS!, { topic: `${topic}.missing-${randomUUID()}`, lingerMs: 50 });
    await failing.producer.connect();
    try {
      const bodies = Array.from({ length: 10 }, () => JSON.stringify(stripeEvent()));
      const answers = await Promise.all(bodies.map((body) => post(failing.app, body, { 'Stripe-Signature': sign(body, SECRET) })));
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(503));
      expect(answers.map((r) => r.body.error.code)).toEqual(Array(10).fill('kafka_unavailable'));
    } finally {
      await failing.producer.disconnect();
    }
  });

  it('with a linger, acknowledges each of concurrent webhooks once its event is in Kafka', async () => {
    const lingering = appWith(process.env.KAFKA_BROKERS!, { lingerMs: 20 });
    await lingering.producer.connect();
    try {
      const customers = Array.from({ length: 10 }, () => `cus_${randomUUID().slice(0, 12)}`);
      const mine = new Set(customers);
      const seen = await collect(topic, (m) => mine.has(m.key));
      const bodies = customers.map((id) => JSON.stringify(stripeEvent({ customer: { id } })));
      const answers = await Promise.all(bodies.map((body) => post(lingering.app, body, { 'Stripe-Signature': sign(body, SECRET) })));
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set((await seen.waitFor(10)).map((m) => m.key))).toEqual(mine);
      await seen.stop();
    } finally {
      await lingering.producer.disconnect();
    }
  });
});
