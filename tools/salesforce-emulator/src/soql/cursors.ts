import { randomBytes } from 'node:crypto';

interface Cursor {
  rows: Record<string, unknown>[];
  batchSize: number;
}

const MAX_OPEN_CURSORS = 200;

/** Open query locators ("01g…-2000"): the remaining pages of a result, served by GET query/{locator}. */
export class QueryCursors {
  private readonly open = new Map<string, Cursor>();

  /** Stores a result and returns its locator id; the oldest cursor goes when too many are open. */
  create(rows: Record<string, unknown>[], batchSize: number): string {
    const id = `01g8d${randomBytes(5).toString('hex').toUpperCase()}`;
    this.open.set(id, { rows, batchSize });
    if (this.open.size > MAX_OPEN_CURSORS) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    return id;
  }

  get(id: string): Cursor | undefined {
    return this.open.get(id);
  }

  clear(): void {
    this.open.clear();
  }
}
