import { readdirSync, readFileSync } from 'node:fs';

/**
 * How long a thread has waited for a core so far: runnable, not running (the second field of
 * /proc/<pid>/task/<tid>/schedstat, in ns; Linux with schedstats or sched_info). On a machine the
 * benchmark fills, a request's latency is mostly this wait of the process that answers it, not
 * its own CPU time: it says whether a tail comes from the code or from the cores it shares.
 * Undefined when the thread is gone or the kernel keeps no such counter.
 */
export function runQueueWaitMs(pid: number, tid = pid): number | undefined {
  try {
    const waitedNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(waitedNs) ? waitedNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The same summed over every thread of a process (the broker's network, request and log threads):
 * threads that ended between two readings take their share with them, so use it on a process whose
 * threads live as long as it does.
 */
export function processRunQueueWaitMs(pid: number): number | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let total = 0;
  for (const tid of tids) total += runQueueWaitMs(pid, Number(tid)) ?? 0;
  return total;
}

/** The wait between two readings (undefined if either is). */
export const waitBetween = (before: number | undefined, after: number | undefined) => (before === undefined || after === undefined ? undefined : after - before);
