import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROTO_PATH } from './index';

describe('pubsub_api.proto', () => {
  it('is the one salesforce-pubsub-api-client ships, unchanged below our header', () => {
    const ours = readFileSync(PROTO_PATH, 'utf8');
    const pkgMain = require.resolve('salesforce-pubsub-api-client');
    const theirs = readFileSync(path.join(path.dirname(pkgMain), '..', 'pubsub_api.proto'), 'utf8');
    const header = ours.split('\n').findIndex((line) => !line.startsWith('//'));
    expect(ours.split('\n').slice(header).join('\n')).toBe(theirs);
  });
});
