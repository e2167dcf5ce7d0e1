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
    return {
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: propSchema,
    };
  });
}

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(routes: Route[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => {
        const schema = r.schema ?? (Number(status) >= 400 ? errorResponse : undefined);
        return [status, { description: r.description, ...(schema ? { content: { 'application/json': { schema: schemaOf(schema, 'output') } } } : {}) }];
      }),
    );
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
