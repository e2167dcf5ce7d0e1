import { cpuSnapshot, cpuUsage, type CpuGroups, type CpuUsage } from './cpu';
import { mdTable } from './report';

export interface Phase<T> {
  name: string;
  result: T;
  cpu: CpuUsage;
}

/** Runs one benchmark phase and records who used the CPU meanwhile. */
export async function measured<T>(name: string, groups: CpuGroups, work: () => Promise<T>): Promise<Phase<T>> {
  const before = cpuSnapshot(groups);
  const result = await work();
  return { name, result, cpu: cpuUsage(before, cpuSnapshot(groups), groups) };
}

const pct = (v: number) => `${v.toFixed(0)} %`;

export function cpuTable(phases: Array<Phase<unknown>>, groups: CpuGroups): string {
  const names = groups.map(([name]) => name);
  const capacity = phases[0]?.cpu.capacity ?? 0;
  return mdTable(
    ['phase', ...names, 'other', `machine busy (of ${capacity} %)`],
    phases.map((p) => [p.name, ...names.map((n) => pct(p.cpu.groups[n] ?? 0)), pct(p.cpu.other), pct(p.cpu.busy)]),
  );
}

/** One sentence on what bounded a phase, read off its CPU figures. */
export function limitLine(cpu: CpuUsage): string {
  const ranked = [...Object.entries(cpu.groups), ['other processes', cpu.other] as const]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([n, v]) => `${n} ${pct(v)}`)
    .join(', ');
  const api = cpu.groups.api ?? 0;
  // Past ~80 % the run queue is rarely empty: every process waits for a core now and then.
  if (cpu.busy >= 0.8 * cpu.capacity) {
    return `CPU: the machine was ${pct(cpu.busy)} busy of ${pct(cpu.capacity)} (${ranked}), so the load generator, the API, Postgres and Kafka queue for the same cores; the API alone used ${pct(api)} of its one Node.js thread.`;
  }
  if (api >= 90) return `the API's single Node.js thread is saturated (${pct(api)} of one core) with the machine ${pct(cpu.busy)} busy (${ranked}).`;
  return `no CPU saturated (machine ${pct(cpu.busy)} of ${pct(cpu.capacity)}: ${ranked}): the time is spent waiting (commit fsyncs, pool queueing, Kafka acks).`;
}

/**
 * The idle row: 2 s with no load, repeated (up to `maxS`) while other processes keep more than
 * `threshold` % of a core busy — the machine is shared, and others' builds and tests would be
 * measured with ours. Returns the last window (the doc shows it) and how long we waited.
 */
export async function settle(groups: CpuGroups, maxS = 30, threshold = 25): Promise<{ idle: Phase<unknown>; waitedS: number }> {
  const started = Date.now();
  for (;;) {
    const idle = await measured('idle, before the load (2 s)', groups, () => new Promise((r) => setTimeout(r, 2000)));
    const waitedS = (Date.now() - started) / 1000;
    const others = idle.cpu.other + (idle.cpu.groups['postgres (rest)'] ?? 0);
    if (others <= threshold || waitedS >= maxS) return { idle, waitedS };
  }
}

/** The processes of a phase, busiest first, with their CPU share (those under 1 % left out). */
export function ranked(cpu: CpuUsage, n = 5): string {
  return [...Object.entries(cpu.groups), ['other processes', cpu.other] as const]
    .filter(([, v]) => v >= 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, v]) => `${name} ${pct(v)}`)
    .join(', ');
}
