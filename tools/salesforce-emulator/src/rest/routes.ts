import * as collections from './collection-handlers';
import * as misc from './misc-handlers';
import * as queries from './query-handlers';
import * as sobjects from './sobject-handlers';
import type { RestRoute } from './types';

const route = (key: string, handle: RestRoute['handle']): RestRoute => ({ key, handle });

const R = {
  resources: route('GET /', misc.resources),
  limits: route('GET limits', misc.limits),
  query: route('GET query', queries.query),
  queryAll: route('GET queryAll', queries.queryAll),
  queryMore: route('GET query/:locator', queries.queryMore),
  queryAllMore: route('GET queryAll/:locator', queries.queryMore),
  create: route('POST sobjects/Account', sobjects.createAccount),
  updated: route('GET sobjects/Account/updated', misc.updated),
  deleted: route('GET sobjects/Account/deleted', misc.deleted),
  describe: route('GET sobjects/Account/describe', misc.describeAccount),
  get: route('GET sobjects/Account/:id', sobjects.getAccount),
  update: route('PATCH sobjects/Account/:id', sobjects.updateAccount),
  remove: route('DELETE sobjects/Account/:id', sobjects.deleteAccount),
  getByExt: route('GET sobjects/Account/:field/:value', sobjects.getByExternalId),
  upsert: route('PATCH sobjects/Account/:field/:value', sobjects.upsertByExternalId),
  createMany: route('POST composite/sobjects', collections.createMany),
  updateMany: route('PATCH composite/sobjects', collections.updateMany),
  deleteMany: route('DELETE composite/sobjects', collections.deleteMany),
  upsertMany: route('PATCH composite/sobjects/Account/:field', collections.upsertMany),
  retrieveMany: route('POST composite/sobjects/Account', collections.retrieveMany),
};

/** Matches the path after /services/data/vNN.N/ (already split and decoded). */
export function matchRestRoute(method: string, parts: readonly string[]): RestRoute | null {
  const [a, b, c, d] = parts;
  const n = parts.length;
  if (n === 0) return method === 'GET' ? R.resources : null;
  if (a === 'limits' && n === 1 && method === 'GET') return R.limits;
  if ((a === 'query' || a === 'queryAll') && method === 'GET') {
    if (n === 1) return a === 'query' ? R.query : R.queryAll;
    if (n === 2) return a === 'query' ? R.queryMore : R.queryAllMore;
    return null;
  }
  if (a === 'sobjects' && b === 'Account') {
    if (n === 2) return method === 'POST' ? R.create : null;
    if (n === 3 && method === 'GET' && c === 'updated') return R.updated;
    if (n === 3 && method === 'GET' && c === 'deleted') return R.deleted;
    if (n === 3 && method === 'GET' && c === 'describe') return R.describe;
    if (n === 3) return method === 'GET' ? R.get : method === 'PATCH' ? R.update : method === 'DELETE' ? R.remove : null;
    if (n === 4) return method === 'GET' ? R.getByExt : method === 'PATCH' ? R.upsert : null;
    return null;
  }
  if (a === 'composite' && b === 'sobjects') {
    if (n === 2) return method === 'POST' ? R.createMany : method === 'PATCH' ? R.updateMany : method === 'DELETE' ? R.deleteMany : null;
    if (n === 3 && c === 'Account' && method === 'POST') return R.retrieveMany;
    if (n === 4 && c === 'Account' && d !== undefined && method === 'PATCH') return R.upsertMany;
  }
  return null;
}
