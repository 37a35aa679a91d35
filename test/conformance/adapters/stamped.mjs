#!/usr/bin/env node
// A checker stand-in for the protocol-2 tests: it stamps lines with the monotonic clock (ns)
// at one instant and prints them at least 30 ms later, so a test can tell "timed by the stamp"
// from "timed on arrival" by order alone. It never probes. Modes:
//   stale      `start <t0>`, a comment `# printed <t1>`, then a bare `false` (timed on arrival)
//   trace      `start <t0>` and `false <t0 + 20 ms>`, both printed 30 ms after t0
//   wall       `start <ns since 1970>` (CLOCK_REALTIME: the wrong clock)
//   backwards  `start <t0>`, then `true <t0 - 1 ms>`
// It then runs until it is stopped.
const mode = process.argv[2];
const WAIT_NS = 30_000_000n;
const MS = 1_000_000n;

const t0 = process.hrtime.bigint();
// Busy, not a timer: a timer may fire a fraction of a ms early on the monotonic clock.
while (process.hrtime.bigint() - t0 < WAIT_NS);
const t1 = process.hrtime.bigint();

const lines = {
  stale: [`start ${t0}`, `# printed ${t1}`, 'false'],
  trace: [`start ${t0}`, `false ${t0 + 20n * MS}`],
  wall: [`start ${BigInt(Date.now()) * MS}`],
  backwards: [`start ${t0}`, `true ${t0 - MS}`],
}[mode];
if (!lines) {
  console.error(`stamped.mjs: unknown mode ${JSON.stringify(mode)}`);
  process.exit(2);
}
// One write, so every line leaves at the same instant.
process.stdout.write(`${lines.join('\n')}\n`);
setInterval(() => {}, 60_000);
