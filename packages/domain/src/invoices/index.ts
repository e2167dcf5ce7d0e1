export * from './currencies';
export * from './rules';
export * from './service';
