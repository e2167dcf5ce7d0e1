import { paginate, type Page, type PageRequest } from '../stripe/pagination';

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  /** Decremented as deliveries finish, as on Stripe; the signed payload keeps the initial value. */
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface EventRecord {
  readonly seq: number;
  readonly created: number;
  readonly event: StripeEvent;
}

/** Stripe's `type` filter allows one trailing wildcard segment, e.g. `customer.*`. */
export function typeMatcher(types: readonly string[]): (type: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const t of types) {
    if (t.endsWith('*')) prefixes.push(t.slice(0, -1));
    else exact.add(t);
  }
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}

export class EventStore {
  private readonly byId = new Map<string, EventRecord>();
  private ordered: EventRecord[] = [];

  get count(): number {
    return this.ordered.length;
  }

  append(event: StripeEvent): EventRecord {
    const record: EventRecord = { seq: this.ordered.length, created: event.created, event };
    this.ordered.push(record);
    this.byId.set(event.id, record);
    return record;
  }

  get(id: string): EventRecord | undefined {
    return this.byId.get(id);
  }

  list(page: PageRequest, types?: readonly string[]): Page<EventRecord> {
    if (types === undefined || types.length === 0) return paginate(this.ordered, page, () => true);
    const matches = typeMatcher(types);
    return paginate(this.ordered, page, (r) => matches(r.event.type));
  }

  clear(): void {
    this.byId.clear();
    this.ordered = [];
  }
}
