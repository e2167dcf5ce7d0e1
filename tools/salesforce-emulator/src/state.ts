import { AccountFields } from './accounts/fields';
import { AccountService } from './accounts/service';
import { AccountStore } from './accounts/store';
import { SessionStore } from './auth/sessions';
import { EventBus } from './cdc/bus';
import { ChangeEventSchema } from './cdc/schema';
import { MonotonicClock, type Clock } from './clock';
import { DEFAULT_FAULTS, Faults, mergeFaults } from './faults/settings';
import { IdGenerator } from './ids';
import type { ResolvedOptions } from './options';
import { QueryCursors } from './soql/cursors';
import { Quota, Stats } from './stats';

export interface StatsSnapshot {
  requests: { total: number; by_route: Record<string, number> };
  api_usage: { used: number; max: number };
  writes: number;
  ui_writes: number;
  errors_injected: number;
  rejected_for_quota: number;
  accounts: { live: number; deleted: number };
  events: number;
  sessions: number;
}

/** Everything the emulator holds in memory, wired together once. */
export class EmulatorState {
  readonly clock: Clock;
  readonly options: ResolvedOptions;
  readonly fields: AccountFields;
  readonly store: AccountStore;
  readonly accounts: AccountService;
  readonly schema: ChangeEventSchema;
  readonly bus: EventBus;
  readonly sessions: SessionStore;
  readonly faults: Faults;
  readonly quota: Quota;
  readonly stats = new Stats();
  readonly cursors = new QueryCursors();
  private readonly modstamps: MonotonicClock;
  private readonly accountIds = new IdGenerator('001');
  /** Set once the HTTP server listens: the instance_url handed out with tokens. */
  instanceUrl = '';
  /** Start of the deleted-records window (earliestDateAvailable), floored to the minute. */
  readonly startedAt: number;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.clock = options.clock;
    this.modstamps = new MonotonicClock(options.clock);
    this.startedAt = Math.floor(options.clock() / 60_000) * 60_000;
    this.fields = new AccountFields({ externalIdField: options.externalIdField, emailField: options.emailField, stateCountryPicklists: options.stateCountryPicklists });
    this.store = new AccountStore(options.externalIdField);
    this.schema = new ChangeEventSchema(this.fields);
    this.bus = new EventBus(this.schema, options.clock, options.retentionMs);
    this.sessions = new SessionStore(options.clock, options.tokenTtlSeconds * 1000);
    this.faults = new Faults(mergeFaults(DEFAULT_FAULTS, options.faults));
    this.quota = new Quota(options.dailyQuota);
    this.accounts = new AccountService(
      this.store,
      this.fields,
      this.modstamps,
      this.accountIds,
      (tx) => this.bus.publish(tx),
      (via, n) => {
        if (via === 'api') this.stats.writes += n;
        else this.stats.uiWrites += n;
      },
    );
  }

  snapshotStats(): StatsSnapshot {
    return {
      requests: { total: this.stats.total, by_route: this.stats.routes() },
      api_usage: { used: this.quota.used, max: this.quota.max },
      writes: this.stats.writes,
      ui_writes: this.stats.uiWrites,
      errors_injected: this.stats.errorsInjected,
      rejected_for_quota: this.stats.rejectedForQuota,
      accounts: { live: this.store.liveCount, deleted: this.store.size - this.store.liveCount },
      events: this.bus.all().length,
      sessions: this.sessions.active,
    };
  }

  /**
   * Drops accounts, events, cursors, stats and quota usage; keeps sessions so clients stay logged
   * in. Account ids and replay ids keep increasing, so nothing a client stored is ever reused.
   */
  reset(request: { faults?: boolean; sessions?: boolean } = {}): void {
    this.store.clear();
    this.bus.clear();
    this.cursors.clear();
    this.stats.reset();
    this.quota.used = 0;
    this.quota.max = this.options.dailyQuota;
    this.accounts.trigger = null;
    this.modstamps.reset();
    if (request.faults === true) this.faults.restoreInitial();
    if (request.sessions === true) this.sessions.expireAll();
  }
}
