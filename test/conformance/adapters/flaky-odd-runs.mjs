#!/usr/bin/env node
// A checker that is flaky on purpose, for the --repeat tests: it counts its own runs in the
// file FLAKY_COUNTER_FILE and, on the runs FLAKY_FAIL_RUNS lists (comma-separated run numbers,
// default: the odd ones), prints a stray "false" right after "start" — an extra signal no
// scenario expects. On the other runs it is a small Dapr-like loop (ticker with one slot, the
// initial delay after the ticker starts, one probe at a time, true on every success, false once
// per streak), in plain Node so it starts fast.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';

const env = process.env;
let count = 0;
try {
  count = Number(readFileSync(env.FLAKY_COUNTER_FILE, 'utf8')) || 0;
} catch {
  // No file yet: this is the first run.
}
count++;
writeFileSync(env.FLAKY_COUNTER_FILE, String(count));
const failRuns = env.FLAKY_FAIL_RUNS?.split(',').map(Number);
const broken = failRuns ? failRuns.includes(count) : count % 2 === 1;
process.stderr.write(`flaky adapter: run ${count}${broken ? ' (the broken kind)' : ''}\n`);

const number = (name, fallback) => (env[name] === undefined ? fallback : Number(env[name]));
const interval = number('PROBEKIT_INTERVAL_MS', 5000);
const initialDelay = number('PROBEKIT_INITIAL_DELAY_MS', 1000);
const timeout = number('PROBEKIT_REQUEST_TIMEOUT_MS', 2000);
const threshold = number('PROBEKIT_FAILURE_THRESHOLD', 2);
const success = number('PROBEKIT_SUCCESS_STATUS_CODE', 200);

// Warm up Node's HTTP client on a throwaway local server first: the first request of a process
// pays for lazy loading and compilation (tens of ms on a loaded machine), which would make the
// first probe late. "start" comes after, so none of this is timed.
await new Promise((resolve) => {
  const server = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1', () => {
    const req = request(`http://127.0.0.1:${server.address().port}/`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => server.close(resolve));
    });
    req.end();
  });
});

process.stdout.write('start\n');
if (broken) process.stdout.write('false\n');
const origin = performance.now();

let waiting = false;
let wake;
let k = 0;
const scheduleTick = () => {
  k++;
  setTimeout(
    () => {
      if (wake) {
        const resolve = wake;
        wake = undefined;
        resolve();
      } else {
        waiting = true;
      }
      scheduleTick();
    },
    Math.max(0, origin + k * interval - performance.now()),
  );
};
scheduleTick();
const nextTick = () => {
  if (waiting) {
    waiting = false;
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    wake = resolve;
  });
};

const probe = () =>
  new Promise((resolve) => {
    const req = request(env.PROBEKIT_URL, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode === success);
      });
      res.on('error', () => resolve(false));
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(false);
    }, timeout);
    req.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    req.end();
  });

await new Promise((resolve) => setTimeout(resolve, initialDelay));
let failures = 0;
for (;;) {
  await nextTick();
  if (await probe()) {
    failures = 0;
    process.stdout.write('true\n');
  } else {
    failures++;
    if (failures === threshold) process.stdout.write('false\n');
  }
}
