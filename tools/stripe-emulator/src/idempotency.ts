import type { Clock } from './clock';
import type { Param, ParamMap } from './stripe/form';

/** A response as it went out, so a replay is byte-for-byte the same. */
export interface StoredResponse {
  status: number;
  body: string;
  requestId: string;
}

interface Entry {
  rawFingerprint: string;
  params: ParamMap;
  createdAt: number;
  /** null while the first request with this key is still being handled. */
  response: StoredResponse | null;
}

export type IdempotencyOutcome =
  | { kind: 'new'; claim: IdempotencyClaim }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in_flight' };

export interface IdempotencyClaim {
  /** Remember the response for replays. */
  commit(response: StoredResponse): void;
  /** Forget the key, so a retry runs for real (used for 5xx, like Stripe). */
  release(): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function canonical(value: Param): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k] ?? '')}`).join(',')}}`;
}

/**
 * Idempotency keys, scoped by API key + method + path. Keys live 24 h; the map is in
 * insertion order and every entry has the same TTL, so expiry only ever trims the front.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock, private readonly ttlMs = DAY_MS) {}

  get size(): number {
    return this.entries.size;
  }

  begin(scope: string, key: string, rawFingerprint: string, params: ParamMap): IdempotencyOutcome {
    const now = this.clock();
    this.sweep(now);
    const fullKey = `${scope}\u0000${key}`;
    const existing = this.entries.get(fullKey);
    if (existing !== undefined && now - existing.createdAt < this.ttlMs) {
      if (existing.response === null) return { kind: 'in_flight' };
      // Cheap byte comparison first; fall back to comparing parameters so reordered fields
      // still count as "the same parameters", as on Stripe.
      const same = existing.rawFingerprint === rawFingerprint || canonical(existing.params) === canonical(params);
      return same ? { kind: 'replay', response: existing.response } : { kind: 'mismatch' };
    }
    if (existing !== undefined) this.entries.delete(fullKey);
    const entry: Entry = { rawFingerprint, params, createdAt: now, response: null };
    this.entries.set(fullKey, entry);
    return {
      kind: 'new',
      claim: {
        commit: (response) => {
          entry.response = response;
        },
        release: () => {
          if (this.entries.get(fullKey) === entry) this.entries.delete(fullKey);
        },
      },
    };
  }

  clear(): void {
    this.entries.clear();
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.createdAt < this.ttlMs || entry.response === null) return;
      this.entries.delete(key);
    }
  }
}
