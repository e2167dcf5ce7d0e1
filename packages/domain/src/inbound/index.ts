export * from './apply-external-change';
export * from './apply-outside-locks';
export * from './types';
export * from './import-batch';
export * from './audit';
export * from './update-batch';
export * from './apply-change';
export * from './apply-invoice';
