export * from './catalog';
export * from './customer';
