import type { EmissionView, LoopBusy, ProbeView, Timeline, TimelineEvent } from './timeline-model.js';

/**
 * One short reason for an event, citing the rule that made it happen (docs/semantics.md):
 * `"503 ≠ 200 → failure 2 of 2 → emit false, once per streak"`,
 * `"dropped: tick 100 is already waiting (initial delay)"`.
 *
 * @example
 * const timeline = buildTimeline(trace);
 * for (const event of timeline.events) console.log(event.at, explainEvent(event, timeline));
 */
export function explainEvent(event: TimelineEvent, timeline: Timeline): string {
  const o = timeline.options;
  switch (event.kind) {
    case 'start': {
      if (timeline.profile) return explainProfileStart(timeline);
      // Mirrors Dapr: the ticker starts first, then the initial delay runs.
      const parts = [];
      if (o.intervalMs !== undefined) parts.push(`ticker every ${o.intervalMs} ms`);
      if (o.initialDelayMs !== undefined) parts.push(`initial delay ${o.initialDelayMs} ms`);
      return parts.length ? parts.join('; ') : 'the check starts';
    }
    case 'delay-end':
      return explainDelayEnd(event.at, event.waitingTick, timeline);
    case 'tick':
      if (event.busy === undefined) return `loop is waiting → probe #${event.probe} at once`;
      return `waits (${busyText(event.busy)})${
        event.probe === undefined ? '' : ` → probe #${event.probe} at ${event.takenAt}`
      }`;
    case 'tick-dropped': {
      // Why the waiting tick waits is on its own row; the rule here is the one-slot buffer.
      return event.waitingTick === undefined
        ? `dropped: a tick is already waiting (${busyText(event.busy)})`
        : `dropped: tick ${event.waitingTick} already waiting`;
    }
    case 'probe-start':
      return explainProbeStart(event.probe);
    case 'probe-end':
      return explainOutcome(event.probe, timeline);
    case 'signal':
      return explainSignal(event.emission, timeline);
    case 'blocked':
      return 'no probes until the consumer reads';
    case 'unblocked': {
      const value = event.value === undefined ? 'the value' : String(event.value);
      return `room in the buffer: ${value} queued, loop resumes`;
    }
    case 'delivered': {
      const e = event.emission;
      return `consumer reads ${e.value} from ${e.at} (${event.at - e.at} ms late)`;
    }
    case 'end': {
      const notes = [];
      if (event.inflight !== undefined) notes.push(`probe #${event.inflight} in flight`);
      if (event.blocked) notes.push('loop still blocked');
      const unread = timeline.emissions.filter((e) => e.deliveredAt === undefined).length;
      if (unread) notes.push(`${unread} signal${unread === 1 ? '' : 's'} unread`);
      return `run ends at ${event.at} ms${notes.length ? ` (${notes.join(', ')})` : ''}`;
    }
  }
}

function explainDelayEnd(at: number, waitingTick: number | undefined, timeline: Timeline): string {
  if (waitingTick !== undefined) return `initial delay ends; tick ${waitingTick} waiting → probe at once`;
  const next = timeline.ticks?.delivered.find((t) => t > at) ?? timeline.probes[0]?.start;
  if (next === undefined) return 'initial delay ends; waiting for a tick';
  // The lesson of Dapr's defaults: a 1 s delay behind a 5 s ticker changes nothing.
  return `initial delay ends before tick ${next}: no effect`;
}

/**
 * Why the loop could not take a tick, in a few words.
 *
 * @example
 * busyText({ why: 'blocked', since: 350 }); // 'blocked since 350'
 */
export function busyText(busy: LoopBusy): string {
  switch (busy.why) {
    case 'initial-delay':
      return `delay until ${busy.until}`;
    case 'probing':
      return `probe #${busy.probe} running`;
    case 'blocked':
      return `blocked since ${busy.since}`;
    case 'unknown':
      return 'loop busy';
  }
}

function explainProbeStart(p: ProbeView): string {
  if (p.tick === undefined) return 'GET';
  if (p.tick === p.start) return `tick ${p.tick} → GET`;
  return `stale tick ${p.tick} taken at once → GET`;
}

/** What the outcome was, in words: `503 ≠ 200`, `no answer in 50 ms → timeout`, … */
function outcomeText(p: ProbeView, timeline: Timeline): string {
  const expected = timeline.options.successStatusCode;
  const outcome = p.outcome;
  if (outcome === undefined) return p.success ? 'success' : 'failure';
  if (/^\d{3}$/.test(outcome)) {
    if (timeline.options.anySuccess2xx) return `${outcome} ${p.success ? 'is' : 'is not'} 2xx`;
    return `${outcome} ${p.success ? '=' : '≠'} ${expected}`;
  }
  if (outcome === 'timeout') {
    const limit = timeline.options.requestTimeoutMs;
    return limit === undefined ? 'timeout' : `timeout (${limit} ms)`;
  }
  const words: Record<string, string> = {
    refused: 'connection refused',
    reset: 'connection reset',
    closed: 'closed without a response',
    'invalid-url': 'invalid address',
  };
  return words[outcome] ?? outcome;
}

/**
 * How a profile's loop starts, in its own words (PROFILES.md §1): v1.13 and the app health
 * checker probe at once, v1.10.5 starts a goroutine on every tick.
 */
