/**
 * Contract test: StripeIntegration's real HTTP calls against Stripe's official stripe-mock
 * (scripts/stripe-mock.sh, pinned version). stripe-mock validates every request's parameters
 * against Stripe's OpenAPI spec and answers 400 for anything Stripe does not know, so a 200 here
 * proves the shape of what we send. A small recording proxy sits between the SDK and stripe-mock
 * so that we can also assert the wire format (form body, query, Idempotency-Key header).
 *
 * Limits, by design of stripe-mock: it is stateless and answers from fixtures. A create or update
 * reflects some scalar parameters (name, email) and path ids back, but it stores nothing and does
 * not echo metadata; a search or list always returns the same fixture customer (no
 * metadata.internal_id, has_more false); its invoice is always a draft with one item, whose lines
 * never have more (the proxy can rewrite an answer to say so). So "our data came back" is asserted
 * only where the mock reflects it; the rest is asserted on the wire. Behaviour (404s, pagination, search hits) is
 * covered by tools/stripe-emulator and the e2e suite, not here.
 *
 * Run: bash scripts/stripe-mock.sh install && jest --selectProjects integration --testPathPatterns stripe-mock
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import Stripe from 'stripe';
import { createStripeClient } from './config';
import { StripeIntegration } from './stripe-integration';

const ROOT = path.resolve(__dirname, '../../../..');
const SCRIPT = path.join(ROOT, 'scripts/stripe-mock.sh');
const CONFIG = { secretKey: 'sk_test_123' };

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: URLSearchParams;
  status?: number;
}

let mock: ChildProcess | undefined;
let mockPort = 0;
let mockOutput = '';
let proxy: http.Server | undefined;
let proxyBase = '';
const recorded: Recorded[] = [];
/** When set, the proxy changes stripe-mock's JSON answers (to show what its fixtures never say). */
let rewrite: ((req: Recorded, body: Record<string, unknown>) => Record<string, unknown>) | undefined;

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts stripe-mock on 127.0.0.1:preferredPort, or on a port of the system's choosing when that one
 * is taken (another jest run), and resolves once it accepts connections. `-https-addr` is explicit
 * because stripe-mock v0.197.0 otherwise also opens HTTPS on [::]:12112 next to `-http-addr`.
 */
async function startStripeMock(bin: string, preferredPort: number): Promise<{ child: ChildProcess; port: number }> {
  const requested = (await portOpen(preferredPort)) ? 0 : preferredPort;
  const child = spawn(bin, ['-http-addr', `127.0.0.1:${requested}`, '-https-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    mockOutput = (mockOutput + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const port = Number(/Listening for HTTP at address: 127\.0\.0\.1:(\d+)/.exec(mockOutput)?.[1] ?? 0);
    if (port > 0 && (await portOpen(port))) return { child, port };
    if (child.exitCode !== null) throw new Error(`stripe-mock exited with ${child.exitCode}:\n${mockOutput}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stripe-mock did not accept connections in 20 s:\n${mockOutput}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Forwards everything to stripe-mock and records what the SDK sent. */
function startRecordingProxy(targetPort: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const entry: Recorded = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: new URLSearchParams(raw.toString('utf8')),
      };
      recorded.push(entry);
      const upstream = http.request(
        { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${targetPort}` } },
        (up) => {
          entry.status = up.statusCode ?? 0;
          const change = rewrite;
          if (!change) {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const body = Buffer.from(JSON.stringify(change(entry, JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>)));
            const { 'transfer-encoding': _chunked, ...headers } = up.headers;
            res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
            res.end(body);
          });
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502).end(String(err));
      });
      upstream.end(raw);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The one request a call made (each integration method makes exactly one: maxNetworkRetries is 0). */
function onlyRequest(): Recorded {
  expect(recorded).toHaveLength(1);
  return recorded[0]!;
}

function sortedKeys(params: URLSearchParams): string[] {
  return [...params.keys()].sort();
}

beforeAll(async () => {
  // Idempotent; the first run builds stripe-mock with `go install` (about a minute).
  execFileSync('bash', [SCRIPT, 'install'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 280_000 });
  const bin = execFileSync('bash', [SCRIPT, 'path'], { encoding: 'utf8' }).trim();
  ({ child: mock, port: mockPort } = await startStripeMock(bin, 12200 + Number(process.env.JEST_WORKER_ID ?? '1')));
  proxy = await startRecordingProxy(mockPort);
  const address = proxy.address() as net.AddressInfo;
  proxyBase = `http://127.0.0.1:${address.port}`;
}, 300_000);

