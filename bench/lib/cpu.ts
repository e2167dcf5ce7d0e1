import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Who used the CPU during a phase, from /proc (Linux): on a small machine the load generator,
 * the API, Postgres and Kafka share the same cores, and this is how we tell which one limits.
 */
export interface ProcInfo {
  pid: number;
  cmdline: string;
}

/** Ordered: a process counts for the first group that claims it; the rest is "other". */
export type CpuGroups = Array<[name: string, claims: (p: ProcInfo) => boolean]>;

export interface CpuSnapshot {
  /** Jiffies of all CPUs together, and of those idle, from /proc/stat. */
  total: number;
  idle: number;
  perPid: Map<number, { group: string; ticks: number }>;
}

/** Percent of one core (so a 2-core machine goes up to 200). */
export interface CpuUsage {
  busy: number;
  capacity: number;
  groups: Record<string, number>;
  other: number;
  /** CPU seconds (user + system) each group used over the interval. */
  seconds: Record<string, number>;
}

// /proc counts in USER_HZ, which Linux fixes at 100 for user space whatever the kernel's HZ.
const TICKS_PER_S = 100;

const readOr = (file: string, fallback: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback; // the process exited between listing and reading
  }
};

/** Every process on the machine now, with its command line (arguments joined by spaces). */
export function processes(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => ({ pid: Number(entry), cmdline: readOr(`/proc/${entry}/cmdline`, '').replace(/\0/g, ' ') }));
}

export function cpuSnapshot(groups: CpuGroups): CpuSnapshot {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1, 9).map(Number) ?? [];
  const perPid = new Map<number, { group: string; ticks: number }>();
  for (const info of processes()) {
    const stat = readOr(`/proc/${info.pid}/stat`, '');
    // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    if (!Number.isFinite(ticks)) continue;
    const group = groups.find(([, claims]) => claims(info))?.[0] ?? 'other';
    perPid.set(info.pid, { group, ticks });
  }
  const total = fields.reduce((a, b) => a + b, 0);
  return { total, idle: (fields[3] ?? 0) + (fields[4] ?? 0), perPid };
}

export function cpuUsage(before: CpuSnapshot, after: CpuSnapshot, groups: CpuGroups): CpuUsage {
  const cores = os.cpus().length;
  // Jiffies per core over the interval: the unit that makes "100" mean one full core.
  const perCore = (after.total - before.total) / cores;
  const pct = (ticks: number) => (perCore > 0 ? (100 * ticks) / perCore : 0);
  const sums: Record<string, number> = Object.fromEntries(groups.map(([name]) => [name, 0]));
  for (const [pid, now] of after.perPid) {
    if (now.group === 'other') continue;
    sums[now.group] = (sums[now.group] ?? 0) + now.ticks - (before.perPid.get(pid)?.ticks ?? 0);
  }
  const busy = pct(after.total - before.total - (after.idle - before.idle));
  const named = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, pct(v)]));
  const other = Math.max(0, busy - Object.values(named).reduce((a, b) => a + b, 0));
  const seconds = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / TICKS_PER_S]));
  return { busy, capacity: 100 * cores, groups: named, other, seconds };
}

/** The groups every benchmark uses: this process, the API, Postgres split by database, Kafka. */
export function standardGroups(apiPid: number, database: string): CpuGroups {
  return [
    ['load generator', (p) => p.pid === process.pid],
    ['api', (p) => p.pid === apiPid],
    [`postgres (${database})`, (p) => p.cmdline.startsWith('postgres:') && p.cmdline.includes(` ${database} `)],
    ['postgres (rest)', (p) => /(^|\/)postgres(:| )/.test(p.cmdline)],
    ['kafka', (p) => p.cmdline.includes('kafka.Kafka')],
  ];
}
