import type { Connector } from '../connector';
import { salesforceConnector } from '../salesforce/connector';
import { stripeConnector } from '../stripe/connector';

/**
 * Every connector this build knows, by system name. Enabling one is configuration
 * (SYNC_SYSTEMS); adding one is a folder under src/ and a line here.
 */
export const BUILT_IN_CONNECTORS: readonly Connector[] = [stripeConnector, salesforceConnector];
