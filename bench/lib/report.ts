import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { BENCH_DOC } from './paths';

/** What a fresh docs/benchmarks.md starts with; the sections below it belong to the scripts. */
const HEADER = `# Benchmarks

Figures measured by the scripts in \`bench/\` against the real apps, Postgres and Kafka on one
machine. Each script rewrites only its own section (between \`<!-- bench:NAME:start/end -->\`
markers), so re-running one benchmark leaves the others alone. \`make bench\` runs them all and
writes the summary below (\`bash bench/run.sh <name>\` runs one: api, outbox, outbound, salesforce, webhook, webhook-peer,
backfill, invoices, retention; \`bash bench/run.sh profile\` runs the webhook path and the API under \`node --cpu-prof\` and writes the CPU profiles section).

The machine is shared: each section gives the load average and, per phase, the CPU of every
process; a large “other” column means someone else's work ran alongside and the figures are low.
`;

/** Under the profiler (bench/run.sh profile) the figures are not comparable: nothing is recorded. */
export const profiling = () => Boolean(process.env.BENCH_CPU_PROF);

/**
 * Replaces the section NAME of the benchmarks file, or adds it when it is not there yet: at the
 * end, or before every other section with `first` (the summary).
 */
export function writeSection(name: string, markdown: string, file = BENCH_DOC, first = false): void {
  if (profiling()) return;
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  // At a line start: the header itself mentions the marker syntax.
  const firstSection = text.search(/^<!-- bench:/m);
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length);
  else if (first && firstSection >= 0) text = `${text.slice(0, firstSection)}${block}\n\n${text.slice(firstSection)}`;
  else text = `${text.trimEnd()}\n\n${block}\n`;
  // Write then rename, so that an interrupted run never leaves a half-written file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function mdTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
