import { resourceMissing } from '../stripe/errors';
import type { ParamMap } from '../stripe/form';
import { createdParam, limitParam, optionalString } from '../stripe/params';
import type { PageRequest } from '../stripe/pagination';

/** The position a `starting_after`/`ending_before` id stands for; an unknown id is a 400 on Stripe. */
export function cursorParam(params: ParamMap, name: 'starting_after' | 'ending_before', kind: string, position: (id: string) => number | undefined): number | undefined {
  const id = optionalString(params, name);
  if (id === undefined || id === '') return undefined;
  const at = position(id);
  if (at === undefined) throw resourceMissing(kind, id, name, 400);
  return at;
}

/** `limit`, `created` and both cursors of a list endpoint, resolved against a store's seqs. */
export function pageRequest(params: ParamMap, kind: string, seqOf: (id: string) => number | undefined): PageRequest {
  const page: PageRequest = { limit: limitParam(params) };
  const created = createdParam(params);
  if (created !== undefined) page.created = created;
  const after = cursorParam(params, 'starting_after', kind, seqOf);
  if (after !== undefined) page.startingAfter = after;
  const before = cursorParam(params, 'ending_before', kind, seqOf);
  if (before !== undefined) page.endingBefore = before;
  return page;
}
