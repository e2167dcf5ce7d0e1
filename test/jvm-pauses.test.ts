/**
 * bench/lib/jvm-pauses.ts reads a JVM's GC pause counters from its hsperfdata file, the way jstat
 * does: checked against a real JVM that runs three full collections before it says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jvmPauses, pausesBetween } from '../bench/lib/jvm-pauses';

const SOURCE = `public class Gc {
  public static void main(String[] args) throws Exception {
    for (int i = 0; i < 3; i++) System.gc();
    System.out.println("collected");
    Thread.sleep(120_000);
  }
}
`;

let jvm: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  jvm?.kill('SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function startJvm(sourceDir: string): Promise<ChildProcess> {
  const child = spawn('java', ['-XX:+UseG1GC', '-XX:+UsePerfData', path.join(sourceDir, 'Gc.java')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`java exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('collected') && resolve(child));
  });
}

test('counts the full collections a JVM ran, with their time', async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jvm-pauses-'));
  fs.writeFileSync(path.join(dir, 'Gc.java'), SOURCE);
  jvm = await startJvm(dir);
  const pauses = jvmPauses(jvm.pid!);
  expect(pauses).toBeDefined();
  expect(pauses!.count).toBeGreaterThanOrEqual(3);
  expect(pauses!.seconds).toBeGreaterThan(0);
  expect(pauses!.seconds).toBeLessThan(10);
  expect(pausesBetween(pauses, jvmPauses(jvm.pid!))).toEqual({ count: 0, seconds: 0 }); // idle: no new pause
}, 60_000);

test('says nothing for a process that is not a JVM, or is gone', () => {
  expect(jvmPauses(process.pid)).toBeUndefined();
  expect(jvmPauses(2 ** 22 + 1)).toBeUndefined();
  expect(pausesBetween(undefined, { count: 1, seconds: 0.01 })).toBeUndefined();
});
