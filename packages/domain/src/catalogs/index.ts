export * from './catalog';
export * from './customer';
export * from './invoice';
export * from './names';
