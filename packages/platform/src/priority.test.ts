import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { autogroupOf, threadNices } from '../../../test/support/process';
import { niceEnv } from './priority';

describe('niceEnv', () => {
  it('accepts nice values from -20 to 19 and refuses anything else', () => {
    expect(niceEnv(10).parse(undefined)).toBe(10);
    expect(niceEnv(10).parse('0')).toBe(0);
    expect(niceEnv(10).safeParse('20').success).toBe(false);
    expect(niceEnv(10).safeParse('low').success).toBe(false);
  });
});

interface ChildReport {
  applied: { threads: number; autogroup: boolean };
  /** The nice value of each of the child's threads after applyNice, read while it still runs. */
  threadNice: number[];
  autogroup: string;
}

/**
 * applyNice in a fresh Node process (it changes the priority of the process it runs in for good),
 * loading this source file as it is (Node strips the types), detached = in a session of its own.
 * The child says what applyNice returned and waits; its threads are read from here, then it is killed.
 */
function applyNiceInChild(nice: number, detached: boolean): Promise<ChildReport> {
  const source = path.join(__dirname, 'priority.ts');
  const script = `
    import { applyNice } from ${JSON.stringify(source)};
    const applied = applyNice(${nice}, { warn: (o, m) => { throw new Error(m); } });
    process.stdout.write(JSON.stringify(applied) + '\\n');
    setInterval(() => {}, 1000);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { detached, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!out.endsWith('\n')) return;
      try {
        const pid = child.pid!;
        resolve({ applied: JSON.parse(out) as ChildReport['applied'], threadNice: threadNices(pid), autogroup: withAutogroup ? autogroupOf(pid) : '' });
      } catch (e) {
        reject(e as Error);
      } finally {
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code ?? signal}: ${err}`));
    });
  });
}

const ownAutogroup = () => autogroupOf(process.pid);
const linux = existsSync('/proc/self/task');
const withAutogroup = existsSync('/proc/self/autogroup');

// A broken applyNice could nice this test's own session (the shell that runs it): put it back.
let sessionNice: string | undefined;
beforeEach(() => {
  sessionNice = withAutogroup ? ownAutogroup().split(' nice ')[1] : undefined;
});
afterEach(() => {
  if (sessionNice !== undefined && ownAutogroup().split(' nice ')[1] !== sessionNice) writeFileSync('/proc/self/autogroup', sessionNice);
});

describe('applyNice', () => {
  (linux ? it : it.skip)('sets every thread of the process (V8 and libuv threads too), not only the calling one', async () => {
    const report = await applyNiceInChild(7, false);
    expect(report.threadNice.length).toBeGreaterThan(1);
    expect(report.threadNice.every((n) => n === 7)).toBe(true);
    expect(report.applied.threads).toBe(report.threadNice.length);
  });

  (withAutogroup ? it : it.skip)('leaves the session group alone in a process that does not lead its session', async () => {
    const before = ownAutogroup();
    const report = await applyNiceInChild(7, false);
    expect(report.applied.autogroup).toBe(false);
    // The child shares this test's session, so its group is this one's: untouched.
    expect(report.autogroup).toBe(before);
    expect(ownAutogroup()).toBe(before);
  });

  (withAutogroup ? it : it.skip)('sets the session group too in a process that leads its session (as a service manager starts it)', async () => {
    const before = ownAutogroup();
    const report = await applyNiceInChild(7, true);
    expect(report.applied.autogroup).toBe(true);
    expect(report.autogroup).toMatch(/nice 7$/);
    expect(report.autogroup).not.toBe(before);
    expect(ownAutogroup()).toBe(before);
  });
});
