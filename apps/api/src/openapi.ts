import { z } from 'zod';
import type { Route } from './routes';
import { errorResponse } from './routes/customers/schemas';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

/** JSON Schema (draft 2020-12, which OpenAPI 3.1 uses) straight from the zod schema the route validates with. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const json = schemaOf(schema, 'input');
  return Object.entries(json.properties ?? {}).map(([name, prop]) => {
    const { description, ...propSchema } = prop;
    // An integer parameter (routes/params.ts intString) is checked as text by a pattern; the document gives the integer.
    if (propSchema.type === 'integer') delete propSchema.pattern;
    return {
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: propSchema,
    };
  });
}

/** The 400 that shared middleware answers before the handler runs: a body that is not JSON (platform/http.ts), a bad If-Match (http/versions.ts). */
function badRequestOf(route: Route): Route['responses'] {
  const why = [route.body ? 'the body is not valid JSON' : '', route.headers?.some((h) => h.name === 'If-Match') ? 'If-Match is not a version entity tag, or disagrees with the body version' : ''].filter(Boolean);
  return why.length ? { 400: { description: `Malformed request: ${why.join('; or ')}` } } : {};
}

/** Every route is behind the per-key rate limit (http/rate-limit.ts), when it is on. */
const THROTTLED = {
  description: 'Too many requests for this API key (or address, when the API is open); Retry-After says in how many seconds to try again',
  headers: { 'Retry-After': { description: 'Seconds to wait, a whole number ≥ 1', schema: { type: 'integer', minimum: 1 } } },
};

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(routes: Route[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses = Object.fromEntries(
      Object.entries({ ...badRequestOf(route), ...route.responses }).map(([status, r]) => {
        const schema = r.schema ?? (Number(status) >= 400 ? errorResponse : undefined);
        return [status, { description: r.description, ...(schema ? { content: { 'application/json': { schema: schemaOf(schema, 'output') } } } : {}) }];
      }),
    );
    responses[429] = { ...THROTTLED, content: { 'application/json': { schema: schemaOf(errorResponse, 'output') } } };
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [
        ...parametersOf(route.params, 'path'),
        ...parametersOf(route.query, 'query'),
        ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: { type: 'string' } })),
      ],
      ...(route.body ? { requestBody: { required: !route.bodyOptional, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } } : {}),
      responses,
      security: [{ bearerAuth: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'customer-sync API',
      version,
      description: 'The internal customer catalog. Every accepted change is synced to every connected system (Stripe, …).',
    },
    servers: [{ url: '/' }],
    paths,
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
  };
}
