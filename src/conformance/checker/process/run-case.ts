import { DEFAULTS } from '../../../checker/options.js';
import { profileNamed, REFERENCE_PROFILE } from '../../../checker/profiles/catalogue.js';
import { startMockServer } from '../../../endpoint/backends/server/server.js';
import type { EndpointDefinition } from '../../../endpoint/script/model.js';
import { formatDiff, isTimingOnly } from '../../../scenario/compare.js';
import type { Scenario, Trace } from '../../../scenario/types.js';
import { type Clock, systemClock } from '../../../time/clock.js';
import { atDeadline, type DeadlineTimer } from '../../../time/deadline.js';
import { type ChildExit, spawnImplementation } from '../../common/child-process.js';
import type { CaseResult } from '../../common/report.js';
import { headlineOf, type ProfileCaseVerdict } from '../identify.js';
import { expectedUnder } from '../suite.js';
import type { Observation } from './observed-trace.js';
import {
  CHECKER_PROTOCOL_VERSION,
  childEnv,
  parseProtocolLine,
  protocolEnv,
  protocolLineTimer,
} from './protocol.js';
import { mockIdleTimeoutMs, type ScaledScenario, scaleScenario } from './scale.js';
import { separateTimeoutTies } from './ties.js';
import { judgeRun } from './verdict.js';

/** How to run scenarios against an implementation in another process. */
export interface ProcessCaseOptions {
  /** The command that starts the implementation, run by `/bin/sh -c` in its own process group. */
  readonly command: string;
  /** Every scenario time is multiplied by this (default 1). */
  readonly timeScale?: number;
  /** ms two times may differ by (default: max(20 ms, 15% of the scaled interval)). */
  readonly tolerance?: number;
  /** Working directory of the command (default: this process's). */
  readonly cwd?: string;
  /** The environment the command inherits, protocol variables aside (default: `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** How long the command has to exit after SIGTERM before SIGKILL (default 1000 ms). */
  readonly graceMs?: number;
  /** How long to wait for a first line before timing the case from the spawn (default 10000 ms). */
  readonly startupTimeoutMs?: number;
  /** Aborting it ends the running case at once (as an error) and kills the command. */
  readonly signal?: AbortSignal;
  /** Real time; only tests of this module replace it. */
  readonly clock?: Clock;
  /**
   * The Dapr version the implementation is judged as (default `dapr-1.0`): the expected trace
   * is that profile's, and behaviour is derived by its loop (see `judgeRun`).
   */
  readonly profile?: string;
  /**
   * Judge the same run as each of these profiles as well (`--identify`): the verdicts land in
   * `CaseResult.profiles`.
   */
  readonly judgeAs?: readonly string[];
}

/** The request timeout a profile runs `scenario` with: its own default when the scenario sets none; Infinity when 0 means none. */
function timeoutUnder(scenario: Scenario, profile: string): number {
  const { defaults, client } = profileNamed(profile);
  const timeout = scenario.options.requestTimeoutMs ?? defaults.requestTimeout;
  return timeout <= 0 && client.zeroTimeout === 'no-timeout' ? Number.POSITIVE_INFINITY : timeout;
}

/** The path the implementation is told to probe; a request for any other path is not a probe. */
const PROBE_PATH = '/healthz';

const DEFAULT_GRACE_MS = 1000;
const DEFAULT_STARTUP_TIMEOUT_MS = 10_000;

/**
 * The default tolerance of a real-time comparison: 20 ms, or 15% of the (scaled) interval when
 * that is more, since a slow interval leaves more room for scheduling noise. 20 ms because that
 * is what an idle machine needs: measured, a warmed-up Node or Python checker's first probe or
 * timer still lands 11–20 ms late now and then; the schedule differences the timing cases look
 * for (a waiting tick, a dropped one) are 50–100 ms.
 *
 * @example
 * defaultTolerance({ intervalMs: 100 }); // 20
 * defaultTolerance({}); // 750 (Dapr's 5 s default interval)
 */
export function defaultTolerance(options: Scenario['options']): number {
  return Math.max(20, 0.15 * (options.intervalMs ?? DEFAULTS.interval));
}

/** What a real-time run produced; `problem` is set when the implementation broke the protocol. */
interface Played {
  readonly observation?: Observation;
  readonly problem?: string;
  readonly stderr: string;
  readonly timedFromSpawn: boolean;
}

const NO_START =
  'no "start" line: times are measured from the spawn, so its start-up time shifts every event. Print "start" right before starting the checker';

function describeExit(exit: ChildExit, spawnedAt: number, cwd: string | undefined): string {
  // Node reports a missing working directory as a missing shell: name the directory too.
  if (exit.error)
    return `could not be started: ${exit.error.message}${cwd ? ` (working directory ${JSON.stringify(cwd)})` : ''}`;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return `${how}, ${Math.round(exit.at - spawnedAt)} ms after it was spawned, before the case was over (an implementation must run until it is stopped)`;
}

