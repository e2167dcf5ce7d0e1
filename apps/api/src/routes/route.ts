import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { CustomerService, DeadLetterService, InvoiceService, MikroORM, Republish } from '@cs/domain';
import type { Logger } from '@cs/platform';

export interface RouteDeps {
  logger: Logger;
  customers: CustomerService;
  invoices: InvoiceService;
  /** For the read-only sync views (status, events, summary): plain queries, no unit of work. */
  orm: MikroORM;
  deadLetters: DeadLetterService;
  /** Puts a replayed dead letter back on its Kafka topic. */
  republish: Republish;
  /** The enabled systems (SYNC_SYSTEMS): listed in a sync status even before anything happened. */
  systems: readonly string[];
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  req: Request;
  res: Response;
  deps: RouteDeps;
}

/** One route: its contract (for validation and the OpenAPI document) and its handler. */
export interface Route<P extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodType | undefined = z.ZodType | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: /api/v1/customers/{id} */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The body may be left out entirely (no Content-Type needed then); one that is sent is validated. */
  bodyOptional?: boolean;
  /** Request headers worth documenting (e.g. If-Match). */
  headers?: Array<{ name: string; description: string }>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (input: RouteInput<P, Q, B>) => Promise<void>;
}

export function defineRoute<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  route: Route<P, Q, B>,
): Route {
  return route as unknown as Route;
}

export const expressPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1');

/** The header every versioned write documents (http/versions.ts reads it). */
export const ifMatchHeader = [{ name: 'If-Match', description: 'The version you read, as an entity tag: "3"' }];

type ErrorDocs = Record<401 | 404 | 409 | 412 | 413 | 415 | 422, { description: string }>;

/** The error answers of a versioned write with a JSON body on one record (PUT, PATCH, an action). */
export const versionedWriteErrors = (e: ErrorDocs) => ({ 401: e[401], 404: e[404], 409: e[409], 412: e[412], 413: e[413], 415: e[415], 422: e[422] });
