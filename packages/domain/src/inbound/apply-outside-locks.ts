import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { NeedsCurrentState, type ExternalState, type KnownCurrent } from './types';

/**
 * Runs an apply in its own transaction; when the rules need the record's current state at its
 * source (a same-second tie), the transaction rolls back first, the state is read with no
 * transaction open and no row locked, and the apply runs again with it. An external call inside a
 * transaction holding row locks would hold them for as long as the call takes: every other event
 * of that record, and any API write of that customer, would wait on a remote system.
 */
export async function applyOutsideLocks<T, St = ExternalState>(
  orm: MikroORM,
  fetchCurrent: (externalId: string) => Promise<St | null>,
  work: (tx: EntityManager, current: KnownCurrent<St>) => Promise<T>,
): Promise<T> {
  let current: KnownCurrent<St>;
  for (;;) {
    try {
      return await orm.em.fork().transactional((tx) => work(tx, current));
    } catch (err) {
      if (!(err instanceof NeedsCurrentState) || current !== undefined) throw err;
      current = { state: await fetchCurrent(err.externalId) };
    }
  }
}
