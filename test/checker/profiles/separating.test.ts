import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../../src/checker/profiles/catalogue.js';
import { loadProfileExpectations, loadScenarios } from '../../../src/scenario/fixtures.js';
import type { Trace } from '../../../src/scenario/types.js';

/**
 * The checker fixtures as evidence for telling Dapr versions apart (issue 12, `--identify`):
 * every pair of profiles must give a different trace on at least one of them, and the
 * scenarios written to separate two profiles do.
 */

const ids = loadScenarios().map(({ scenario }) => scenario.id);

/** What an outsider sees of a trace: each probe's start and outcome, each signal. */
function observable(trace: Trace | undefined): string {
  if (!trace) return 'refused';
  const probes = trace.probes.map((p) => `${p.start}:${p.outcome ?? '?'}`).join(' ');
  const signals = trace.signals.map((s) => `${s.value ? 'T' : 'F'}@${s.at}`).join(' ');
  return `${probes} | ${signals}`;
}

const views = new Map(
  PROFILE_NAMES.map((profile) => [
    profile,
    new Map(loadProfileExpectations(profile).map((e) => [e.id, observable(e.expected)])),
  ]),
);

const view = (profile: string, id: string): string => views.get(profile as never)?.get(id) ?? 'missing';

describe('the checker fixtures', () => {
  const pairs = PROFILE_NAMES.flatMap((a, i) => PROFILE_NAMES.slice(i + 1).map((b) => [a, b] as const));

  it.each(pairs)('tell %s and %s apart on at least one scenario', (a, b) => {
    expect(ids.filter((id) => view(a, id) !== view(b, id)).length).toBeGreaterThan(0);
  });
});

describe('the scenarios that separate profiles', () => {
  it('slow-answers-one-probe-at-a-time: dapr-1.0 probes one at a time, dapr-1.10.5 overlaps its probes', () => {
    expect(view('dapr-1.0', 'slow-answers-one-probe-at-a-time')).toBe(
      '200:200 450:200 700:200 950:? | T@450 T@700 T@950',
    );
    expect(view('dapr-1.10.5', 'slow-answers-one-probe-at-a-time')).toBe(
      '200:200 400:200 600:200 800:200 1000:? | T@450 T@650 T@850 T@1050',
    );
  });

  it('failures-apart-never-add-up: apphealth 1.12 stays healthy, apphealth 1.16 falls at the third failure', () => {
    expect(view('dapr-apphealth-1.12', 'failures-apart-never-add-up')).toMatch(/\| T@0$/);
    expect(view('dapr-apphealth-1.16', 'failures-apart-never-add-up')).toMatch(/\| T@0 F@500 T@600$/);
    expect(view('dapr-1.0', 'failures-apart-never-add-up')).toMatch(/\| T@100 T@300 T@500 T@700$/);
  });

  it('redirects-relative-location: net/http profiles follow the redirect, fasthttp ones fail it', () => {
    expect(view('dapr-1.10.5', 'redirects-relative-location')).toMatch(/^100:200 200:200/);
    expect(view('dapr-1.0', 'redirects-relative-location')).toMatch(/^100:301 200:302/);
  });

  it('timeout-0-fails-unsent: dapr-1.1 fails unsent, dapr-1.9 sends and succeeds', () => {
    expect(view('dapr-1.1', 'timeout-0-fails-unsent')).toMatch(/^100:timeout/);
    expect(view('dapr-1.9', 'timeout-0-fails-unsent')).toMatch(/^100:200/);
  });
});
