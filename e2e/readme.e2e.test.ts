/**
 * The README's operator commands work verbatim in a new terminal: one whose PATH has none of
 * this repo's folders (no .cache/tools), as a person has it after `make dev` or `make test`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { appEnv, ROOT } from './support/stack';

const run = promisify(execFile);
/** What a new terminal has: the PATH without anything inside the checkout. */
const terminalPath = (process.env.PATH ?? '')
  .split(':')
  .filter((dir) => dir && !path.resolve(dir).startsWith(`${ROOT}/`))
  .join(':');

/** Every `pnpm sync …` line of the README's code blocks, without its trailing comment. */
function readmeSyncCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('pnpm sync '));
}

async function inTerminal(command: string) {
  try {
    const { stdout, stderr } = await run('bash', ['-c', command], { cwd: ROOT, env: { ...process.env, ...appEnv({ LOG_LEVEL: 'warn' }), PATH: terminalPath }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe("the README's operator commands, in a new terminal", () => {
  const commands = readmeSyncCommands();

  it('lists some', () => {
    expect(commands.length).toBeGreaterThanOrEqual(8);
  });

  it.each(commands)('%s is a command pnpm finds and the CLI knows (--help)', async (command) => {
    // The command words only (`pnpm sync dlq show`), up to the first argument or option.
    const words = command.split(/\s+/);
    const end = words.findIndex((w) => !/^[a-z][a-z-]*$/.test(w));
    const { code, stdout, stderr } = await inTerminal(`${words.slice(0, end === -1 ? undefined : end).join(' ')} --help`);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/Usage:/);
  });

  it('runs for real on the pinned Node.js, with --json output alone on stdout', async () => {
    const missing = await inTerminal('pnpm sync status 2147483000');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/no customer 2147483000/);
    const list = await inTerminal('pnpm sync dlq list --json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual(expect.any(Array));
    expect(list.stderr).not.toMatch(/Warning/);
    const node = await inTerminal(`bash -c 'source scripts/lib.sh && node -v'`);
    expect(node.stdout.trim()).toBe(`v${fs.readFileSync(path.join(ROOT, '.node-version'), 'utf8').trim()}`);
  });

  it('prunes on demand with the retention settings, and refuses a dedupe window shorter than a redelivery', async () => {
    const pruned = await inTerminal('pnpm sync prune --json');
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).not.toMatch(/error|invalid|Warning/i);
    expect(JSON.parse(pruned.stdout)).toMatchObject({
      settings: { processedEventsDays: 30, syncEventsDays: 90, partitionsAhead: 2 },
      processedEventsRemoved: expect.any(Number),
      syncEvents: { created: expect.any(Array), dropped: expect.any(Array), defaultRemoved: expect.any(Number) },
    });
    const refused = await inTerminal('PROCESSED_EVENTS_RETENTION_DAYS=1 pnpm sync prune');
    expect(refused.code).toBe(78);
    expect(refused.stderr).toMatch(/invalid environment: PROCESSED_EVENTS_RETENTION_DAYS: 1 day is shorter than stripe's redelivery window \(72 hours\)/);
  });
});
