export { EventQueue } from './event-queue.js';
export { CheckerMachine, type MachineSettings } from './machine.js';
export { simulateEvents, simulateEventsYielding } from './simulate-events.js';
