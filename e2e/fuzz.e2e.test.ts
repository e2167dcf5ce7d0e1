/**
 * API fuzzing (docs/fuzzing.md): Schemathesis, driven by the API's own OpenAPI document, against
 * the real API process (with API keys), Postgres, Kafka, the outbound worker and the Stripe
 * emulator. Fails on any 5xx and on any response the document does not describe. A short run
 * here (FUZZ_EXAMPLES, default 10 per operation); `make fuzz` runs 500.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { query, resetDatabase } from '../test/support/db';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { API_KEY, isolateTopics, ROOT, runCli, startApp, startEmulator, stop, urlOf, waitFor, waitReady, type Proc } from './support/stack';

const EXAMPLES = Number(process.env.FUZZ_EXAMPLES || '10');
// Measured on the 2-core machine: about 30 s for 10 examples per operation; room for a loaded machine and for `make fuzz`.
const FUZZ_TIMEOUT_MS = 120_000 + EXAMPLES * 6_000;
const AUTH = { Authorization: `Bearer ${API_KEY}` };
const procs: Proc[] = [];
let apiProc: Proc;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs scripts/fuzz.sh to its end (or kills it at `timeoutMs`), with stdout and stderr together. */
function fuzz(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'scripts/fuzz.sh'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8');
      // Kept with the run's other process logs, where scripts/check-log-secrets.js makes sure the key never shows.
      const dir = path.join(ROOT, '.local', 'e2e-logs', process.env.CS_TEST_RUN ?? 'r0');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `fuzz-${child.pid ?? 0}.log`), output);
      resolve({ code, signal, output });
    });
  });
}

const tail = (text: string, lines: number) => text.trimEnd().split('\n').slice(-lines).join('\n');

function expectSuccess(what: string, run: Run) {
  if (run.code !== 0) {
    throw new Error(`${what} ended with ${run.code ?? run.signal}${run.signal === 'SIGKILL' ? ' (timed out)' : ''}; the end of its output:\n${tail(run.output, 150)}`);
  }
}

// Installing schemathesis into .cache/venv-schemathesis happens once per machine (pip, from PyPI):
// apart from the run, so that the run's own time is what the test measures.
beforeAll(async () => {
  expectSuccess('scripts/fuzz.sh --install-only', await fuzz(['--install-only'], 540_000));
}, 600_000);

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('fuzz');
  procs.push(startEmulator());
  await waitReady('emulator', '/_emulator/health');
  // Stripe refuses these addresses: a change to such a customer is parked (a dead letter to list).
  await emulator.faults({ reject_email_pattern: '@rejected\\.test$' });
  // A consumer group of this run's own: another jest run on the machine (same worker number) must not take our partitions.
  const kafka = { KAFKA_CLIENT_ID: `e2e-fuzz-${process.env.CS_TEST_RUN ?? 'r0'}-w${process.env.JEST_WORKER_ID ?? '1'}` };
  apiProc = startApp('api', { ...kafka, API_KEYS: API_KEY });
  procs.push(apiProc, startApp('outbound-worker', { ...kafka, OUTBOUND_RETRY_BASE_MS: '100', OUTBOUND_RETRY_MAX_MS: '2000', STRIPE_WRITE_RATE: '500' }));
  await Promise.all([waitReady('api'), waitReady('outbound-worker')]);

  // Data of every kind, so that the responses checked against the document are not all empty
  // lists and 404s: a synced customer (mapping, sync events), a parked one (dead letter), a reconcile report.
  const synced = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Fuzz Synced', email: 'synced@fuzz.test' }, AUTH);
  const parked = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Fuzz Parked', email: 'parked@rejected.test' }, AUTH);
  expect([synced.status, parked.status]).toEqual([201, 201]);
  await waitFor('the first customer linked and the second parked', async () => {
    const [linked] = await query(`select 1 from external_mappings where internal_id = $1`, [synced.body.id]);
    const [letter] = await query(`select 1 from dead_letters where message_key = $1 and status = 'parked'`, [String(parked.body.id)]);
    return linked && letter ? true : undefined;
  }, 60_000);
  const reconcile = await runCli(['reconcile'], kafka);
  expect([0, 3]).toContain(reconcile.code); // 3 = drift found, which is fine: the report is stored either way
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
});

describe('API fuzzing', () => {
  it(`finds no server error and no response outside the OpenAPI document (${EXAMPLES} examples per operation)`, async () => {
    const operations = Object.values((await api<{ paths: Record<string, object> }>('GET', '/api/v1/openapi.json')).body.paths).flatMap((p) => Object.keys(p)).length;

    const run = await fuzz(['--examples', String(EXAMPLES), '--base-url', urlOf('api'), '--api-key', API_KEY], FUZZ_TIMEOUT_MS);

    expectSuccess('scripts/fuzz.sh', run);
    // Every operation of the document was exercised, with the key (not stopped at 401s).
    expect(run.output).toMatch(new RegExp(`Tested: ${operations}\\b`));
    expect(run.output).not.toContain(API_KEY);
    const [, cases] = /Test cases:\s+(\d+) generated/.exec(run.output) ?? [];
    expect(Number(cases)).toBeGreaterThan(operations);

    // The API took all of it and is still serving.
    expect(apiProc.child.exitCode).toBeNull();
    expect(apiProc.child.signalCode).toBeNull();
    expect((await fetch(`${urlOf('api')}/health`)).status).toBe(200);
    expect((await api('GET', '/api/v1/sync/summary', undefined, AUTH)).status).toBe(200);
  }, FUZZ_TIMEOUT_MS + 30_000);

  // What the fuzzer found (docs/fuzzing.md), pinned: each was a 500. Schemathesis cannot send the
  // lone surrogate (its strings are UTF-8), and it draws the others only now and then.
  it('answers 422, not 500, to text and times that Postgres cannot store', async () => {
    const bodies = [
      { name: 'Ada\u0000Lovelace', email: 'nul@fuzz.test' },
      { name: 'Ada \ud800', email: 'surrogate@fuzz.test' },
    ];
    for (const body of bodies) {
      const res = await api<{ error: { code: string; details: Array<{ path: string }> } }>('POST', '/api/v1/customers', body, AUTH);
      expect({ status: res.status, code: res.body.error.code, path: res.body.error.details[0]?.path }).toEqual({ status: 422, code: 'validation_failed', path: 'name' });
    }
    for (const q of ['from=0000-01-01T00:00:00Z', 'from=0001-01-01T00:00:00%2B23:59', 'to=9999-12-31T23:59:59-23:59']) {
      expect({ q, status: (await api('GET', `/api/v1/sync-events?${q}`, undefined, AUTH)).status }).toEqual({ q, status: 422 });
    }
    expect((await api('GET', '/api/v1/sync-events?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z', undefined, AUTH)).status).toBe(200);
  });
});
