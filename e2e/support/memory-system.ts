/**
 * A third external system for the connector test, in this test process: records (a name, an
 * email, our id), a change log read through a cursor, and idempotency keys, over HTTP. Its
 * connector (memory-connector.js) is loaded by the apps from configuration alone.
 */
import http from 'node:http';

export interface MemoryRecord {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  address: Record<string, string | null> | null;
  internalId: number | null;
  deleted: boolean;
  createdTs: number;
}

interface Change {
  seq: number;
  id: string;
  kind: 'created' | 'updated' | 'deleted';
  recordId: string;
  ts: number;
  record: MemoryRecord;
}

/** A phone and an address as the connector sends them (absent: none). */
function contact(body: Record<string, unknown>): Pick<MemoryRecord, 'phone' | 'address'> {
  return { phone: typeof body.phone === 'string' ? body.phone : null, address: (body.address as MemoryRecord['address']) ?? null };
}

export class MemorySystem {
  readonly records = new Map<string, MemoryRecord>();
  private readonly changes: Change[] = [];
  private readonly answers = new Map<string, MemoryRecord>();
  /** Writes made through the API (by the sync), as opposed to a person's edits. */
  apiWrites = 0;
  private server: http.Server | undefined;

  /** A person working in the system: a change the sync did not make. */
  edit = {
    create: (name: string, email: string) => this.create({ name, email, phone: null, address: null, internalId: null }),
    update: (id: string, fields: Partial<Pick<MemoryRecord, 'name' | 'email' | 'phone' | 'address'>>) => this.update(id, fields),
    delete: (id: string) => this.remove(id),
  };

  byInternalId(internalId: number): MemoryRecord | undefined {
    return [...this.records.values()].find((r) => r.internalId === internalId && !r.deleted);
  }

  private now = () => Math.floor(Date.now() / 1000);

  private record(kind: Change['kind'], record: MemoryRecord) {
    const seq = this.changes.length + 1;
    this.changes.push({ seq, id: `chg_${seq}`, kind, recordId: record.id, ts: this.now(), record: { ...record } });
  }

  private create(fields: Pick<MemoryRecord, 'name' | 'email' | 'phone' | 'address' | 'internalId'>): MemoryRecord {
    const record: MemoryRecord = { id: `mem_${this.records.size + 1}`, ...fields, deleted: false, createdTs: this.now() };
    this.records.set(record.id, record);
    this.record('created', record);
    return { ...record };
  }

  private update(id: string, fields: Partial<Pick<MemoryRecord, 'name' | 'email' | 'phone' | 'address'>>): MemoryRecord | undefined {
    const record = this.records.get(id);
    if (!record || record.deleted) return undefined;
    const next = { ...record, ...fields };
    if (JSON.stringify(next) !== JSON.stringify(record)) {
      this.records.set(id, next);
      this.record('updated', next);
    }
    return { ...next };
  }

  private remove(id: string): boolean {
    const record = this.records.get(id);
    if (!record || record.deleted) return false;
    record.deleted = true;
    this.record('deleted', record);
    return true;
  }

  async start(port: number): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://memory');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const parts = url.pathname.split('/').filter(Boolean); // ['records', id?]
    const key = typeof body.idempotencyKey === 'string' ? `${req.method} ${url.pathname} ${body.idempotencyKey}` : undefined;
    if (key && this.answers.has(key)) return send(200, this.answers.get(key));
    const answer = (status: number, record: MemoryRecord) => {
      if (key) this.answers.set(key, record);
      send(status, record);
    };
    if (url.pathname === '/health') return send(200, { ok: true });
    if (url.pathname === '/changes') {
      const head = this.changes.length;
      const after = url.searchParams.get('after');
      const from = after === null ? head : Number(after);
      return send(200, { changes: this.changes.slice(from), head });
    }
    if (parts[0] !== 'records') return send(404, { error: 'no route' });
    const id = parts[1];
    if (req.method === 'POST' && !id) {
      this.apiWrites++;
      return answer(201, this.create({ name: String(body.name), email: String(body.email), ...contact(body), internalId: typeof body.internalId === 'number' ? body.internalId : null }));
    }
    if (req.method === 'GET' && !id) {
      const internalId = url.searchParams.get('internalId');
      if (internalId !== null) {
        const found = this.byInternalId(Number(internalId));
        return send(200, found ? [found] : []);
      }
      const after = url.searchParams.get('after');
      const limit = Number(url.searchParams.get('limit') ?? '100');
      const all = [...this.records.values()];
      const start = after ? all.findIndex((r) => r.id === after) + 1 : 0;
      const page = all.slice(start, start + limit);
      return send(200, { records: page, hasMore: start + limit < all.length });
    }
    const record = id ? this.records.get(id) : undefined;
    if (!record) return send(404, { error: `no record ${id}` });
    if (req.method === 'GET') return send(200, record);
    if (req.method === 'PATCH') {
      this.apiWrites++;
      const updated = this.update(record.id, { ...(typeof body.name === 'string' ? { name: body.name } : {}), ...(typeof body.email === 'string' ? { email: body.email } : {}), ...contact(body) });
      return updated ? answer(200, updated) : send(404, { error: `record ${id} is deleted` });
    }
    if (req.method === 'DELETE') {
      this.apiWrites++;
      this.remove(record.id);
      return answer(200, { ...record });
    }
    return send(405, { error: 'method not allowed' });
  }
}
