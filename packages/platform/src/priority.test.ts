import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
  /** The nice value of each of the child's threads after applyNice, from /proc/self/task/<tid>/stat. */
  threadNice: number[];
  autogroup: string;
}

/**
 * applyNice in a fresh Node process (it changes the priority of the process it runs in for good),
 * loading this source file as it is (Node strips the types), detached = in a session of its own.
 */
function applyNiceInChild(nice: number, detached: boolean): Promise<ChildReport> {
  const source = path.join(__dirname, 'priority.ts');
  const script = `
    import { readdirSync, readFileSync, existsSync } from 'node:fs';
    import { applyNice } from ${JSON.stringify(source)};
    const applied = applyNice(${nice}, { warn: (o, m) => { throw new Error(m); } });
    const threadNice = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
    const autogroup = existsSync('/proc/self/autogroup') ? readFileSync('/proc/self/autogroup', 'utf8').trim() : '';
    process.stdout.write(JSON.stringify({ applied, threadNice, autogroup }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { detached, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildReport) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

const autogroupOf = () => readFileSync('/proc/self/autogroup', 'utf8').trim();
const linux = existsSync('/proc/self/task');
const withAutogroup = existsSync('/proc/self/autogroup');

describe('applyNice', () => {
  (linux ? it : it.skip)('sets every thread of the process (V8 and libuv threads too), not only the calling one', async () => {
    const report = await applyNiceInChild(7, false);
    expect(report.threadNice.length).toBeGreaterThan(1);
    expect(report.threadNice.every((n) => n === 7)).toBe(true);
    expect(report.applied.threads).toBe(report.threadNice.length);
  });

  (withAutogroup ? it : it.skip)('leaves the session group alone in a process that does not lead its session', async () => {
    const before = autogroupOf();
    const report = await applyNiceInChild(7, false);
    expect(report.applied.autogroup).toBe(false);
    // The child shares this test's session, so its group is this one's: untouched.
    expect(report.autogroup).toBe(before);
    expect(autogroupOf()).toBe(before);
  });

  (withAutogroup ? it : it.skip)('sets the session group too in a process that leads its session (as a service manager starts it)', async () => {
    const before = autogroupOf();
    const report = await applyNiceInChild(7, true);
    expect(report.applied.autogroup).toBe(true);
    expect(report.autogroup).toMatch(/nice 7$/);
    expect(report.autogroup).not.toBe(before);
    expect(autogroupOf()).toBe(before);
  });
});