/** Starts the mock server and the command, reads the protocol, and cuts the run at its end. */
async function play(
  scenario: Scenario,
  definition: EndpointDefinition,
  options: ProcessCaseOptions,
  clock: Clock,
): Promise<Played> {
  const server = await startMockServer(definition, {
    host: '127.0.0.1',
    port: 0,
    seed: scenario.seed ?? 0,
    clock,
    control: 'off',
    idleTimeoutMs: mockIdleTimeoutMs(scenario),
  });
  const timers: DeadlineTimer[] = [];
  let child: ReturnType<typeof spawnImplementation> | undefined;
  let onAbort: (() => void) | undefined;
  let played: Omit<Played, 'stderr'>;
  try {
    const env = childEnv(options.env ?? process.env, protocolEnv(scenario, `${server.url}${PROBE_PATH}`));
    // Lines arrive timed: by the timestamp they carry (protocol 2), or on arrival.
    child = spawnImplementation(options.command, {
      env,
      cwd: options.cwd,
      clock,
      timeLine: protocolLineTimer(clock),
    });
    const spawned = child;
    // The script's t = 0 is the spawn until a `start` line moves it.
    server.setScript(definition);
    let origin: number | undefined;
    let timedFromSpawn = false;
    const signals: Array<{ at: number; value: boolean }> = [];
    let problem: string | undefined;
    let finished = false;
    let markDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      markDone = resolve;
    });
    const finish = (why?: string) => {
      if (finished) return;
      finished = true;
      problem = why;
      markDone();
    };
    const startAt = (at: number) => {
      origin = at;
      timers.push(atDeadline(clock, at + scenario.durationMs, () => finish()));
    };
    timers.push(
      atDeadline(clock, spawned.spawnedAt + (options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS), () => {
        if (origin !== undefined) return;
        timedFromSpawn = true;
        startAt(spawned.spawnedAt);
      }),
    );
    spawned.onLine((text, at) => {
      if (finished) return;
      const line = parseProtocolLine(text);
      if (line.kind === 'ignored') return;
      if (line.kind === 'invalid') {
        finish(
          `printed ${JSON.stringify(line.text)} on stdout, which protocol ${CHECKER_PROTOCOL_VERSION} does not allow: only "start", "true", "false" (each optionally followed by the monotonic clock in integer ns), blank lines and "#" comments. Write logs to stderr`,
        );
        return;
      }
      if (line.kind === 'start') {
        if (origin !== undefined) {
          finish(
            timedFromSpawn || signals.length
              ? 'printed "start" after its first signal (or after the start-up timeout): "start" must be the first line'
              : 'printed "start" twice',
          );
          return;
        }
        // The checker's t = 0: restart the script so its times count from here too — from the
        // instant the line was stamped (protocol 2), not from when it got here.
        server.setScript(definition, { startedAt: at });
        startAt(at);
        return;
      }
      if (origin === undefined) {
        timedFromSpawn = true;
        startAt(spawned.spawnedAt);
      }
      signals.push({ at, value: line.value });
    });
    // Over a cap or a bad timestamp: the process is being killed already.
    spawned.onProblem((why) => finish(why));
    void spawned.exited.then((exit) => finish(describeExit(exit, spawned.spawnedAt, options.cwd)));
    if (options.signal) {
      onAbort = () => finish('the run was interrupted');
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
    await done;
    // Snapshot at the cut: nothing that happens while the command is being stopped counts.
    const observation: Observation = {
      origin: origin ?? spawned.spawnedAt,
      entries: server.journal.entries(),
      signals: [...signals],
    };
    played = { observation, problem, timedFromSpawn };
  } finally {
    for (const timer of timers) timer.cancel();
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    await child?.stop(options.graceMs ?? DEFAULT_GRACE_MS);
    await server.close();
  }
  // Read once the pipes are closed: what a crashing process wrote last arrives after its exit.
  return { ...played, stderr: child?.stderrTail() ?? '' };
}

function withStderr(message: string, stderr: string): string {
  const tail = stderr.trim() === '' ? '(its stderr was empty)' : `its stderr ended with:\n${indent(stderr)}`;
  return `${message}\n${tail}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  | ${line}`)
    .join('\n');
}

/**
 * Runs one scenario against an implementation in another process, in real time: a mock
 * server on 127.0.0.1 plays the (scaled) script, the command gets the protocol variables, its
 * stdout lines are timestamped, and the observable trace (requests the server saw, values the
 * command printed) is compared with the expected one within the tolerance. A command that
 * breaks the protocol (exits early, prints anything else) gives an `error` with its stderr.
 * The command and the server are always stopped before this resolves.
 *
 * @example
 * const result = await runProcessCase(scenario, { command: 'python3 docs/examples/dapr_checker.py' });
 * if (result.status !== 'pass') console.log(result.message);
 */
