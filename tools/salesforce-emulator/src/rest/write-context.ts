import type { WriteContext } from '../accounts/transaction';
import { INTEGRATION_USER_ID } from '../ids';

/** `Sforce-Call-Options: client=sync-worker, defaultNamespace=x` → "sync-worker". */
export function callOptionsClient(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(',')) {
    const [name, ...rest] = part.split('=');
    if (name?.trim().toLowerCase() === 'client') {
      const value = rest.join('=').trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/** An API write: changeOrigin "com/salesforce/api/rest/<version>[;client=<id>]" as CDC reports it. */
export function apiWriteContext(version: string, callOptions: string | undefined): WriteContext {
  const client = callOptionsClient(callOptions);
  return {
    userId: INTEGRATION_USER_ID,
    changeOrigin: `com/salesforce/api/rest/${version}${client === undefined ? '' : `;client=${client}`}`,
    via: 'api',
  };
}
