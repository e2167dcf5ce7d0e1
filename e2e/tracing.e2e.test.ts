/**
 * Issue "Operations": one trace id per change. The X-Request-Id a client sends with a write
 * becomes the change's trace id: returned by the API, on its access log line, in the Kafka
 * header and envelope, on the outbound worker's log line for that customer, and in sync_events.
 */
import { randomUUID } from 'node:crypto';
import { query, resetDatabase } from '../test/support/db';
import { collect } from '../test/support/kafka';
import { api } from './support/api';
import { isolateTopics, startApp, startEmulator, stop, waitFor, waitReady, type Proc } from './support/stack';

let procs: Proc[] = [];
let apiProc: Proc;
let worker: Proc;
let prefix: string;

beforeAll(async () => {
  await resetDatabase();
  prefix = await isolateTopics('tracing');
  const emu = startEmulator();
  await waitReady('emulator', '/_emulator/health');
  apiProc = startApp('api');
  worker = startApp('outbound-worker', { OUTBOUND_RETRY_BASE_MS: '100' });
  procs = [emu, apiProc, worker];
  await Promise.all([waitReady('api'), waitReady('outbound-worker')]);
});
afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
});

/** The process's JSON log lines (non-JSON lines, e.g. a stack trace on stderr, are skipped). */
function logLines(proc: Proc): Array<Record<string, unknown>> {
  return proc.output.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The worker's line for one message: its eventId is the envelope's id. */
const outboundLine = (eventId: unknown) =>
  waitFor(`the outbound worker's line for message ${String(eventId)}`, async () => logLines(worker).find((l) => l.msg === 'outbound sync' && l.eventId === eventId), 30_000, 200);

describe('a trace id per change', () => {
  it('follows a create and then an update, each with its own X-Request-Id, from the API to the worker log and sync_events', async () => {
    const created = `trace-${randomUUID()}`;
    const updated = `trace-${randomUUID()}`;
    const onKafka = await collect(`${prefix}customer.events`, (m) => m.headers['trace-id'] === created || m.headers['trace-id'] === updated);

    const res = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Traced', email: 'traced@x.io' }, { 'X-Request-Id': created });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe(created);
    const id = res.body.id;
    const [first] = await onKafka.waitFor(1);
    expect(first!.value).toMatchObject({ type: 'customer.created', trace_id: created, payload: { customer_id: id } });
    expect(await outboundLine(first!.value.id)).toMatchObject({ traceId: created, customerId: id, system: 'stripe', status: 'success', action: 'create' });

    expect((await api('PATCH', `/api/v1/customers/${id}`, { name: 'Traced Again' }, { 'X-Request-Id': updated })).status).toBe(200);
    const [, second] = await onKafka.waitFor(2);
    expect(second!.value).toMatchObject({ type: 'customer.updated', trace_id: updated });
    expect(await outboundLine(second!.value.id)).toMatchObject({ traceId: updated, customerId: id, status: 'success', action: 'update' });
    await onKafka.stop();

    // The API's access line for the create carries the same id.
    expect(logLines(apiProc).some((l) => (l.req as { id?: string } | undefined)?.id === created && l.msg === 'request completed')).toBe(true);

    const rows = await query<{ event_type: string; trace_id: string }>(
      `select event_type, trace_id from sync_events where entity_id = $1 and direction = 'outbound' and status = 'success' order by id`,
      [id],
    );
    expect(rows).toEqual([
      { event_type: 'customer.created', trace_id: created },
      { event_type: 'customer.updated', trace_id: updated },
    ]);
  }, 60_000);
});
