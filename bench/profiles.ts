/**
 * The top of each app's CPU profile under a benchmark's load, as the `profiles` section of
 * docs/benchmarks.md. bench/run.sh profile runs the benchmarks with BENCH_CPU_PROF set (every app
 * they start runs under `node --cpu-prof`; their own figures are not recorded) and then this:
 *   node profiles.js <started ISO> <profiles dir> <bench>...   (profiles in <dir>/<bench>/<app>/)
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { mainCaller, summarizeProfiles } from './lib/cpu-profile';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { mdTable, writeSection } from './lib/report';

const TOP = 15;
const PACKAGES = 10;
const pct = (us: number, total: number) => `${((100 * us) / Math.max(1, total)).toFixed(1)} %`;
const sec = (us: number) => `${(us / 1e6).toFixed(1)} s`;

function appSection(bench: string, app: string, dir: string): string {
  const s = summarizeProfiles(dir);
  const fns = mdTable(
    ['self', 'function', 'where', 'package', 'called from (V8 and Node internals)'],
    s.functions.slice(0, TOP).map((f) => [pct(f.us, s.busyUs), `\`${f.fn}\``, f.file ? `\`${f.file}\`` : '', f.pkg, mainCaller(f)]),
  );
  const pkgs = mdTable(
    ['self', 'package'],
    s.packages.slice(0, PACKAGES).map((p) => [pct(p.us, s.busyUs), p.pkg]),
  );
  return `### \`${app}\` under \`bench/${bench}.bench.ts\`

${s.files} profile${s.files === 1 ? '' : 's'}, ${sec(s.busyUs)} sampled outside V8's idle (start-up included). Self time by function (top ${TOP}):

${fns}

By package (top ${PACKAGES}):

${pkgs}`;
}

function main() {
  const [startedIso, root, ...benches] = process.argv.slice(2);
  if (!startedIso || !root || benches.length === 0) throw new Error('usage: profiles.js <started ISO> <profiles dir> <bench>...');
  const parts: string[] = [];
  for (const bench of benches) {
    const dir = path.join(root, bench);
    if (!existsSync(dir)) continue;
    for (const app of readdirSync(dir).sort()) parts.push(appSection(bench, app, path.join(dir, app)));
  }
  const section = `## CPU profiles (\`bash bench/run.sh profile\`)

- command: \`bash bench/run.sh profile ${benches.join(' ')}\`; run ${startedIso}
- machine: ${machineLine(describeMachine())}; load average (1/5/15 min) at the end ${loadAverage()}
- each app the benchmarks start runs under \`node --cpu-prof\` (V8's sampling profiler, whole life: start-up and idle gaps too) and writes
  its profile when it exits; \`bench/webhook-peer.bench.ts\` runs only our side here, one round. “self” is the time spent in the function
  itself, as a share of the samples outside V8's idle. V8 samples on wall-clock ticks: a thread that is runnable but waiting for a core (on
  2 shared cores, typically right after a socket write woke Postgres or Kafka) is counted in the native function it was in, so the socket
  writes (\`writeBuffer\`, \`writeUtf8String\`, \`writev\`) stand for the cost of each round trip, context switches included, more than for
  CPU of their own; /proc's CPU seconds are in each benchmark's section. The benchmarks' own figures are not recorded in a profiled run.

${parts.join('\n\n') || 'No profiles were written.'}`;
  writeSection('profiles', section);
  process.stdout.write(`${section}\n`);
}

main();