afterAll(async () => {
  if (proxy) {
    proxy.closeAllConnections();
    await new Promise((r) => proxy!.close(r));
  }
  if (mock && mock.exitCode === null) {
    const exited = new Promise((r) => mock!.once('exit', r));
    mock.kill('SIGTERM');
    await exited;
  }
});

beforeEach(() => {
  recorded.length = 0;
});

describe('stripe-mock contract: StripeIntegration', () => {
  let stripe: StripeIntegration;
  beforeAll(() => {
    stripe = new StripeIntegration({ ...CONFIG, apiBase: proxyBase });
  });

  it('createCustomer: accepted by the spec, sends name/email/metadata.internal_id and the Idempotency-Key', async () => {
    const created = await stripe.catalogs.customer.create({ name: 'Ada Lovelace', email: 'Ada@Example.com' }, 42, { idempotencyKey: 'cs-create-42-1' });
    // stripe-mock mints an id and reflects name/email; it does not echo metadata, so internalId is not asserted here.
    expect(created).toMatchObject({ externalId: expect.stringMatching(/^cus_/), deleted: false, name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(Number.isInteger(created.createdTs) && created.createdTs > 0).toBe(true);

    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'POST', path: '/v1/customers', status: 200 });
    expect(req.headers['idempotency-key']).toBe('cs-create-42-1');
    expect(req.headers['authorization']).toBe('Bearer sk_test_123');
    expect(req.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req.headers['stripe-version']).toEqual(expect.any(String));
    expect(sortedKeys(req.body)).toEqual(['email', 'metadata[internal_id]', 'name']);
    expect(req.body.get('metadata[internal_id]')).toBe('42');
    expect(req.body.get('email')).toBe('Ada@Example.com');
  });

  it('updateCustomer: accepted by the spec, sends only name/email and the Idempotency-Key', async () => {
    const updated = await stripe.catalogs.customer.update('cus_contract1', { name: 'Grace Hopper', email: 'grace@example.com' }, { idempotencyKey: 'cs-update-7' });
    // Reflected by stripe-mock: the path id and the scalar params (not stored anywhere).
    expect(updated).toMatchObject({ externalId: 'cus_contract1', deleted: false, name: 'Grace Hopper', email: 'grace@example.com' });

    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'POST', path: '/v1/customers/cus_contract1', status: 200 });
    expect(req.headers['idempotency-key']).toBe('cs-update-7');
    expect(sortedKeys(req.body)).toEqual(['email', 'name']);
  });

  const address = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: 'LS1 4AP', country: 'GB' };

  it('createCustomer with phone and address: accepted by the spec, sent as phone and address[...] (empty parts as "")', async () => {
    await stripe.catalogs.customer.create({ name: 'Ada', email: 'ada@example.com', phone: '+44 20 7946 0000', address }, 42, { idempotencyKey: 'cs-create-42-2' });
    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'POST', path: '/v1/customers', status: 200 });
    expect(sortedKeys(req.body)).toEqual(
      ['address[city]', 'address[country]', 'address[line1]', 'address[line2]', 'address[postal_code]', 'address[state]', 'email', 'metadata[internal_id]', 'name', 'phone'].sort(),
    );
    expect(req.body.get('phone')).toBe('+44 20 7946 0000');
    expect(req.body.get('address[line1]')).toBe('1 Main St');
    expect(req.body.get('address[line2]')).toBe('');
    expect(req.body.get('address[country]')).toBe('GB');
  });

  it('createCustomer without phone and address: sends neither (nothing to clear)', async () => {
    await stripe.catalogs.customer.create({ name: 'Ada', email: 'ada@example.com', phone: null, address: null }, 42, { idempotencyKey: 'cs-create-42-3' });
    expect(sortedKeys(onlyRequest().body)).toEqual(['email', 'metadata[internal_id]', 'name']);
  });

  it('updateCustomer with phone and address: accepted by the spec', async () => {
    await stripe.catalogs.customer.update('cus_contract1', { name: 'Ada', email: 'ada@example.com', phone: '555 0100', address }, { idempotencyKey: 'cs-update-8' });
    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'POST', path: '/v1/customers/cus_contract1', status: 200 });
    expect(req.body.get('phone')).toBe('555 0100');
    expect(req.body.get('address[postal_code]')).toBe('LS1 4AP');
  });

  it('updateCustomer clearing phone and address: sends phone= and address= (Stripe clears a field sent empty), accepted by the spec', async () => {
    await stripe.catalogs.customer.update('cus_contract1', { name: 'Ada', email: 'ada@example.com', phone: null, address: null }, { idempotencyKey: 'cs-update-9' });
    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'POST', path: '/v1/customers/cus_contract1', status: 200 });
    expect(sortedKeys(req.body)).toEqual(['address', 'email', 'name', 'phone']);
    expect(req.body.get('phone')).toBe('');
    expect(req.body.get('address')).toBe('');
  });

  it('deleteCustomer: accepted by the spec, sends the Idempotency-Key', async () => {
    await expect(stripe.catalogs.customer.delete('cus_contract1', { idempotencyKey: 'cs-delete-7' })).resolves.toBeUndefined();

    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'DELETE', path: '/v1/customers/cus_contract1', status: 200 });
    expect(req.headers['idempotency-key']).toBe('cs-delete-7');
    expect(sortedKeys(req.query)).toEqual([]);
    expect(sortedKeys(req.body)).toEqual([]);
  });

  it("getCustomer: maps the fixture customer (Stripe's nulls become empty strings)", async () => {
    const got = await stripe.catalogs.customer.get('cus_contract2');
    // The fixture customer has name/email null and no metadata.
    expect(got).toEqual({ externalId: 'cus_contract2', internalId: null, deleted: false, name: '', email: '', phone: null, address: null, createdTs: expect.any(Number) });
    expect(got!.createdTs).toBeGreaterThan(0);

    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'GET', path: '/v1/customers/cus_contract2', status: 200 });
    expect(req.headers['idempotency-key']).toBeUndefined();
  });

  it('findByInternalId: the search query and limit are accepted by the spec', async () => {
    // The search fixture is a customer without metadata.internal_id, so nothing matches: null.
    await expect(stripe.catalogs.customer.findByInternalId(42)).resolves.toBeNull();

    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'GET', path: '/v1/customers/search', status: 200 });
    expect(sortedKeys(req.query)).toEqual(['limit', 'query']);
    expect(req.query.get('query')).toBe("metadata['internal_id']:'42'");
    expect(req.query.get('limit')).toBe('10');
  });

  it('listCustomers without a cursor: maps the page', async () => {
    const page = await stripe.catalogs.customer.list(null, 50);
    expect(page.items.length).toBeGreaterThan(0);
    for (const item of page.items) expect(item).toMatchObject({ externalId: expect.stringMatching(/^cus_/), deleted: false });
    expect(page.nextCursor).toBeNull(); // the fixture list has has_more: false

    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'GET', path: '/v1/customers', status: 200 });
    expect(sortedKeys(req.query)).toEqual(['limit']);
    expect(req.query.get('limit')).toBe('50');
  });

  it('listCustomers with a cursor: starting_after is accepted by the spec', async () => {
    const page = await stripe.catalogs.customer.list('cus_previouspage', 50);
    expect(page.items.every((c) => c.externalId.startsWith('cus_'))).toBe(true);

    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'GET', path: '/v1/customers', status: 200 });
    expect(sortedKeys(req.query)).toEqual(['limit', 'starting_after']);
    expect(req.query.get('starting_after')).toBe('cus_previouspage');
  });

  it('ping: succeeds with a one-item list', async () => {
    await expect(stripe.ping()).resolves.toBeUndefined();
    const req = onlyRequest();
    expect(req).toMatchObject({ method: 'GET', path: '/v1/customers', status: 200 });
    expect(req.query.get('limit')).toBe('1');
  });

  it('works without the proxy too (apiBase straight at stripe-mock)', async () => {
    const direct = new StripeIntegration({ ...CONFIG, apiBase: `http://127.0.0.1:${mockPort}` });
    await expect(direct.ping()).resolves.toBeUndefined();
  });
});

