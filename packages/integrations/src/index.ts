export * from './change-message';
export * from './connector';
export * from './connectors/catalogue';
export * from './connectors/from-env';
export * from './connectors/modules';
export * from './registry';
export * from './types';
export * from './stripe';
