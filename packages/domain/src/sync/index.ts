export * from './dead-letter-service';
export * from './dead-letters';
export * from './mappings';
export * from './park';
export * from './sync-events';
