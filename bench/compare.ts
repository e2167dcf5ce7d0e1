/**
 * Old and new figures side by side: the summary table of docs/benchmarks.md as it was at a git
 * revision (the last `make bench` before a change) next to the one `make bench` just wrote, so a
 * regression shows as such. Writes its own section of docs/benchmarks.md.
 *   node .cache/bench-dist/compare.js <revision> [label]      (bash bench/run.sh compare <revision>)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BENCH_DOC } from './lib/paths';
import { mdTable, writeSection } from './lib/report';

interface Row {
  benchmark: string;
  measure: string;
  figure: string;
}

/** The rows of the summary's figure table (the first table inside the summary section). */
function summaryRows(doc: string): { rows: Row[]; header: string } {
  const start = doc.indexOf('<!-- bench:summary:start -->');
  const end = doc.indexOf('<!-- bench:summary:end -->');
  if (start < 0 || end < start) throw new Error('no summary section');
  const section = doc.slice(start, end);
  const header = /- command: (.*)\n- machine: (.*);/.exec(section);
  const rows: Row[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length < 3 || cells[0] === 'benchmark' || cells[0]?.startsWith('---') || cells[1] === '—') continue;
    if (cells.length === 4) continue; // the memory table: process, benchmark, peak, aim
    rows.push({ benchmark: cells[0]!, measure: cells[1]!, figure: cells[2]! });
  }
  return { rows, header: header ? `${header[1]} — ${header[2]}` : '' };
}

function main() {
  const [revision, label = 'before'] = process.argv.slice(2);
  if (!revision) throw new Error('usage: compare.js <git revision> [label]');
  const old = summaryRows(execFileSync('git', ['show', `${revision}:docs/benchmarks.md`], { encoding: 'utf8' }));
  const now = summaryRows(readFileSync(BENCH_DOC, 'utf8'));
  const oldBy = new Map(old.rows.map((r) => [r.measure, r.figure]));
  const rows = now.rows.map((r) => [r.benchmark, r.measure, oldBy.get(r.measure) ?? '(not measured)', r.figure]);
  for (const r of old.rows) if (!now.rows.some((n) => n.measure === r.measure)) rows.push([r.benchmark, r.measure, r.figure, '(not measured)']);
  const section = `## Before and after (\`bash bench/run.sh compare ${revision}\`)

The summary above next to the one committed at \`${revision}\` (${label}), measure by measure.

- ${label}: ${old.header}
- now: ${now.header}

${mdTable(['benchmark', 'measure', label, 'now'], rows)}`;
  writeSection('compare', section);
  process.stdout.write(`${section}\n`);
}

main();
