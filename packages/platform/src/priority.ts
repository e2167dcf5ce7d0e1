import { setPriority, getPriority } from 'node:os';
import { z } from 'zod';
import type { Logger } from './logger';

/** A process's CPU priority (Unix nice, -20 … 19; higher yields more), for processes that share a machine. */
export const niceEnv = (fallback: number) => z.coerce.number().int().min(-20).max(19).default(fallback);

/**
 * Sets this process's nice value. Only lowering the priority (a higher value) is allowed without
 * privileges: a refusal is logged and the process goes on at the priority it has.
 */
export function applyNice(nice: number, logger: Logger): void {
  if (getPriority() === nice) return;
  try {
    setPriority(nice);
  } catch (err) {
    logger.warn({ err, nice, current: getPriority() }, 'could not set the process priority; running at the current one');
  }
}
