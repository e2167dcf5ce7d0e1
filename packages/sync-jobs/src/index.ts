export * from './backfill';
export * from './catch-up';
export * from './cursors';
export * from './inbound-publisher';
export * from './progress';
export * from './reconcile';
export * from './retention';
export * from './stream-follower';
export { QuotaHold } from './page-reader';