describe('stripe-mock contract: invoices, as the adapter sends them', () => {
  let stripe: StripeIntegration;
  beforeAll(() => {
    stripe = new StripeIntegration({ ...CONFIG, apiBase: proxyBase });
  });
  afterEach(() => {
    rewrite = undefined;
  });

  const lines = [
    { description: 'Seats', quantity: 3, unit_amount: 1250 },
    { description: 'Support', quantity: 1, unit_amount: 0 },
  ];
  /** Every request the call made, in order, as "METHOD path" (ids as stripe-mock minted or we named them). */
  const calls = () => recorded.map((r) => `${r.method} ${r.path}`);
  const allAccepted = () => {
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.filter((r) => r.status !== 200).map((r) => `${r.method} ${r.path} → ${r.status}`)).toEqual([]);
  };
  const keysOf = () => recorded.map((r) => r.headers['idempotency-key'] ?? null);

  it('create: the invoice (auto_advance off, our id, no pending items swept in), one item per line on it, each with its own key', async () => {
    const created = await stripe.catalogs.invoice.create({ customer: 'cus_contract1', currency: 'eur', collection_method: 'send_invoice', due_date: '2099-01-31', description: 'March', lines }, 42, { idempotencyKey: 'cs-invoice-42' });
    allAccepted();
    expect(created).toMatchObject({ externalId: expect.stringMatching(/^in_/), deleted: false });
    const id = created.externalId;
    expect(calls()).toEqual(['POST /v1/invoices', 'POST /v1/invoiceitems', 'POST /v1/invoiceitems', `GET /v1/invoices/${id}`]);
    expect(keysOf()).toEqual(['cs-invoice-42:invoice', 'cs-invoice-42:line:0', 'cs-invoice-42:line:1', null]);
    const [invoice, first, second] = recorded;
    expect(sortedKeys(invoice!.body)).toEqual(['auto_advance', 'collection_method', 'currency', 'customer', 'description', 'due_date', 'metadata[internal_invoice_id]', 'pending_invoice_items_behavior']);
    expect(Object.fromEntries(invoice!.body)).toEqual({
      customer: 'cus_contract1',
      currency: 'eur',
      auto_advance: 'false',
      collection_method: 'send_invoice',
      due_date: String(Date.parse('2099-01-31T23:59:59Z') / 1000),
      description: 'March',
      'metadata[internal_invoice_id]': '42',
      pending_invoice_items_behavior: 'exclude',
    });
    expect(Object.fromEntries(first!.body)).toEqual({ customer: 'cus_contract1', invoice: id, currency: 'eur', description: 'Seats', quantity: '3', unit_amount_decimal: '1250' });
    expect(Object.fromEntries(second!.body)).toMatchObject({ description: 'Support', quantity: '1', unit_amount_decimal: '0' });
  });

  it('create charged automatically, straight to open: no due date or description sent, then finalize with auto_advance off', async () => {
    const created = await stripe.catalogs.invoice.create({ customer: 'cus_contract1', currency: 'usd', collection_method: 'charge_automatically', due_date: null, description: null, lines: lines.slice(0, 1), status: 'open' }, 7, { idempotencyKey: 'k7' });
    allAccepted();
    const id = created.externalId;
    expect(calls()).toEqual(['POST /v1/invoices', 'POST /v1/invoiceitems', `POST /v1/invoices/${id}/finalize`, `GET /v1/invoices/${id}`]);
    expect(sortedKeys(recorded[0]!.body)).toEqual(['auto_advance', 'collection_method', 'currency', 'customer', 'metadata[internal_invoice_id]', 'pending_invoice_items_behavior']);
    expect(recorded[2]!.headers['idempotency-key']).toBe('k7:finalize');
    expect(Object.fromEntries(recorded[2]!.body)).toEqual({ auto_advance: 'false' });
  });

  it("update of a draft: its fields, its items listed, deleted and ours added (keys naming the items found), then finalize", async () => {
    // stripe-mock's invoice is a draft with one item (ii_…) that differs from ours.
    await stripe.catalogs.invoice.update('in_contract1', { collection_method: 'send_invoice', due_date: '2099-02-01', description: 'April', lines, status: 'open' }, { idempotencyKey: 'k8' });
    allAccepted();
    const item = recorded.find((r) => r.method === 'DELETE')!.path.split('/').at(-1)!;
    expect(calls()).toEqual([
      'GET /v1/invoices/in_contract1',
      'POST /v1/invoices/in_contract1',
      'GET /v1/invoiceitems',
      `DELETE /v1/invoiceitems/${item}`,
      'POST /v1/invoiceitems',
      'POST /v1/invoiceitems',
      'GET /v1/invoices/in_contract1',
      'POST /v1/invoices/in_contract1/finalize',
      'GET /v1/invoices/in_contract1',
    ]);
    expect(Object.fromEntries(recorded[1]!.body)).toEqual({ collection_method: 'send_invoice', due_date: String(Date.parse('2099-02-01T23:59:59Z') / 1000), description: 'April' });
    expect(Object.fromEntries(recorded[2]!.query)).toEqual({ invoice: 'in_contract1', limit: '100' });
    const keys = keysOf();
    expect(keys[1]).toBe('k8:invoice');
    expect(keys[3]).toBe(`k8:del:${item}`);
    expect(keys[4]).toMatch(/^k8:[0-9a-f]{12}:line:0$/);
    expect(keys[5]).toMatch(/^k8:[0-9a-f]{12}:line:1$/);
    expect(keys[7]).toBe('k8:finalize');
  });

  it.each([
    ['void', 'void'],
    ['uncollectible', 'mark_uncollectible'],
  ] as const)('update to %s: finalize first (the invoice there is a draft), then %s, each with its key', async (status, step) => {
    await stripe.catalogs.invoice.update('in_contract1', { status }, { idempotencyKey: 'k9' });
    allAccepted();
    expect(calls()).toEqual(['GET /v1/invoices/in_contract1', 'GET /v1/invoices/in_contract1', 'POST /v1/invoices/in_contract1/finalize', `POST /v1/invoices/in_contract1/${step}`, 'GET /v1/invoices/in_contract1']);
    expect(keysOf().slice(2, 4)).toEqual(['k9:finalize', `k9:${step}`]);
    expect(sortedKeys(recorded[3]!.body)).toEqual([]);
  });

  it('delete of a draft: DELETE with the key', async () => {
    await expect(stripe.catalogs.invoice.delete('in_contract1', { idempotencyKey: 'k10' })).resolves.toBeUndefined();
    allAccepted();
    expect(calls()).toEqual(['DELETE /v1/invoices/in_contract1']);
    expect(keysOf()).toEqual(['k10']);
  });

  it('get of an invoice with more lines than Stripe embeds: the rest read from its lines list', async () => {
    // stripe-mock never says there are more lines; the proxy says so, as Stripe does past 10.
    rewrite = (req, body) => (req.method === 'GET' && /^\/v1\/invoices\/[^/]+$/.test(req.path) ? { ...body, lines: { ...(body.lines as object), has_more: true } } : body);
    const got = await stripe.catalogs.invoice.get('in_contract1');
    allAccepted();
    expect(calls()).toEqual(['GET /v1/invoices/in_contract1', 'GET /v1/invoices/in_contract1/lines']);
    expect(Object.fromEntries(recorded[1]!.query)).toEqual({ limit: '100' });
    expect(got!.lines.length).toBeGreaterThan(0);
  });

  it('list, with and without a cursor, and the lookup of ours within a customer', async () => {
    const page = await stripe.catalogs.invoice.list(null, 50);
    await stripe.catalogs.invoice.list('in_previouspage', 50);
    await expect(stripe.catalogs.invoice.findByInternalId(42, { parent: 'cus_contract1' })).resolves.toBeNull();
    allAccepted();
    expect(page.items.every((i) => i.externalId.startsWith('in_'))).toBe(true);
    expect(recorded.map((r) => `${r.method} ${r.path}?${r.query.toString()}`)).toEqual([
      'GET /v1/invoices?limit=50',
      'GET /v1/invoices?limit=50&starting_after=in_previouspage',
      'GET /v1/invoices?limit=100&customer=cus_contract1',
    ]);
  });
});

