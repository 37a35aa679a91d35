#!/usr/bin/env node
// A deliberately broken checker for the process-protocol tests: `>=` instead of `==` on the
// failure threshold, so it emits `false` on every failure past the threshold instead of once
// per streak. Otherwise a small Dapr-like loop (ticker with one slot, initial delay after the
// ticker starts, one probe at a time), in plain Node so it starts fast.
import { request } from 'node:http';

const env = process.env;
const number = (name, fallback) => (env[name] === undefined ? fallback : Number(env[name]));
const interval = number('PROBEKIT_INTERVAL_MS', 5000);
const initialDelay = number('PROBEKIT_INITIAL_DELAY_MS', 1000);
const timeout = number('PROBEKIT_REQUEST_TIMEOUT_MS', 2000);
const threshold = number('PROBEKIT_FAILURE_THRESHOLD', 2);
const success = number('PROBEKIT_SUCCESS_STATUS_CODE', 200);

process.stdout.write('start\n');
const origin = performance.now();

// The ticker: ticks due at k·interval, one waiting at most.
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
    // The bug: `>=` where Dapr has `==`.
    if (failures >= threshold) process.stdout.write('false\n');
  }
}
