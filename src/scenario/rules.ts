/**
 * The rules of docs/semantics.md §1, each with a stable id. Scenarios name the rules they pin
 * down; a failed comparison names the rules it breaks.
 */
export const RULES = {
  'schedule.first-tick':
    'The ticker starts before the initial delay: the first probe is at the first tick, not at the end of the delay (§1 Scheduling 1).',
  'schedule.dropped-ticks':
    'The tick channel holds one tick: ticks that come due while one waits are dropped (§1 Scheduling 2).',
  'schedule.tie-tick-first':
    'At equal instants a tick comes first: a tick due when the delay or a probe ends is settled before the loop reads (§1 Scheduling 2).',
  'schedule.stale-tick':
    'Probes run one at a time; a tick that waited is taken at once, so the next probe starts immediately (§1 Scheduling 3).',
  'probe.exact-status':
    'Success iff a response arrives in time with exactly the success status (§1 One probe).',
  'probe.no-redirect': '3xx responses are not followed: they are failures (§1 One probe).',
  'probe.timeout':
    'A probe that has no response by start + requestTimeout is a failure at that instant, even if 200 comes later (§1 One probe).',
  'probe.fault':
    'Refused, reset and closed connections, and unparsable addresses, are one failure each, with no retry (§1 One probe).',
  'probe.keep-alive-no-retry':
    'The connection is kept alive and reused without retry: a probe written into a connection the server closed while idle fails as closed and never reaches it (§1 One probe, Connection reuse without retry).',
  'count.true-every-success': 'Every success emits true and resets the failure count (§1 Counting).',
  'count.one-false-per-streak':
    'A failure emits false only when the count equals the threshold: one false per streak (§1 Counting).',
  'count.threshold-one': 'A threshold of 1 emits false on the first failure of each streak (§1 Counting).',
  'count.threshold-nonpositive': 'A threshold of 0 or less never emits false (§1 Counting).',
  'channel.backpressure':
    'The signal channel holds one value: while it is full the next emit blocks the loop and no probes happen (§1 The signal channel).',
  'channel.no-loss':
    'A consumer that reads late still gets every emitted value, in order (§1 The signal channel).',
  'defaults.dapr':
    'Defaults: initial delay 1 s, timeout 2 s, threshold 2, interval 5 s, success 200; the first probe is at 5 s (§1 Options).',
} as const;

/** A rule id from {@link RULES}. */
export type RuleId = keyof typeof RULES;

/** Whether `id` names a rule in the catalogue. */
export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}
