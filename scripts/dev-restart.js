// `pnpm turbo dev`, for an app or an emulator: runs its process and restarts it when the code it
// runs changes — its own dist/, or that of a workspace package it depends on, which that package's
// own dev task rebuilds. Only a .js or .json file whose content changed counts: a build writing
// what dist/ already held (turbo restoring it from its cache, say) restarts nothing.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { loadBuildConfig } = require('./dev-rebuild');

const ROOT = path.resolve(__dirname, '..');

const RESTART_QUIET_MS = 300; // a rebuild writes its files within this; then one restart for all
const STOP_GRACE_MS = 8_000; // the apps' own ordered shutdown; turbo itself kills a task after 10 s

/** The outDir of the package and of every workspace package it depends on at run time, transitively. */
function runtimeOutDirs(dir, seen = new Map()) {
  if (seen.has(dir)) return [...seen.values()];
  seen.set(dir, loadBuildConfig(dir).outDir);
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const [name, version] of Object.entries(dependencies)) {
    if (String(version).startsWith('workspace:')) runtimeOutDirs(fs.realpathSync(path.join(dir, 'node_modules', name)), seen);
  }
  return [...seen.values()];
}

const counts = (file) => /\.(c|m)?js$|\.json$/.test(file);
function digest(file) {
  try {
    return crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined; // gone
  }
}
function snapshot(dirs) {
  const digests = new Map();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir, { recursive: true })) {
      const file = path.join(dir, String(name));
      if (counts(file)) digests.set(file, digest(file));
    }
  }
  return digests;
}

/** Runs `cmd args` in `cwd` and restarts it on a change under `dirs`, until stop(). */
function runAndRestart({ cwd, cmd, args, env, dirs, log }) {
  let child;
  const stoppedByUs = new WeakSet();
  let digests = new Map();
  let touched = new Set(); // files written since the last quiet moment
  let timer;
  let restarts = Promise.resolve(); // one at a time
  let stopping = false;

  const start = () => {
    digests = snapshot(dirs);
    const current = spawn(cmd, args, { cwd, env, stdio: 'inherit' });
    child = current;
    log(`started (pid ${current.pid})`);
    current.on('exit', (code, signal) => {
      if (stoppedByUs.has(current) || stopping) return;
      log(`exited (${signal ?? `code ${code}`}); restarts on the next change`);
    });
  };

  const stopChild = () => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return Promise.resolve();
    stoppedByUs.add(current);
    return new Promise((resolve) => {
      const kill = setTimeout(() => current.kill('SIGKILL'), STOP_GRACE_MS);
      current.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      current.kill('SIGTERM');
    });
  };

  // Compared once writing has gone quiet: a file is briefly empty while it is rewritten.
  const restart = async () => {
    const changed = [...touched].filter((file) => {
      const now = digest(file);
      if (digests.get(file) === now) return false;
      digests.set(file, now);
      return true;
    });
    touched = new Set();
    if (stopping || !changed.length) return;
    const [first, ...more] = changed.map((file) => path.relative(ROOT, file));
    log(`restarting: ${first}${more.length ? ` and ${more.length} more` : ''} changed`);
    await stopChild();
    if (!stopping) start();
  };

  const watchers = dirs.map((dir) => {
    fs.mkdirSync(dir, { recursive: true });
    return fs.watch(dir, { recursive: true }, (_event, name) => {
      if (!name || stopping) return;
      const file = path.join(dir, name.toString());
      if (!counts(file)) return;
      touched.add(file);
      clearTimeout(timer);
      timer = setTimeout(() => (restarts = restarts.then(restart)), RESTART_QUIET_MS);
    });
  });

  start();
  return {
    stop() {
      stopping = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      return stopChild();
    },
  };
}

module.exports = { runAndRestart, runtimeOutDirs };
