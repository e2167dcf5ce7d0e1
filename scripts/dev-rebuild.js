// `pnpm turbo dev`, in every package: keeps dist/ in step with src/. Each changed file is
// transpiled by TypeScript with the package's build settings (tsconfig.build.json), which gives
// byte for byte what `tsc` writes for it (every file is an isolated module; test/dev-rebuild.test.ts
// compares), in milliseconds: no type-check of the whole program on each save (`pnpm typecheck` and
// the editor do that) and no declarations (nothing at run time reads them; the next build writes them).
const fs = require('node:fs');
const path = require('node:path');

const ts = require(require.resolve('typescript', { paths: [path.resolve(__dirname, '..')] }));
const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };

/** The package's build: compiler options, rootDir, outDir and the files it compiles. */
function loadBuildConfig(dir) {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.formatDiagnostics([d], formatHost)); } };
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, 'tsconfig.build.json'), {}, host);
  const errors = parsed.errors.filter((d) => d.code !== 18003); // "no inputs": nothing to build yet
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, formatHost));
  const { rootDir, outDir } = parsed.options;
  if (!rootDir || !outDir) throw new Error(`${dir}/tsconfig.build.json: rootDir and outDir are required`);
  return { options: parsed.options, rootDir, outDir, files: new Set(parsed.fileNames.map((f) => path.resolve(f))) };
}

function outputsOf(config, source) {
  const base = path.join(config.outDir, path.relative(config.rootDir, source)).replace(/\.ts$/, '');
  return { js: `${base}.js`, map: `${base}.js.map`, declarations: [`${base}.d.ts`, `${base}.d.ts.map`] };
}

/** Writes only what differs, so that saving a file unchanged touches nothing downstream. */
function writeIfChanged(file, text) {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return true;
}

/**
 * Brings outDir up to date for these sources (changed, added or gone): transpiles each TypeScript
 * file of the build, copies a JSON file the build emitted, removes the outputs of a file that is
 * no longer part of it. Returns the files written and removed, and the syntax errors met.
 */
function rebuild(config, sources) {
  const result = { written: [], removed: [], errors: [] };
  for (const source of new Set(sources)) {
    if (source.endsWith('.json')) {
      const copy = path.join(config.outDir, path.relative(config.rootDir, source));
      if (fs.existsSync(source) && fs.existsSync(copy) && writeIfChanged(copy, fs.readFileSync(source, 'utf8'))) result.written.push(copy);
      continue;
    }
    if (!source.endsWith('.ts') || source.endsWith('.d.ts')) continue;
    const out = outputsOf(config, source);
    if (!config.files.has(source) || !fs.existsSync(source)) {
      for (const file of [out.js, out.map, ...out.declarations]) {
        if (fs.existsSync(file)) {
          fs.rmSync(file);
          result.removed.push(file);
        }
      }
      continue;
    }
    const emitted = ts.transpileModule(fs.readFileSync(source, 'utf8'), { compilerOptions: config.options, fileName: source, reportDiagnostics: true });
    if (emitted.diagnostics?.length) {
      result.errors.push(ts.formatDiagnostics(emitted.diagnostics, formatHost).trim());
      continue;
    }
    if (writeIfChanged(out.js, emitted.outputText)) result.written.push(out.js);
    if (emitted.sourceMapText !== undefined && writeIfChanged(out.map, emitted.sourceMapText)) result.written.push(out.map);
  }
  return result;
}

/** Watches the package's rootDir and rebuilds what changes, until close(). */
function watchSources(dir, log) {
  let config = loadBuildConfig(dir);
  const pending = new Set();
  let timer;
  const flush = () => {
    const started = Date.now();
    let next;
    try {
      next = loadBuildConfig(dir);
    } catch (err) {
      log(err.message);
      return;
    }
    // Files that joined or left the build (a folder renamed or removed) count as changed too.
    const joinedOrLeft = [...next.files].filter((f) => !config.files.has(f)).concat([...config.files].filter((f) => !next.files.has(f)));
    config = next;
    const { written, removed, errors } = rebuild(config, [...pending, ...joinedOrLeft]);
    pending.clear();
    for (const error of errors) log(error);
    const changed = [...written, ...removed].filter((f) => !f.endsWith('.map'));
    if (changed.length) {
      const more = changed.length > 1 ? ` and ${changed.length - 1} more` : '';
      log(`rebuilt ${path.relative(dir, changed[0])}${more} in ${Date.now() - started} ms`);
    }
  };
  const watcher = fs.watch(config.rootDir, { recursive: true }, (_event, name) => {
    if (!name) return;
    pending.add(path.join(config.rootDir, name.toString()));
    clearTimeout(timer);
    timer = setTimeout(flush, 100);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

module.exports = { loadBuildConfig, rebuild, watchSources };
