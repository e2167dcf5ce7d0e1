export * from './change-message';
export * from './connector';
export * from './connectors/catalogue';
export * from './connectors/from-env';
export * from './registry';
export * from './types';
export * from './stripe';
