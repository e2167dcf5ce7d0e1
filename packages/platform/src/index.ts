export * from './env';
export * from './errors';
export * from './health';
export * from './health-server';
export * from './http';
export * from './logger';
export * from './shutdown';
export * from './token-bucket';
