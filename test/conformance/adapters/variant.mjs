#!/usr/bin/env node
// probekit's checker behind checker protocol 2, with one variation picked by PROBEKIT_TEST_VARIANT,
// for the suite's self-tests in real time (test/conformance/process-noise.test.ts):
//   late               faithful, but every timer (ticks, timeouts) fires 0–20 ms late at random
//   follow-redirects   probes follow 3xx redirects (as Go's net/http does, Dapr 1.11+)
//   initial-false      prints a false before the first probe (Dapr's unshipped v1.12 checker)
import {
  startEndpointHealthCheck,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withRequestTimeout,
  withSuccessStatusCode,
  withTransport,
} from 'probekit';

const env = process.env;
const variant = env.PROBEKIT_TEST_VARIANT;
const line = (word) => process.stdout.write(`${word} ${process.hrtime.bigint()}\n`);
const int = (name) => (env[name] === undefined ? undefined : Number(env[name]));

const options = [];
for (const [name, option] of [
  ['PROBEKIT_INITIAL_DELAY_MS', withInitialDelay],
  ['PROBEKIT_INTERVAL_MS', withInterval],
  ['PROBEKIT_REQUEST_TIMEOUT_MS', withRequestTimeout],
  ['PROBEKIT_FAILURE_THRESHOLD', withFailureThreshold],
  ['PROBEKIT_SUCCESS_STATUS_CODE', withSuccessStatusCode],
]) {
  if (int(name) !== undefined) options.push(option(int(name)));
}

if (variant === 'late') {
  // A busy machine: every wait of the checker ends 0–20 ms after it should.
  options.push(
    withClock({
      get now() {
        return performance.now();
      },
      setTimeout: (callback, ms) => setTimeout(callback, ms + Math.random() * 20),
      clearTimeout: (handle) => clearTimeout(handle),
    }),
  );
} else if (variant === 'follow-redirects') {
  options.push(
    withTransport(async ({ url, timeout, signal }) => {
      const response = await fetch(url, {
        redirect: 'follow',
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeout)]),
      });
      await response.arrayBuffer();
      return { status: response.status };
    }),
  );
} else if (variant !== 'initial-false') {
  console.error(`variant.mjs: unknown PROBEKIT_TEST_VARIANT=${variant}`);
  process.exit(2);
}

// Warm up fetch and undici on a throwaway request, never against PROBEKIT_URL.
await fetch('data:,warm').then((r) => r.text());
const check = startEndpointHealthCheck(env.PROBEKIT_URL, ...options);
line('start');
if (variant === 'initial-false') line('false');
process.once('SIGTERM', () => check.stop().finally(() => process.exit(0)));
const readDelay = int('PROBEKIT_READ_DELAY_MS') ?? 0;
if (readDelay > 0) await new Promise((resolve) => setTimeout(resolve, readDelay));
for await (const healthy of check) line(String(healthy));
