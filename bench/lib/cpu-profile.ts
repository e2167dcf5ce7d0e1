import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths';

/** The parts of a V8 `.cpuprofile` (node --cpu-prof) that self time needs. */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  samples: number[];
  /** Microseconds before each sample. */
  timeDeltas: number[];
}

export interface SelfTime {
  /** `function file:line`, one row per function over every profile read. */
  fn: string;
  file: string;
  pkg: string;
  us: number;
  /** For V8 and Node internals: the nearest library or app function above them, by the time it accounts for. */
  via: Map<string, number>;
}

export interface ProfileSummary {
  files: number;
  /** Sampled time the process was on the CPU (every sample but V8's “(idle)”), in microseconds. */
  busyUs: number;
  functions: SelfTime[];
  packages: Array<{ pkg: string; us: number }>;
}

// V8's own pseudo-frames: they have no script.
const PSEUDO = new Set(['(root)', '(program)', '(garbage collector)', '(idle)']);

/** Where a frame's code comes from: an npm package, one of ours, Node itself, or V8. */
export function packageOf(url: string, fn: string): string {
  if (PSEUDO.has(fn)) return fn;
  if (url === '') return '(V8 builtins and native code)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [first = '', second = ''] = file.slice(nm + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const rel = path.relative(ROOT, file).split(path.sep);
  return rel[0] === 'apps' || rel[0] === 'packages' ? `${rel[0]}/${rel[1]}` : (rel[0] ?? file);
}

const shortFile = (url: string) => {
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  return nm >= 0 ? file.slice(nm + '/node_modules/'.length) : file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
};

/** Self time per function and per package over every `.cpuprofile` in `dir` (one app's processes). */
export function summarizeProfiles(dir: string): ProfileSummary {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const byFn = new Map<string, SelfTime>();
  let busyUs = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const parents = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((c) => [c, n.id] as const)));
    /** The first frame up the stack that is neither V8 nor Node's own: who asked for the native work. */
    const caller = (id: number): string => {
      for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
        const f = frames.get(at);
        if (f?.url && !f.url.startsWith('node:')) return `${f.functionName || '(anonymous)'} (${shortFile(f.url)}:${f.lineNumber + 1})`;
      }
      return '';
    };
    profile.samples.forEach((id, i) => {
      const frame = frames.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!frame || frame.functionName === '(idle)') return;
      busyUs += us;
      const fnName = frame.functionName || '(anonymous)';
      const where = frame.url ? `${shortFile(frame.url)}:${frame.lineNumber + 1}` : '';
      const key = `${fnName} ${where}`;
      const row = byFn.get(key) ?? { fn: fnName, file: where, pkg: packageOf(frame.url, fnName), us: 0, via: new Map<string, number>() };
      row.us += us;
      if (!frame.url || frame.url.startsWith('node:')) {
        const by = caller(id);
        if (by) row.via.set(by, (row.via.get(by) ?? 0) + us);
      }
      byFn.set(key, row);
    });
  }
  const functions = [...byFn.values()].sort((a, b) => b.us - a.us);
  const pkgs = new Map<string, number>();
  for (const f of functions) pkgs.set(f.pkg, (pkgs.get(f.pkg) ?? 0) + f.us);
  return { files: files.length, busyUs, functions, packages: [...pkgs].map(([pkg, us]) => ({ pkg, us })).sort((a, b) => b.us - a.us) };
}

/** The caller that accounts for most of a row's time, with its share of it. */
export function mainCaller(row: SelfTime): string {
  const [by, us] = [...row.via].sort((a, b) => b[1] - a[1])[0] ?? [];
  return by === undefined || us === undefined ? '' : `${by}, ${((100 * us) / Math.max(1, row.us)).toFixed(0)} %`;
}
