/** One Salesforce REST error: `{message, errorCode, fields}` as the API puts it in an array. */
export interface SfErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** Thrown by handlers for a whole-request failure; the pipeline answers `[body]` with `status`. */
export class SfError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields: string[] | undefined = [],
  ) {
    super(message);
  }

  body(): SfErrorBody[] {
    const one: SfErrorBody = { message: this.message, errorCode: this.errorCode };
    if (this.fields !== undefined) one.fields = this.fields;
    return [one];
  }

  /** The per-record shape inside sObject Collections answers. */
  collectionError(): { statusCode: string; message: string; fields: string[] } {
    return { statusCode: this.errorCode, message: this.message, fields: this.fields ?? [] };
  }
}

export const notFound = (message = 'The requested resource does not exist'): SfError => new SfError(404, 'NOT_FOUND', message);
export const invalidField = (message: string): SfError => new SfError(400, 'INVALID_FIELD', message);
export const malformedQuery = (message: string): SfError => new SfError(400, 'MALFORMED_QUERY', message, undefined);
export const invalidSession = (): SfError => new SfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid', undefined);
export const requestLimitExceeded = (): SfError => new SfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', undefined);
export const serverUnavailable = (): SfError => new SfError(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable, please try again later.', undefined);
export const jsonParseError = (message: string): SfError => new SfError(400, 'JSON_PARSER_ERROR', message, undefined);
export const entityIsDeleted = (): SfError => new SfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
export const unableToLockRow = (id: string | null): SfError =>
  new SfError(400, 'UNABLE_TO_LOCK_ROW', `unable to obtain exclusive access to this record or 1 records: ${id ?? ''}`.trimEnd());
