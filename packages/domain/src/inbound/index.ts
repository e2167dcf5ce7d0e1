export * from './apply-external-change';
export * from './types';
