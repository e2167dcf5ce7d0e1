import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the compiled scripts live in .cache/bench-dist, so walk up rather than guess a depth. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}

export const ROOT = findRoot(__dirname);
export const BENCH_DOC = path.join(ROOT, 'docs', 'benchmarks.md');
