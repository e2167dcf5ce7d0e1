/**
 * The top of docs/benchmarks.md after `make bench`: every benchmark's headline figures next to
 * the aims of the issues, and each service's peak memory — read from the results each script
 * saved (bench/lib/results.ts). Run by bench/run.sh after the benchmarks:
 *   node summary.js <started ISO> <wall seconds> <name:exit code>...
 */
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { mdTable, writeSection } from './lib/report';
import { loadResults, type BenchResults } from './lib/results';
import { mb } from './lib/stats';

/** The aims on memory, by process name prefix (issue #4: the outbound worker). */
const RSS_AIMS: Array<[prefix: string, mb: number]> = [
  ['outbound-worker', 150],
  ['sync-cli (reconcile)', 200],
];

function main() {
  const [startedIso, wallS, ...runs] = process.argv.slice(2);
  if (!startedIso || !wallS) throw new Error('usage: summary.js <started ISO> <wall seconds> <name:exit code>...');
  const started = Date.parse(startedIso);
  const figureRows: string[][] = [];
  const rssRows: string[][] = [];
  const notes: string[] = [];
  let missed = 0;

  for (const run of runs) {
    const [name = '', code = ''] = run.split(':');
    const results: BenchResults | undefined = loadResults(name);
    const fresh = results !== undefined && Date.parse(results.at) >= started;
    if (code !== '0') notes.push(`\`${name}\` exited with code ${code}${fresh ? ' after saving its figures (a check failed: see its section)' : ''}.`);
    if (!results || !fresh) {
      figureRows.push([name, '—', 'no figures from this run', '', '']);
      continue;
    }
    for (const f of results.figures) {
      if (f.met === false) missed += 1;
      figureRows.push([name, f.measure, f.value, f.aim, f.met === undefined ? '' : f.met ? 'met' : '**missed**']);
    }
    for (const [proc, memory] of Object.entries(results.rss)) {
      const aim = RSS_AIMS.find(([prefix]) => proc.startsWith(prefix));
      const peakMb = memory.peakRssKb / 1024;
      if (aim && peakMb > aim[1]) missed += 1;
      rssRows.push([proc, name, mb(memory.peakRssKb), aim ? `≤ ${aim[1]} MB: ${peakMb <= aim[1] ? 'met' : '**missed**'}` : '']);
    }
  }

  const section = `## Summary (\`make bench\`)

- command: \`make bench\` (= \`bash bench/run.sh all\`: ${runs.map((r) => r.split(':')[0]).join(', ')}); started ${startedIso}, took ${(Number(wallS) / 60).toFixed(1)} min
- machine: ${machineLine(describeMachine())}; load average (1/5/15 min) at the end ${loadAverage()}
- each benchmark starts what it measures (the built apps, the Stripe emulator as its own process) against the local
  Postgres and Kafka, on loopback, one at a time; its own section below has the set-up, all figures and the CPU per process.

${mdTable(['benchmark', 'measure', 'figure', 'aim (issues)', ''], figureRows)}

Peak resident memory of each process a benchmark started (VmRSS sampled every 500 ms, under that benchmark's load):

${mdTable(['process', 'benchmark', 'peak RSS', 'aim'], rssRows)}

${missed === 0 ? 'Every aim was met in this run.' : `${missed} aim${missed === 1 ? ' was' : 's were'} missed in this run; each section below says what limited it.`}
${notes.length ? `\n${notes.join('\n')}` : ''}`;
  writeSection('summary', section, undefined, true);
  process.stdout.write(`${section}\n`);
}

main();
