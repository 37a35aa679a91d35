#!/usr/bin/env node
// A process adapter (checker protocol 2, docs/conformance.md) around probekit's own checker.
// Run the conformance suite against it with:
//
//   npm run build && node bin/probekit.js conformance checker --exec "node examples/checker-adapter.mjs"
//
// Everything an adapter in another language has to do is here: read the PROBEKIT_* variables
// (an unset option means "use your default"), print `start` when the checker's schedule starts,
// don't read the signals before PROBEKIT_READ_DELAY_MS, then print each signal as `true` or
// `false`, one per line, until probekit stops the process (SIGTERM). From protocol 2 on, each
// line also carries when it happened on the monotonic clock (ns), so probekit times the event,
// not the moment its own busy event loop got round to reading the line.
import { createServer } from 'node:http';
import {
  startEndpointHealthCheck,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withRequestTimeout,
  withSuccessStatusCode,
} from 'probekit';

const env = process.env;

if (env.PROBEKIT_PROTOCOL !== '1' && env.PROBEKIT_PROTOCOL !== '2') {
  console.error(`checker-adapter: speaks protocol 1 or 2, got PROBEKIT_PROTOCOL=${env.PROBEKIT_PROTOCOL}`);
  process.exit(2);
}
// Protocol 1 knows no timestamps: a line that carried one would be refused.
const stamped = env.PROBEKIT_PROTOCOL !== '1';

/** A protocol line: the word, then (protocol 2) the monotonic clock in ns, read when it happened. */
function line(word, at = process.hrtime.bigint()) {
  return stamped ? `${word} ${at}\n` : `${word}\n`;
}

/** An integer variable, or undefined when it is unset. */
function integer(name) {
  const text = env[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) {
    console.error(`checker-adapter: ${name}=${JSON.stringify(text)} is not an integer`);
    process.exit(2);
  }
  return value;
}

const options = [];
const settings = [
  ['PROBEKIT_INITIAL_DELAY_MS', withInitialDelay],
  ['PROBEKIT_INTERVAL_MS', withInterval],
  ['PROBEKIT_REQUEST_TIMEOUT_MS', withRequestTimeout],
  ['PROBEKIT_FAILURE_THRESHOLD', withFailureThreshold],
  ['PROBEKIT_SUCCESS_STATUS_CODE', withSuccessStatusCode],
];
for (const [name, option] of settings) {
  const value = integer(name);
  if (value !== undefined) options.push(option(value));
}
const readDelay = integer('PROBEKIT_READ_DELAY_MS') ?? 0;

// Warm up before `start`, so that the first probe is not late: run a throwaway check for a few
// probes against a server of our own. It compiles undici's HTTP parser (done on the first
// connection, tens of ms) and gets the checker's code optimised. Never warm up against
// PROBEKIT_URL: probekit would count those requests as probes.
const warmServer = createServer((_request, response) => response.end());
await new Promise((resolve) => warmServer.listen(0, '127.0.0.1', resolve));
const warmUp = startEndpointHealthCheck(
  `http://127.0.0.1:${warmServer.address().port}/`,
  withInterval(2),
  withInitialDelay(0),
);
let warmSignals = 0;
for await (const _ of warmUp) if (++warmSignals === 5) break;
await warmUp.stop();
warmServer.close();

const check = startEndpointHealthCheck(env.PROBEKIT_URL, ...options);
// t = 0 of the scenario: everything probekit measures counts from this line. Stamped right
// after the call, because this checker starts its ticker at the end of the call (after setting
// up its HTTP client): that is the instant its schedule counts from.
process.stdout.write(line('start'));

process.once('SIGTERM', () => {
  check.stop().finally(() => process.exit(0));
});

// Not reading is what a late consumer does: the checker's one-slot channel fills up and its
// loop blocks (docs/semantics.md §1, back-pressure).
if (readDelay > 0) await new Promise((resolve) => setTimeout(resolve, readDelay));

for await (const healthy of check) {
  // Stamped the moment the value is read: that is the signal's time, whenever probekit reads it.
  process.stdout.write(line(String(healthy)));
}
