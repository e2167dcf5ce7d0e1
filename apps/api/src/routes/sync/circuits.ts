import { systemCircuits } from '@cs/domain';
import { defineRoute } from '../route';
import { errors } from './errors';
import { circuitsResponse } from './schemas';

/** The workers' circuit breakers, as they report them to the database (the API never calls the systems). */
export default defineRoute({
  method: 'get',
  path: '/api/v1/sync/circuits',
  operationId: 'getSyncCircuits',
  summary: "Each external system's circuit breaker in the running workers: closed, half-open (probing) or open (not called; its messages wait)",
  tag: 'sync',
  responses: { 200: { description: 'Every enabled system, with each live worker’s report', schema: circuitsResponse }, 401: errors[401] },
  async handler({ res, deps }) {
    res.json({ systems: await systemCircuits(deps.orm.em.fork(), deps.systems), generated_at: new Date().toISOString() });
  },
});
