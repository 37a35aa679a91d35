export { EventQueue } from './event-queue.js';
export { CheckerMachine, type MachineSettings } from './machine.js';
export { simulateEvents } from './simulate-events.js';
