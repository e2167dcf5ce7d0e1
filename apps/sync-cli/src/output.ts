/** Exit codes, documented in the README: scripts can tell "drift found" from "failed". */
export const EXIT = { ok: 0, failed: 1, usage: 2, drift: 3, notFound: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** Prints the data as JSON (--json) or as the human text. */
export function emit(json: boolean, data: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v)).replace(/\s+/g, ' ').slice(0, 60);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** The catalogs backfill and reconcile can work on (`--catalog`); customers when left out. */
export const CATALOGS = ['customer', 'invoice'] as const;
export type CatalogOption = (typeof CATALOGS)[number];

export function catalogOption(value: string | undefined): CatalogOption {
  const catalog = value ?? 'customer';
  if (!(CATALOGS as readonly string[]).includes(catalog)) throw new CliError(`--catalog must be ${CATALOGS.join(' or ')} (got "${catalog}")`, EXIT.usage);
  return catalog as CatalogOption;
}
