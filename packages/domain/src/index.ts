export * from './customer-rules';
export * from './customer-service';
export * from './entities';
export * from './errors';
export * from './orm';
export * from './outbox';
export * from './sql';
export * from './sync';
