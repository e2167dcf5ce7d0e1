import type { Response } from 'express';
import type { ChangeContext } from '@cs/domain';

/** The name of the API key the request came with (bearerAuth sets it); undefined when the API runs open. */
export const apiKeyName = (res: Response): string | undefined => res.locals.apiKeyName as string | undefined;

/**
 * The context of a change made through the API: ours (origin internal), traced by the request id,
 * and made by the key's name — which goes on the outbox envelope and every sync_events row of the
 * change. An open API has no key to name: such changes carry no actor.
 */
export function apiChange(res: Response): ChangeContext {
  const actor = apiKeyName(res);
  return { origin: 'internal', traceId: String(res.locals.requestId), ...(actor !== undefined && { actor }) };
}
