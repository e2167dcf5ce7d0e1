/**
 * There is no Docker engine on our machines, so docker-compose.yml is kept in step with the code
 * by this test: same topics as topics.json, every app and its Dockerfile, and the env contract.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import catalog from '../packages/kafka-schemas/src/topics.json';

const root = path.resolve(__dirname, '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { build?: { dockerfile: string }; environment?: Record<string, unknown>; command?: string[] | string }>;
};

describe('docker-compose.yml', () => {
  it('creates exactly the topics of topics.json, with their partition counts', () => {
    const script = ([] as string[]).concat(compose.services['kafka-topics']!.command!).join('\n');
    const declared = /for spec in ([^;]+);/.exec(script)![1]!.trim().split(/\s+/);
    const expected = Object.values(catalog.topics).map((t) => `${t.name}:${t.partitions}`);
    expect(declared.sort()).toEqual(expected.sort());
  });

  it.each(['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'])('runs %s from its own Dockerfile with the shared env', (app) => {
    const service = compose.services[app]!;
    expect(service.build!.dockerfile).toBe(`apps/${app}/Dockerfile`);
    expect(fs.existsSync(path.join(root, service.build!.dockerfile))).toBe(true);
    expect(Object.keys(service.environment!)).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'STRIPE_WEBHOOK_SECRET', 'HOST']));
  });

  it('builds every image on the pinned Node.js (.node-version)', () => {
    const pinned = fs.readFileSync(path.join(root, '.node-version'), 'utf8').trim();
    const dockerfiles = ['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'].map((a) => `apps/${a}/Dockerfile`).concat('tools/stripe-emulator/Dockerfile');
    for (const file of dockerfiles) {
      const bases = [...fs.readFileSync(path.join(root, file), 'utf8').matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
      expect(bases.length).toBeGreaterThan(0);
      for (const base of bases) expect({ file, base }).toEqual({ file, base: `node:${pinned}-bookworm-slim` });
    }
  });

  it('runs Postgres and an official apache/kafka image in KRaft mode', () => {
    expect(compose.services.kafka!.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect((compose.services.kafka as unknown as { image: string }).image).toMatch(/^apache\/kafka:4\./);
    expect((compose.services.postgres as unknown as { image: string }).image).toMatch(/^postgres:/);
  });
});
