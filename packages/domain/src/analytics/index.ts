export * from './latency-histogram';
export * from './rollups';
export * from './window-cover';
