import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvError } from '@cs/platform';
import { enabledSystems, loadConnectors } from './from-env';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-connectors-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};
const good = write(
  'hubspot.js',
  `module.exports = ({ z, defineConnector }) => defineConnector({
     system: 'hubspot', okText: 'ok',
     env: z.object({ HUBSPOT_TOKEN: z.string().min(5) }),
     connect: (env) => ({ system: 'hubspot', objectType: 'contact', token: env.HUBSPOT_TOKEN }),
     limits: () => ({ writesPerSec: 9, readsPerSec: 10 }),
   });`,
);

const problems = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof EnvError) return err.problems;
    throw err;
  }
  return [];
};

describe('SYNC_CONNECTOR_MODULES', () => {
  it('adds a connector from a module, enabled and configured like a built-in one', () => {
    const { registry, limits } = loadConnectors({ SYNC_CONNECTOR_MODULES: good, SYNC_SYSTEMS: 'hubspot', HUBSPOT_TOKEN: 'secret' });
    expect(registry.systems()).toEqual(['hubspot']);
    expect(registry.get('hubspot')).toMatchObject({ objectType: 'contact', token: 'secret' });
    expect(limits.get('hubspot')).toEqual({ writesPerSec: 9, readsPerSec: 10 });
    expect(problems(() => loadConnectors({ SYNC_CONNECTOR_MODULES: good, SYNC_SYSTEMS: 'hubspot' }))).toEqual(['HUBSPOT_TOKEN: required but not set']);
  });

  it('a known module does nothing until SYNC_SYSTEMS names it', () => {
    expect(enabledSystems({ SYNC_CONNECTOR_MODULES: good })).toEqual(['stripe']);
  });

  it('names a module that cannot be loaded, that exports no connector, or that takes a built-in name', () => {
    const none = write('none.js', 'module.exports = { hello: 1 };');
    const clash = write('clash.js', fs.readFileSync(good, 'utf8').replace("system: 'hubspot'", "system: 'stripe'"));
    expect(problems(() => enabledSystems({ SYNC_CONNECTOR_MODULES: path.join(dir, 'missing.js') }))).toEqual([expect.stringMatching(/^SYNC_CONNECTOR_MODULES: cannot load .*missing\.js: /)]);
    expect(problems(() => enabledSystems({ SYNC_CONNECTOR_MODULES: none }))).toEqual([`SYNC_CONNECTOR_MODULES: ${none} exports no connector (a system, env, connect and limits)`]);
    expect(problems(() => enabledSystems({ SYNC_CONNECTOR_MODULES: clash }))).toEqual(['SYNC_CONNECTOR_MODULES: system "stripe" is built in already']);
  });
});
