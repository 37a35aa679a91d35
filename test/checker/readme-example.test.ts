import FakeTimers from '@sinonjs/fake-timers';
import { expect, it } from 'vitest';
import {
  flakyEndpoint,
  startEndpointHealthCheck,
  withClock,
  withInitialDelay,
  withInterval,
  withRequestTimeout,
  withTransport,
} from '../../src/index.js';

it('runs the README virtual-time example as documented', async () => {
  const clock = FakeTimers.createClock(0);
  const endpoint = flakyEndpoint('200, 503*4, 200, 503...', { clock });
  const check = startEndpointHealthCheck(
    'http://endpoint.test/healthz',
    withClock(clock),
    withTransport(endpoint.transport),
    withInterval(100),
    withInitialDelay(30),
    withRequestTimeout(50),
  );
  const seen: string[] = [];
  const reading = (async () => {
    for await (const v of check) seen.push(`${v}@${clock.now}`);
  })();
  await clock.tickAsync(850);
  await check.stop();
  await reading;
  expect(seen).toEqual(['true@100', 'false@300', 'true@600', 'false@800']);
});
