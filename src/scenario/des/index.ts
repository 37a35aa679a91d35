export { EventQueue } from './event-queue.js';
export { ProfileRunner, type ProfileRunSettings } from './profile-runner.js';
export { profileRunner, simulateEvents, simulateEventsYielding } from './simulate-events.js';
