import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority, getPriority } from 'node:os';
import { z } from 'zod';
import type { Logger } from './logger';

/** A process's CPU priority (Unix nice, -20 … 19; higher yields more), for processes that share a machine. */
export const niceEnv = (fallback: number) => z.coerce.number().int().min(-20).max(19).default(fallback);

/** Where the nice value went: every thread of the process, and its session's scheduling group when it leads one. */
export interface NiceApplied {
  threads: number;
  autogroup: boolean;
}

/**
 * Sets this process's nice value. Only lowering the priority (a higher value) is allowed without
 * privileges: a refusal is logged and the process goes on at the priority it has.
 *
 * Two Linux details make a plain setpriority(0) not enough:
 * - the nice value belongs to each thread, and setpriority(PRIO_PROCESS, 0) sets the calling
 *   thread's only: V8's GC and compiler threads and libuv's pool, started before this runs, would
 *   stay at 0. So every thread in /proc/self/task is set (threads started later inherit it).
 * - with autogroup (sched_autogroup_enabled, the default of most distributions) the scheduler
 *   first shares the CPU between sessions, and nice only orders threads inside one: a worker
 *   started in a session of its own (a service manager, `make dev`, the benches) would compete
 *   with the gateway at full weight whatever its nice. A process that leads its session sets the
 *   session group's nice too (/proc/self/autogroup). One that does not lead it leaves the group
 *   alone: that nice would slow every process of the session (a shell, the other services).
 */
export function applyNice(nice: number, logger: Logger): NiceApplied {
  const applied: NiceApplied = { threads: 0, autogroup: false };
  try {
    for (const tid of threadIds()) if (setThreadNice(tid, nice)) applied.threads++;
    if (leadsSession() && existsSync('/proc/self/autogroup')) {
      writeFileSync('/proc/self/autogroup', String(nice));
      applied.autogroup = true;
    }
  } catch (err) {
    logger.warn({ err, nice, current: getPriority() }, 'could not set the process priority; running at the current one');
  }
  return applied;
}

/** This process's threads (Linux), or just the calling one (0) where /proc has no task list. */
function threadIds(): number[] {
  return existsSync('/proc/self/task') ? readdirSync('/proc/self/task').map(Number) : [0];
}

/** False when the thread ended between the listing and the call; any other refusal throws. */
function setThreadNice(tid: number, nice: number): boolean {
  try {
    if (getPriority(tid) !== nice) setPriority(tid, nice);
    return true;
  } catch (err) {
    if ((err as { info?: { code?: string } }).info?.code === 'ESRCH') return false;
    throw err;
  }
}

/** Whether this process's session id (the 6th field of /proc/self/stat) is its own pid. */
function leadsSession(): boolean {
  if (!existsSync('/proc/self/stat')) return false;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[3]) === process.pid;
}
