import { urlOf, type ports } from './stack';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v: string) => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** The Prometheus text format, just enough of it: one sample per line, comments skipped. */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line.trim());
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(LABEL)].map((l) => [l[1]!, unescape(l[2]!)]));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export class Scrape {
  constructor(readonly samples: Sample[]) {}

  /** Samples of `name` whose labels include `labels`. */
  select(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** Their sum; 0 when there are none (a counter not incremented yet is simply absent). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.select(name, labels).reduce((a, s) => a + s.value, 0);
  }
}

export async function scrape(app: keyof typeof ports): Promise<Scrape> {
  const res = await fetch(`${urlOf(app)}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${app} /metrics → ${res.status}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain')) throw new Error(`unexpected content type ${res.headers.get('content-type')}`);
  return new Scrape(parsePrometheus(await res.text()));
}
