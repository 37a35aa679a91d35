import {
  type Option,
  startEndpointHealthCheck,
  withClock,
  withFailureThreshold,
  withInitialDelay,
  withInterval,
  withProfile,
  withRequestTimeout,
  withSuccessStatusCode,
  withTransport,
} from '../checker/index.js';
import { profileNamed } from '../checker/profiles/catalogue.js';
import type { CheckerAdapter } from './adapter.js';
import type { ScenarioOptions } from './types.js';

/** Dapr-style options for the scenario options that are set. */
export function optionsFromScenario(options: ScenarioOptions): Option[] {
  const opts: Option[] = [];
  if (options.initialDelayMs !== undefined) opts.push(withInitialDelay(options.initialDelayMs));
  if (options.intervalMs !== undefined) opts.push(withInterval(options.intervalMs));
  if (options.requestTimeoutMs !== undefined) opts.push(withRequestTimeout(options.requestTimeoutMs));
  if (options.failureThreshold !== undefined) opts.push(withFailureThreshold(options.failureThreshold));
  if (options.successStatusCode !== undefined) opts.push(withSuccessStatusCode(options.successStatusCode));
  return opts;
}

/**
 * probekit's own checker as a conformance adapter: the reference every fixture was made with.
 *
 * @example
 * const report = await runCheckerConformance(referenceAdapter);
 */
export const referenceAdapter: CheckerAdapter = {
  name: 'probekit reference (Dapr v1.0)',
  start: (url, options, { clock, transport }) =>
    startEndpointHealthCheck(
      url,
      ...optionsFromScenario(options),
      withClock(clock),
      withTransport(transport),
    ),
};

/**
 * probekit's checker under a Dapr profile as a conformance adapter: the engine playing that
 * version (the in-process model an implementation of it is judged against).
 *
 * @example
 * const identification = await identifyChecker(profileAdapter('dapr-1.1')); // behaves like dapr-1.1
 */
export function profileAdapter(profile: string): CheckerAdapter {
  const name = profileNamed(profile).name;
  return {
    name: `probekit ${name}`,
    start: (url, options, { clock, transport }) =>
      startEndpointHealthCheck(
        url,
        withProfile(name),
        ...optionsFromScenario(options),
        withClock(clock),
        withTransport(transport),
      ),
  };
}
