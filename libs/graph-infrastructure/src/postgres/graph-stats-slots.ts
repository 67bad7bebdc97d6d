/** Counter rows per user (the migration's CHECK allows slots 0..15); see the migration's comment. */
export const STATS_SLOTS = 16;
