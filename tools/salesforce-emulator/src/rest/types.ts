import type { IncomingMessage } from 'node:http';
import type { WriteContext } from '../accounts/transaction';
import type { EmulatorState } from '../state';

export interface RestRequest {
  state: EmulatorState;
  req: IncomingMessage;
  /** "64.0" from /services/data/v64.0/... */
  version: string;
  /** Path segments after the version, URL-decoded. */
  parts: string[];
  query: URLSearchParams;
  /** Parsed JSON body; undefined when there is none. */
  body: unknown;
  /** Who writes, for CDC changeOrigin and commitUser. */
  ctx: WriteContext;
}

export interface RestResult {
  status: number;
  /** Omitted for 204. */
  body?: unknown;
}

export interface RestRoute {
  /** Template reported in stats, e.g. "PATCH sobjects/Account/:field/:value". */
  key: string;
  handle(request: RestRequest): RestResult;
}
