import { readFileSync } from 'node:fs';

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM, …); undefined once the process is gone. */
export function procStatusKb(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's resident memory every `everyMs` and keeps the peak. */
export class RssSampler {
  peakKb = 0;
  lastKb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, everyMs = 500) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref(); // never what keeps the benchmark alive
  }

  sample(): void {
    const kb = procStatusKb(this.pid, 'VmRSS');
    if (kb === undefined) return;
    this.lastKb = kb;
    this.peakKb = Math.max(this.peakKb, kb);
  }

  /** Starts a new peak from now (a benchmark that measures one process over several rounds). */
  resetPeak(): void {
    this.peakKb = 0;
    this.sample();
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}
