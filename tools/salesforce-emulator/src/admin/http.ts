import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http/io';

/** A plain 4xx for bad admin input; admin routes are ours, not Salesforce's, so their own shape. */
export class AdminError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AdminError(400, 'body must be valid JSON');
  }
}

export function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AdminError(400, 'body must be a JSON object');
  return value as Record<string, unknown>;
}

export function sendAdmin(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, JSON.stringify(body));
}

export function sendAdminError(res: ServerResponse, status: number, message: string): void {
  sendAdmin(res, status, { error: message });
}
