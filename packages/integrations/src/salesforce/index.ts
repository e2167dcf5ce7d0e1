export { SalesforceIntegration, type SalesforceConfig } from './salesforce-integration';
export { AccountsAdapter, type UpsertResult, type ChangedPage } from './accounts';
export { ChangeDataCapture, EARLIEST_CURSOR } from './cdc';
export { SalesforceClient, type Quota } from './client';
export { classifySalesforceError } from './errors';
export { salesforceEnv, type SalesforceEnv } from './env';
export { salesforceConnector } from './connector';
