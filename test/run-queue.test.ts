/**
 * bench/lib/run-queue.ts reads how long a thread waited for a core (/proc/<pid>/task/<tid>/schedstat):
 * checked on a process that shares one core with two busy loops, against one that has it alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { processRunQueueWaitMs, runQueueWaitMs, waitBetween } from '../bench/lib/run-queue';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A Node process pinned to CPU 0 that spins (busy) or sleeps (idle). */
function pinned(kind: 'busy' | 'idle'): ChildProcess {
  const code = kind === 'busy' ? 'for (;;) {}' : 'setInterval(() => {}, 1000)';
  const child = spawn('taskset', ['-c', '0', process.execPath, '-e', code], { stdio: 'ignore' });
  children.push(child);
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const schedstat = existsSync(`/proc/${process.pid}/task/${process.pid}/schedstat`);

(schedstat ? describe : describe.skip)('run-queue waits', () => {
  it('counts the time a thread was runnable and not running: a busy loop sharing its core waits, one alone hardly', async () => {
    const alone = pinned('busy');
    await sleep(300);
    const aloneBefore = runQueueWaitMs(alone.pid!);
    await sleep(1000);
    const aloneWaited = waitBetween(aloneBefore, runQueueWaitMs(alone.pid!))!;
    alone.kill('SIGKILL');

    const [shared] = [pinned('busy'), pinned('busy'), pinned('busy')];
    await sleep(300);
    const sharedBefore = runQueueWaitMs(shared!.pid!);
    await sleep(1000);
    const sharedWaited = waitBetween(sharedBefore, runQueueWaitMs(shared!.pid!))!;

    // Three loops on one core: each runs a third of the time at most and waits the rest (~667 ms of
    // the second); other load on the core only adds to it, and adds to the lone loop's wait as well.
    expect(sharedWaited).toBeGreaterThan(400);
    expect(sharedWaited).toBeGreaterThan(aloneWaited);
  });

  it('sums every thread of a process, and says undefined for a process that is gone', async () => {
    const idle = pinned('idle');
    await sleep(300);
    const all = processRunQueueWaitMs(idle.pid!)!;
    expect(all).toBeGreaterThanOrEqual(runQueueWaitMs(idle.pid!)!);
    idle.kill('SIGKILL');
    await new Promise((r) => idle.once('exit', r));
    expect(runQueueWaitMs(idle.pid!)).toBeUndefined();
    expect(processRunQueueWaitMs(idle.pid!)).toBeUndefined();
    expect(waitBetween(undefined, 5)).toBeUndefined();
  });
});
