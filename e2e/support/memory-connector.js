// A connector from outside the build, loaded by the apps through configuration alone
// (SYNC_CONNECTOR_MODULES=e2e/support/memory-connector.js, SYNC_SYSTEMS=stripe,memory): it keeps
// customers as the records of the test's in-memory system (memory-system.ts), reached over HTTP,
// and reads its changes from a change feed with an opaque cursor. Nothing under apps/ knows it.
'use strict';

class MemoryError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function toExternal(r) {
  return { externalId: r.id, internalId: r.internalId, name: r.name, email: String(r.email).toLowerCase(), phone: r.phone ?? null, address: r.address ?? null, deleted: r.deleted, createdTs: r.createdTs };
}

/** HTTP to the in-memory system, its errors as MemoryError. */
class MemoryApi {
  constructor(baseUrl) {
    this.base = baseUrl.replace(/\/$/, '');
  }

  async call(method, path, body) {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new MemoryError(res.status, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}

/** Our customers as the system's records: the customer catalog's adapter. */
class MemoryRecords {
  constructor(api) {
    this.objectType = 'record';
    this.api = api;
  }

  call(method, path, body) {
    return this.api.call(method, path, body);
  }

  async create(fields, internalId, opts) {
    return toExternal(await this.call('POST', '/records', { name: fields.name, email: fields.email, phone: fields.phone ?? null, address: fields.address ?? null, internalId, idempotencyKey: opts.idempotencyKey }));
  }

  async update(externalId, fields, opts) {
    return toExternal(await this.call('PATCH', `/records/${externalId}`, { name: fields.name, email: fields.email, phone: fields.phone ?? null, address: fields.address ?? null, idempotencyKey: opts.idempotencyKey }));
  }

  async delete(externalId, opts) {
    try {
      await this.call('DELETE', `/records/${externalId}`, { idempotencyKey: opts.idempotencyKey });
    } catch (err) {
      if (!(err instanceof MemoryError && err.status === 404)) throw err;
    }
  }

  async get(externalId) {
    try {
      return toExternal(await this.call('GET', `/records/${externalId}`));
    } catch (err) {
      if (err instanceof MemoryError && err.status === 404) return null;
      throw err;
    }
  }

  async findByInternalId(internalId) {
    const found = await this.call('GET', `/records?internalId=${internalId}`);
    return found.length ? toExternal(found[0]) : null;
  }

  async list(cursor, limit) {
    const page = await this.call('GET', `/records?limit=${limit}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`);
    const items = page.records.map(toExternal);
    return { items, nextCursor: page.hasMore && items.length ? items[items.length - 1].externalId : null };
  }
}

class MemoryIntegration {
  constructor(baseUrl) {
    this.system = 'memory';
    this.api = new MemoryApi(baseUrl);
    this.catalogs = { customer: new MemoryRecords(this.api) };
    this.feed = {
      poll: async (cursor) => {
        const page = await this.call('GET', `/changes${cursor === null ? '' : `?after=${encodeURIComponent(cursor)}`}`);
        return {
          changes: page.changes.map((c) => ({
            action: c.kind === 'deleted' ? 'delete' : 'upsert',
            kind: c.kind,
            entityType: 'customer',
            objectType: 'record',
            externalId: c.recordId,
            eventId: c.id,
            eventType: `record.${c.kind}`,
            sourceTs: c.ts,
            customer: toExternal(c.record),
          })),
          cursor: String(page.head),
        };
      },
    };
  }

  call(method, path, body) {
    return this.api.call(method, path, body);
  }

  toNeutralChange() {
    return null; // it sends no events of its own shape: its feed gives neutral changes
  }

  classifyError(err) {
    const status = err instanceof MemoryError ? err.status : undefined;
    if (status === 404) return { retryable: false, code: 'not_found', message: err.message, status };
    const retryable = status === undefined || status >= 500;
    return { retryable, code: retryable ? 'network_error' : 'memory_rejected', message: err instanceof Error ? err.message : String(err), ...(status ? { status } : {}) };
  }

  async ping() {
    await this.call('GET', '/health');
  }
}

module.exports = ({ z, defineConnector }) =>
  defineConnector({
    system: 'memory',
    okText: 'reachable',
    env: z.object({ MEMORY_SYSTEM_URL: z.url({ protocol: /^https?$/ }) }),
    connect: (env) => new MemoryIntegration(env.MEMORY_SYSTEM_URL),
    limits: () => ({ writesPerSec: 1000, readsPerSec: 1000 }),
  });
