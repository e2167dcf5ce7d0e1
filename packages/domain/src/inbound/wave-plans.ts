import { StatisticsGate } from '../plan-statistics';

/** The tables the wave statements (update-batch, create-batch) probe: their plans are kept once these have statistics. */
export const WAVE_PLANS = new StatisticsGate(['customers', 'external_mappings', 'processed_events']);