describe('stripe-mock contract: the check can fail', () => {
  // The same client factory the integration uses, so the same host/port/version settings.
  let raw: Stripe;
  let stripe: StripeIntegration;
  beforeAll(() => {
    raw = createStripeClient({ ...CONFIG, apiBase: proxyBase });
    stripe = new StripeIntegration({ ...CONFIG, apiBase: proxyBase });
  });

  it.each([
    ['an unknown create parameter', () => raw.customers.create({ name: 'Ada', email: 'ada@example.com', nickname: 'ada' } as Stripe.CustomerCreateParams)],
    ['an unknown list parameter', () => raw.customers.list({ limit: 1, starting_afterr: 'cus_x' } as Stripe.CustomerListParams)],
    ['an address that is text but not the empty string', () => raw.customers.update('cus_x', { address: 'Leeds' as '' })],
    ['a search without its required query', () => raw.customers.search({ limit: 10 } as Stripe.CustomerSearchParams)],
    ['an invoice collection method Stripe does not have', () => raw.invoices.create({ customer: 'cus_x', collection_method: 'cheque' as 'send_invoice' })],
    ['an unknown invoice item parameter', () => raw.invoiceItems.create({ customer: 'cus_x', invoice: 'in_x', unit_price: 100 } as unknown as Stripe.InvoiceItemCreateParams)],
  ])('rejects %s with a 400 invalid_request_error, classified as permanent', async (_what, call) => {
    const err: unknown = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const invalid = err as Stripe.errors.StripeInvalidRequestError;
    expect(invalid.statusCode).toBe(400);
    expect(invalid.rawType).toBe('invalid_request_error');
    expect(invalid.message).toMatch(/^Request validation error: /);
    expect(onlyRequest().status).toBe(400);

    expect(stripe.classifyError(err)).toMatchObject({ retryable: false, status: 400, message: invalid.message });
  });
});
