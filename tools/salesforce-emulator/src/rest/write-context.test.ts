import { apiWriteContext, callOptionsClient } from './write-context';

describe('Sforce-Call-Options', () => {
  it('reads the client among other call options', () => {
    expect(callOptionsClient('client=sync-worker')).toBe('sync-worker');
    expect(callOptionsClient('defaultNamespace=ns, client=abc ')).toBe('abc');
    expect(callOptionsClient('defaultNamespace=ns')).toBeUndefined();
    expect(callOptionsClient(undefined)).toBeUndefined();
  });

  it('becomes the CDC changeOrigin of an API write', () => {
    expect(apiWriteContext('64.0', 'client=x').changeOrigin).toBe('com/salesforce/api/rest/64.0;client=x');
    expect(apiWriteContext('60.0', undefined).changeOrigin).toBe('com/salesforce/api/rest/60.0');
  });
});
