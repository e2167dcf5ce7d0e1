import { classifyErrorItems, classifySalesforceError, refreshFailure, SalesforceApiError, secondSessionRejection } from './errors';

// The exact shapes the emulator (and Salesforce) answer.
const rest = (status: number, errorCode: string, message: string, fields?: string[]) => new SalesforceApiError(status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);

describe('classifySalesforceError', () => {
  it('retries lock contention, outages, quota and the network, with a wait', () => {
    expect(classifySalesforceError(rest(400, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record or 1 records: 001'))).toMatchObject({ retryable: true, code: 'UNABLE_TO_LOCK_ROW', status: 400, retryAfterMs: 1000 });
    expect(classifySalesforceError(rest(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable, please try again later.'))).toMatchObject({ retryable: true, code: 'SERVER_UNAVAILABLE', status: 503, retryAfterMs: 2000 });
    expect(classifySalesforceError(rest(500, 'UNKNOWN_EXCEPTION', 'boom'))).toMatchObject({ retryable: true, status: 500 });
    expect(classifySalesforceError(rest(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'))).toMatchObject({ retryable: true, retryAfterMs: 900_000 });
    expect(classifySalesforceError(rest(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'))).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(classifySalesforceError(new TypeError('fetch failed'))).toMatchObject({ retryable: true, code: 'network_error' });
    expect(classifySalesforceError(new DOMException('aborted', 'AbortError'))).toMatchObject({ retryable: true, code: 'timeout' });
  });

  it('does not retry validation, and says why', () => {
    expect(classifySalesforceError(rest(400, 'STRING_TOO_LONG', 'Account Name: data value too large', ['Name']))).toEqual({ retryable: false, code: 'STRING_TOO_LONG', status: 400, message: 'Account Name: data value too large (fields: Name)' });
    for (const code of ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'REQUIRED_FIELD_MISSING', 'INVALID_FIELD', 'DUPLICATE_VALUE', 'INVALID_EMAIL_ADDRESS']) {
      expect(classifySalesforceError(rest(400, code, 'no'))).toMatchObject({ retryable: false, code });
    }
  });

  it('names missing and deleted records not_found', () => {
    expect(classifySalesforceError(rest(404, 'NOT_FOUND', 'The requested resource does not exist'))).toMatchObject({ retryable: false, code: 'not_found', status: 404 });
    expect(classifySalesforceError(rest(404, 'ENTITY_IS_DELETED', 'entity is deleted'))).toMatchObject({ code: 'not_found' });
  });

  it('takes a session refused after logging in anew, and refused credentials, as Salesforce down for us (the circuit opens, nothing parks)', () => {
    expect(classifySalesforceError(secondSessionRejection())).toMatchObject({ retryable: true, systemDown: true, code: 'invalid_session', status: 401 });
    expect(classifySalesforceError(refreshFailure(new Error('invalid_client: invalid client credentials')))).toMatchObject({ retryable: true, systemDown: true, code: 'AUTH_FAILED' });
    expect(classifySalesforceError(refreshFailure(new Error('fetch failed')))).toMatchObject({ retryable: true, systemDown: true, code: 'AUTH_UNAVAILABLE' });
  });

  it('marks only the failures of Salesforce itself systemDown, never one record’s', () => {
    for (const err of [rest(503, 'SERVER_UNAVAILABLE', 'down'), rest(500, 'UNKNOWN_EXCEPTION', 'boom'), rest(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), new TypeError('fetch failed'), new DOMException('t', 'TimeoutError')]) {
      expect(classifySalesforceError(err)).toMatchObject({ retryable: true, systemDown: true });
    }
    for (const err of [rest(400, 'UNABLE_TO_LOCK_ROW', 'locked'), rest(400, 'STRING_TOO_LONG', 'too long'), rest(404, 'NOT_FOUND', 'gone'), rest(400, 'DUPLICATE_VALUE', 'dup')]) {
      expect(classifySalesforceError(err).systemDown).toBeUndefined();
    }
  });

  it('reads sObject Collections record errors (statusCode, not errorCode)', () => {
    expect(classifyErrorItems([{ statusCode: 'DUPLICATE_EXTERNAL_ID', message: 'Duplicate external id specified: 1', fields: ['Customer_Sync_Id__c'] }])).toMatchObject({ retryable: false, code: 'DUPLICATE_EXTERNAL_ID' });
    expect(classifyErrorItems([{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access', fields: [] }])).toMatchObject({ retryable: true });
  });

  it('keeps the Salesforce error of a jsforce HttpApiError, with the status we saw', () => {
    const jsforceError = Object.assign(new Error('Session expired or invalid'), { errorCode: 'INVALID_SESSION_ID', data: { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' } });
    expect(SalesforceApiError.from(jsforceError, 401)).toMatchObject({ status: 401, errorCode: 'INVALID_SESSION_ID' });
    const multiple = Object.assign(new Error('Multiple errors returned.'), { errorCode: 'MULTIPLE_API_ERRORS', data: [{ message: 'a', errorCode: 'INVALID_FIELD' }, { message: 'b', errorCode: 'INVALID_FIELD' }] });
    expect(classifySalesforceError(SalesforceApiError.from(multiple, 400))).toMatchObject({ code: 'INVALID_FIELD', message: 'a; b' });
  });
});
