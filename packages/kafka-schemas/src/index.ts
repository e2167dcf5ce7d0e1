export * from './batching-publisher';
export * from './bus';
export * from './consumer';
export * from './consumer-lag';
export * from './envelope';
export * from './messages';
export * from './topics';
