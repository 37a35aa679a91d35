export { type Clock, sleep, systemClock, type TimerHandle } from './clock.js';
export { atDeadline, type DeadlineTimer } from './deadline.js';
export { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';
export { type Tick, Ticker, type TickerObserver } from './ticker.js';
