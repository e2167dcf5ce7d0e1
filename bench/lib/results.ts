import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Memory } from './app-process';
import { ROOT } from './paths';
import { profiling } from './report';

/**
 * What each benchmark hands to the summary `make bench` writes at the top of
 * docs/benchmarks.md: its headline figures next to the aim, and each process's peak RSS.
 */
export interface Figure {
  /** e.g. "outbound: 201 → in Stripe with mapping, p99 at 100 creates/s" */
  measure: string;
  /** Formatted, with its unit: "143 ms", "1,210 writes/s". */
  value: string;
  /** The aim as the issue states it ("≤ 200 ms"), or "" when there is none. */
  aim: string;
  /** undefined when there is no aim. */
  met?: boolean;
}

export interface BenchResults {
  name: string;
  at: string;
  figures: Figure[];
  /** Peak resident memory by process name ("api", "outbound-worker", "stripe-emulator", …). */
  rss: Record<string, Memory>;
}

const DIR = path.join(ROOT, '.cache', 'bench-results');

export function saveResults(results: Omit<BenchResults, 'at'>): void {
  if (profiling()) return;
  mkdirSync(DIR, { recursive: true });
  writeFileSync(path.join(DIR, `${results.name}.json`), JSON.stringify({ ...results, at: new Date().toISOString() }, null, 2));
}

export function loadResults(name: string): BenchResults | undefined {
  try {
    return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
}
