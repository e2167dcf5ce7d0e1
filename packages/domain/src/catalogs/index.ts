export * from './catalog';
export * from './customer';
export * from './invoice';
