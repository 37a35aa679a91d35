/**
 * Milliseconds since the Unix epoch, for timestamps people read (ISO times in a journal).
 * Never for waiting or measuring: that is the monotonic `Clock`'s job.
 *
 * @example
 * new Date(systemWallClock()).toISOString();
 */
export type WallClock = () => number;

/**
 * The real wall clock (`Date.now()`), kept here with the other clocks so code elsewhere can be
 * given a fixed one in tests.
 *
 * @example
 * const startedAt = systemWallClock();
 */
export const systemWallClock: WallClock = () => Date.now();
