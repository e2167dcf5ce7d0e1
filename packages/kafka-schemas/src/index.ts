export * from './bus';
export * from './envelope';
export * from './messages';
export * from './topics';
