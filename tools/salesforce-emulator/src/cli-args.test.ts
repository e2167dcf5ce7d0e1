import { parseCliArgs, UsageError } from './cli-args';

describe('cli args', () => {
  it('defaults to the design ports', () => {
    expect(parseCliArgs([], {}).options).toEqual({ port: 12120, grpcPort: 12121, host: '127.0.0.1' });
  });

  it('reads flags over env', () => {
    const { options } = parseCliArgs(
      ['--port', '0', '--grpc-port=0', '--client-id', 'cid', '--client-secret', 's', '--token-ttl-s', '60', '--daily-quota', '10', '--external-id-field', 'Ext__c', '--email-field', 'Mail__c', '--state-country-picklists', 'false', '--keepalive-ms', '500', '--retention-hours', '0.5'],
      { SF_EMULATOR_PORT: '9999', SF_EMULATOR_CLIENT_ID: 'from-env' },
    );
    expect(options).toEqual({ port: 0, grpcPort: 0, host: '127.0.0.1', clientId: 'cid', clientSecret: 's', tokenTtlSeconds: 60, dailyQuota: 10, externalIdField: 'Ext__c', emailField: 'Mail__c', stateCountryPicklists: false, keepaliveMs: 500, retentionMs: 1_800_000 });
    expect(parseCliArgs([], { SF_EMULATOR_PORT: '9999', SF_EMULATOR_STATE_COUNTRY_PICKLISTS: 'true' }).options).toMatchObject({ port: 9999, stateCountryPicklists: true });
  });

  it.each([['--port', 'x'], ['--nope', '1'], ['--state-country-picklists', 'maybe'], ['--retention-hours', '0'], ['--port']])('refuses %s %s', (...argv) => {
    expect(() => parseCliArgs(argv, {})).toThrow(UsageError);
  });
});
