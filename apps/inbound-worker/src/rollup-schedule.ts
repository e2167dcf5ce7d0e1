import { compactRollups, type MikroORM } from '@cs/domain';
import type { Logger } from '@cs/platform';
import { repeat } from './repeat';

/**
 * Folds the analytics and counter deltas the triggers write (migration 20261210) into their rows,
 * every `intervalMs`: readers add what is not folded yet, so this keeps their reads short rather
 * than right. Every instance ticks; one folds at a time (the others skip).
 */
export function startRollups(deps: { orm: MikroORM; logger: Logger }, intervalMs: number) {
  const log = deps.logger.child({ module: 'rollups' });
  const pass = async () => {
    const folded = await compactRollups(deps.orm.em.fork());
    if (folded) log.debug(folded, 'rollup deltas folded');
  };
  return repeat(intervalMs, pass, (err) => log.warn({ err }, 'rollup fold failed; the next one retries'));
}