function explainProfileStart(timeline: Timeline): string {
  const o = timeline.options;
  const loop = timeline.profile?.loop;
  const every = o.intervalMs === undefined ? '' : ` every ${o.intervalMs} ms`;
  if (loop?.kind === 'phased') {
    const unhealthy =
      o.unhealthyIntervalMs === undefined ? '' : `, ${o.unhealthyIntervalMs} ms while unhealthy`;
    return `probe at once (no initial delay); then${every} while healthy${unhealthy}`;
  }
  if (loop?.kind === 'app-health') return `probe at once (queued at start-up), then a tick${every}`;
  const parts = [`ticker${every}`];
  if (o.initialDelayMs !== undefined) parts.push(`initial delay ${o.initialDelayMs} ms`);
  if (loop?.kind === 'goroutine-per-tick') parts.push('a goroutine per tick');
  return parts.join('; ');
}

/**
 * Why one probe saw more than one request, or `''`: the profile's client says which can happen
 * (a redirect followed, a GET sent again on a new connection).
 *
 * @example
 * requestsNote(probe, timeline); // '2 requests: redirect followed'
 */
export function requestsNote(p: ProbeView, timeline: Timeline): string {
  const requests = p.requests ?? 1;
  if (requests <= 1) return '';
  const client = timeline.profile?.client;
  const why =
    client === undefined || (client.followRedirects > 0 && client.reusedConnectionFailure === 'retry')
      ? 'a redirect followed or the GET sent again'
      : client.followRedirects > 0
        ? 'redirect followed'
        : 'GET sent again on a new connection';
  return `${requests} requests: ${why}`;
}

function requestsText(p: ProbeView, timeline: Timeline): string {
  const note = requestsNote(p, timeline);
  return note ? ` (${note})` : '';
}

function explainOutcome(p: ProbeView, timeline: Timeline): string {
  const head = `${outcomeText(p, timeline)}${p.sent ? '' : ' (nothing sent)'}${requestsText(p, timeline)}`;
  if (timeline.profile && p.rule === undefined) return explainProfileOutcome(head, p, timeline);
  if (p.class === 'success') return `${head} → success → emit true, count 0`;
  const n = p.failureCount;
  if (n === undefined) return `${head} → failure`;
  const threshold = timeline.options.failureThreshold;
  const assumed = timeline.options.known ? '' : ' (default)';
  if (threshold <= 0) return `${head} → failure ${n}; threshold ${threshold} never emits false`;
  if (n < threshold) return `${head} → failure ${n} of ${threshold}${assumed} → no signal yet`;
  if (n === threshold)
    return `${head} → failure ${n} of ${threshold}${assumed} → emit false, once per streak`;
  return `${head} → failure ${n} → nothing (false only at ${threshold}${assumed})`;
}

/**
 * A probe's outcome under a profile whose counter is not the reference's: what it emitted is
 * read from the trace's signals, and the profile's rule says why (PROFILES.md §1–§4).
 */
function explainProfileOutcome(head: string, p: ProbeView, timeline: Timeline): string {
  const sent = timeline.emissions.find((e) => e.probe === p.number);
  const n = p.failureCount;
  const threshold = timeline.options.failureThreshold;
  const loop = timeline.profile?.loop;
  const transitionsOnly = loop?.kind === 'phased' || loop?.kind === 'app-health';
  if (p.class === 'success') {
    // The count as the trace reports it, so the reason never contradicts the count column.
    const after = `count ${n ?? 0}`;
    // v1.13 with a threshold ≤ 0: a count of 0 already reaches it, so a success reports false.
    if (sent && !sent.value)
      return `${head} → success, ${after} → emit false; threshold ${threshold}: count ≥ threshold at any probe`;
    if (sent) return `${head} → success → emit true${transitionsOnly ? ' (now healthy)' : ''}, ${after}`;
    return transitionsOnly
      ? `${head} → success, ${after}; no signal (only changes are reported)`
      : `${head} → success, ${after}`;
  }
  const count = n === undefined ? 'failure' : `failure, count ${n}`;
  if (sent) {
    const why =
      threshold <= 0
        ? `threshold ${threshold}: every failure emits false`
        : transitionsOnly
          ? `${threshold} failures → unhealthy`
          : `at ${threshold} or more, false on every failure (count steps back to ${threshold - 1})`;
    return `${head} → ${count} → emit ${sent.value}; ${why}`;
  }
  // A failure counted 0 under v1.13 came in the unhealthy phase, which keeps no count.
  if (loop?.kind === 'phased' && n !== undefined && (n === 0 || (threshold > 0 && n >= threshold))) {
    return `${head} → ${count}; unhealthy: nothing reported, probe again in ${timeline.options.unhealthyIntervalMs ?? 500} ms`;
  }
  if (transitionsOnly && n !== undefined && threshold > 0 && n >= threshold) {
    return `${head} → ${count}; already unhealthy, no signal`;
  }
  if (threshold > 0 && n !== undefined && n < threshold)
    return `${head} → ${count} of ${threshold} → no signal yet`;
  return `${head} → ${count} → no signal`;
}

function explainSignal(e: EmissionView, timeline: Timeline): string {
  if (!e.emissionKnown) return `the consumer received ${e.value}`;
  const emit = `emit ${e.value}`;
  if (e.blocked) {
    // The buffer holds one value, so the unread one is the previous send.
    const before = timeline.emissions[timeline.emissions.indexOf(e) - 1];
    return `${emit}; buffer holds ${before ? before.value : 'a value'} → loop blocks`;
  }
  if (e.deliveredAt === e.at) return `${emit}; the consumer reads it at once`;
  if (e.deliveredAt === undefined) return `${emit}; waits in the buffer, unread at the end`;
  return `${emit}; waits in the buffer (no reader)`;
}