export async function runProcessCase(scenario: Scenario, options: ProcessCaseOptions): Promise<CaseResult> {
  const clock = options.clock ?? systemClock;
  const began = clock.now;
  const base = {
    id: scenario.id,
    level: scenario.level,
    description: scenario.description,
    rules: scenario.rules,
  };
  const error = (message: string): CaseResult => ({
    ...base,
    status: 'error',
    diffs: [],
    message,
    elapsedMs: clock.now - began,
  });
  const profile = profileNamed(options.profile ?? REFERENCE_PROFILE).name;
  let prepared: ScaledScenario;
  let expected: Trace;
  let played: Played;
  let tolerance: number;
  let requestTimeoutMs: number;
  const notes: string[] = [];
  try {
    prepared = await scaleScenario(scenario, options.timeScale ?? 1);
    notes.push(...prepared.notes);
    const underProfile = await expectedUnder({ ...prepared.scenario, expected: prepared.expected }, profile);
    if ('refused' in underProfile) {
      return { ...base, status: 'skip', diffs: [], message: underProfile.refused, elapsedMs: 0 };
    }
    expected = underProfile;
    tolerance = options.tolerance ?? defaultTolerance(prepared.scenario.options);
    requestTimeoutMs = timeoutUnder(prepared.scenario, profile);
    const shift = Math.ceil(tolerance) + 1;
    const { definition, moved } = separateTimeoutTies(prepared.definition, requestTimeoutMs, shift);
    if (moved > 0) {
      notes.push(
        `answers due at the very instant of the ${requestTimeoutMs} ms request timeout were served ${shift} ms later: real time cannot stage a tie, and the timeout wins it either way.`,
      );
    }
    played = await play(prepared.scenario, definition, options, clock);
  } catch (caught) {
    return error(caught instanceof Error ? caught.message : String(caught));
  }
  const who = JSON.stringify(options.command);
  if (played.problem !== undefined || !played.observation) {
    return error(
      withStderr(
        `Failed to run scenario ${scenario.id} against ${who}: it ${played.problem}.`,
        played.stderr,
      ),
    );
  }
  const observation = played.observation;
  const { diffs, actual, shownExpected, explanation } = judgeRun({
    scenario: prepared.scenario,
    expected,
    observation,
    tolerance,
    requestTimeoutMs,
    probePath: PROBE_PATH,
    source: `exec: ${options.command}`,
    profile,
  });
  const profiles = options.judgeAs?.length
    ? await judgeAsProfiles(options.judgeAs, prepared, observation, tolerance, options.command)
    : undefined;
  if (played.timedFromSpawn) notes.push(`${NO_START}.`);
  const noteText = notes.map((note) => `note: ${note}`).join('\n');
  const elapsedMs = clock.now - began;
  if (diffs.length === 0) {
    return {
      ...base,
      status: 'pass',
      diffs,
      elapsedMs,
      actual,
      ...(notes.length ? { message: noteText } : {}),
      ...(profiles ? { profiles } : {}),
    };
  }
  const behaviourFailed = diffs.some((d) => !isTimingOnly(d) && !d.kind.endsWith('probe'));
  const diff = formatDiff(diffs, shownExpected, actual, scenario.rules, {
    ...(behaviourFailed ? { explanation } : {}),
  });
  return {
    ...base,
    status: 'fail',
    diffs,
    message: [
      diff,
      `  (real time, level ${scenario.level}, tolerance ${tolerance} ms: behaviour is judged on the responses the implementation received${scenario.level === 'timing' ? '; the schedule within the tolerance, a probe that starts when the previous one ends expected at the end the endpoint saw' : ''})`,
      noteText,
    ]
      .filter(Boolean)
      .join('\n'),
    elapsedMs,
    actual,
    // What the implementation said about it, with every failure (not only errors).
    ...(played.stderr.trim() ? { stderr: played.stderr } : {}),
    ...(profiles ? { profiles } : {}),
  };
}

/** The same run judged as each profile: pass, fail with its headline, or skip (the profile refuses the scenario). */
async function judgeAsProfiles(
  names: readonly string[],
  prepared: ScaledScenario,
  observation: Observation,
  tolerance: number,
  command: string,
): Promise<Record<string, ProfileCaseVerdict>> {
  const verdicts: Record<string, ProfileCaseVerdict> = {};
  for (const name of names) {
    const profile = profileNamed(name).name;
    const expected = await expectedUnder({ ...prepared.scenario, expected: prepared.expected }, profile);
    if ('refused' in expected) {
      verdicts[profile] = { status: 'skip', headline: expected.refused };
      continue;
    }
    const { diffs, actual, shownExpected } = judgeRun({
      scenario: prepared.scenario,
      expected,
      observation,
      tolerance,
      requestTimeoutMs: timeoutUnder(prepared.scenario, profile),
      probePath: PROBE_PATH,
      source: `exec: ${command}`,
      profile,
    });
    if (diffs.length === 0) {
      verdicts[profile] = { status: 'pass' };
      continue;
    }
    const message = formatDiff(diffs, shownExpected, actual, prepared.scenario.rules);
    verdicts[profile] = { status: 'fail', headline: headlineOf(message), message, diffs };
  }
  return verdicts;
}
