export * from './processed-events';
export * from './settings';
export * from './still-needed';
export * from './sync-event-partitions';
