/**
 * `pnpm turbo dev` rebuilds a package file by file (scripts/dev-rebuild.js): what it writes must be
 * what the build (`tsc`, the whole program) writes, and dist/ must follow src/ as files are added,
 * edited, broken and removed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { waitFor } from '../e2e/support/stack';

interface BuildConfig { options: ts.CompilerOptions; rootDir: string; outDir: string; files: Set<string> }
interface Rebuilt { written: string[]; removed: string[]; errors: string[] }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dev = require('../scripts/dev-rebuild.js') as {
  loadBuildConfig: (dir: string) => BuildConfig;
  rebuild: (config: BuildConfig, sources: string[]) => Rebuilt;
  watchSources: (dir: string, log: (msg: string) => void) => { close(): void };
};

const root = path.resolve(__dirname, '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cs-dev-rebuild-'));

describe('the dev rebuild', () => {
  // A package with classes, generics, type-only imports and re-exports (the whole program: a few seconds).
  it('writes for every file of a package exactly what tsc writes', () => {
    const config = dev.loadBuildConfig(path.join(root, 'packages/platform'));
    const outDir = tmp();
    const built = new Map<string, string>();
    ts.createProgram([...config.files], { ...config.options, outDir, declaration: false }).emit(undefined, (file, text) => built.set(path.resolve(file), text));
    try {
      const rebuilt = dev.rebuild({ ...config, outDir, options: { ...config.options, outDir } }, [...config.files]);
      expect(rebuilt.errors).toEqual([]);
      const js = [...built.keys()].filter((f) => !f.endsWith('.json')).sort();
      expect(js.length).toBeGreaterThan(10);
      expect(rebuilt.written.sort()).toEqual(js);
      for (const file of js) expect({ file, text: fs.readFileSync(file, 'utf8') }).toEqual({ file, text: built.get(file) });
    } finally {
      fs.rmSync(outDir, { recursive: true });
    }
  }, 60_000);

  it('follows src/ while watching: added, edited, broken, a test file, removed', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: path.join(root, 'tsconfig.base.json'), compilerOptions: { outDir: 'dist', rootDir: 'src' }, include: ['src'], exclude: ['src/**/*.test.ts'] }));
    const said: string[] = [];
    const watcher = dev.watchSources(dir, (msg) => said.push(msg));
    const src = (f: string) => path.join(dir, 'src', f);
    const out = (f: string) => path.join(dir, 'dist', f);
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
    try {
      fs.mkdirSync(src('lib'));
      fs.writeFileSync(src('lib/greet.ts'), "export const greet = (who: string): string => `hello ${who}`;\n");
      await waitFor('the added file built', async () => (read(out('lib/greet.js'))?.includes('hello') ? true : undefined), 10_000, 20);
      expect(fs.existsSync(out('lib/greet.js.map'))).toBe(true);

      fs.writeFileSync(src('lib/greet.ts'), "export const greet = (who: string): string => `hi ${who}`;\n");
      await waitFor('the edit built', async () => (read(out('lib/greet.js'))?.includes('hi ') ? true : undefined), 10_000, 20);

      // A syntax error keeps the last good output and says where.
      fs.writeFileSync(src('lib/greet.ts'), 'export const greet = (;\n');
      await waitFor('the error reported', async () => (said.some((m) => m.includes('greet.ts') && m.includes('error TS')) ? true : undefined), 10_000, 20);
      expect(read(out('lib/greet.js'))).toContain('hi ');

      // Excluded from the build (a test): nothing is written for it.
      fs.writeFileSync(src('lib/greet.test.ts'), 'export {};\n');
      fs.writeFileSync(src('other.ts'), 'export const other = 1;\n');
      await waitFor('the next file built', async () => (fs.existsSync(out('other.js')) ? true : undefined), 10_000, 20);
      expect(fs.existsSync(out('lib/greet.test.js'))).toBe(false);

      // The folder goes: so do its outputs, declarations included.
      fs.writeFileSync(out('lib/greet.d.ts'), 'export declare const greet: (who: string) => string;\n');
      fs.rmSync(src('lib'), { recursive: true });
      await waitFor('the outputs removed', async () => (!fs.existsSync(out('lib/greet.js')) && !fs.existsSync(out('lib/greet.d.ts')) ? true : undefined), 10_000, 20);
      expect(fs.existsSync(out('other.js'))).toBe(true);
    } finally {
      watcher.close();
      fs.rmSync(dir, { recursive: true });
    }
  });
});
