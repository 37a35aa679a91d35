import { Agent } from 'node:http';
import { type Clock, systemClock } from '../../time/clock.js';
import { type CaseResult, makeReport, type Report } from '../common/report.js';
import { serverCases } from './cases.js';
import { compareResponse, formatServerDiff, noResponse, type ResponseMismatch } from './compare.js';
import { exchange } from './exchange.js';
import type { ServerSession } from './session.js';
import { openSession, type ServerTarget } from './targets.js';
import {
  isFlip,
  type ServerCase,
  type ServerConfiguration,
  type ServerLevel,
  type ServerProfile,
} from './types.js';

/**
 * Which cases to run against a server, and how to hear about them.
 *
 * @example
 * const options: ServerConformanceOptions = { profile: 'sidecar', levels: ['core'], onResult: (r) => console.log(r.id) };
 */
export interface ServerConformanceOptions {
  /** Which server the target is: the control-plane `/healthz` or the sidecar `/v1.0/healthz`. */
  readonly profile: ServerProfile;
  /** Run only these levels (default: all). */
  readonly levels?: readonly ServerLevel[];
  /** Case ids to run (default: all). */
  readonly only?: readonly string[];
  /** A folder of case files (default: the fixtures shipped with probekit). */
  readonly fixturesDir?: string;
  /** How the target was started, e.g. `{ apiToken }`: runs the cases written for that (default: none). */
  readonly server?: ServerConfiguration;
  /** ms one request may take before it counts as unanswered (default 2000). */
  readonly requestTimeoutMs?: number;
  /** Aborting it skips the cases not yet started (the running one finishes). */
  readonly signal?: AbortSignal;
  /** Called after each case, for progress output. */
  readonly onResult?: (result: ServerCaseResult) => void;
  /** Real time; only tests of this module replace it. */
  readonly clock?: Clock;
}

/**
 * A case result with the server suite's details: the 1-based step that differed and how.
 *
 * @example
 * if (result.status === 'fail') console.log(result.step, result.mismatches);
 */
export interface ServerCaseResult extends CaseResult {
  /** The 1-based step that differed (fail) or could not run (error). */
  readonly step?: number;
  readonly mismatches?: readonly ResponseMismatch[];
}

/**
 * A case that was not run, and why.
 *
 * @example
 * report.skipped.map((s) => `${s.id}: ${s.reason}`);
 */
export interface SkippedCase {
  readonly id: string;
  readonly level: ServerLevel;
  readonly reason: string;
}

/**
 * The report of a server suite run: the shared {@link Report} plus the cases left out.
 *
 * @example
 * const { passed, failed, skipped } = await runServerConformance(server, { profile: 'control-plane' });
 */
export interface ServerReport extends Report {
  readonly results: readonly ServerCaseResult[];
  readonly profile: ServerProfile;
  readonly skipped: readonly SkippedCase[];
}

/** Why a case cannot run against a server whose readiness probekit cannot drive. */
const NO_CONTROL_REASON =
  'it needs the readiness driven (a flip, a fresh server or a known state), and this target has no ready()/notReady(): use --exec or pass the functions';

/**
 * Splits the selected cases into those that can run against `session` and those that cannot,
 * ordered to run: `fresh` cases first, while nothing has flipped the server yet.
 *
 * @example
 * const { run, skipped } = planServerRun(cases, true);
 */
export function planServerRun(
  cases: readonly ServerCase[],
  canControl: boolean,
): { run: ServerCase[]; skipped: SkippedCase[] } {
  const runnable = cases.filter((c) => canControl || c.start === 'any');
  const skipped = canControl
    ? []
    : cases
        .filter((c) => c.start !== 'any')
        .map((c) => ({ id: c.id, level: c.level, reason: NO_CONTROL_REASON }));
  // Fresh cases first, while nothing has flipped the server; core before strict in each group.
  const rank = (c: ServerCase) => (c.start === 'fresh' ? 0 : 2) + (c.level === 'core' ? 0 : 1);
  return { run: runnable.sort((a, b) => rank(a) - rank(b)), skipped };
}

function baseOf(serverCase: ServerCase) {
  return {
    id: serverCase.id,
    level: serverCase.level,
    description: serverCase.description,
    rules: serverCase.rules,
    diffs: [],
  };
}

async function runCase(
  serverCase: ServerCase,
  session: ServerSession,
  { agent, timeoutMs, clock }: { agent: Agent; timeoutMs: number; clock: Clock },
): Promise<ServerCaseResult> {
  const started = clock.now;
  const base = baseOf(serverCase);
  const elapsed = () => clock.now - started;
  const error = (message: string, step?: number): ServerCaseResult => ({
    ...base,
    status: 'error',
    message,
    elapsedMs: elapsed(),
    ...(step === undefined ? {} : { step }),
  });
  if (session.broken) return error(`The server cannot be driven any more: ${session.broken}`);
  const { control } = session;
  const start = serverCase.start ?? 'not-ready';
  try {
    // Every case but a fresh one starts from a known state: not ready.
    if (start !== 'fresh' && control) await control.notReady();
  } catch (cause) {
    return error(`Could not make the server not ready before the case: ${(cause as Error).message}`);
  }
  for (const [index, step] of serverCase.steps.entries()) {
    if (isFlip(step)) {
      try {
        if (!control) return error('The case flips readiness, which this target cannot do.', index + 1);
        await (step.do === 'ready' ? control.ready() : control.notReady());
      } catch (cause) {
        return error(`Step ${index + 1} (${step.do}) failed: ${(cause as Error).message}`, index + 1);
      }
      continue;
    }
    const outcome = await exchange(session.address, step.request, { agent, timeoutMs, clock });
    if (!outcome.ok && outcome.failure.code === 'ECONNREFUSED') {
      return error(
        `Nothing accepts connections on ${session.address.hostname}:${session.address.port} (step ${index + 1}: ${outcome.failure.message}).`,
        index + 1,
      );
    }
    const mismatches = outcome.ok
      ? compareResponse(step.expect, outcome.response)
      : [noResponse(outcome.failure, step.expect)];
    if (mismatches.length) {
      return {
        ...base,
        status: 'fail',
        message: formatServerDiff(serverCase, index, mismatches),
        elapsedMs: elapsed(),
        step: index + 1,
        mismatches,
      };
    }
  }
  return { ...base, status: 'pass', elapsedMs: elapsed() };
}

/**
 * Runs the healthz-server conformance suite of one profile against a server: in process
 * (`{ handler, ready, notReady }`, e.g. `createHealthzServer()`), already listening
 * (`{ url, ready?, notReady? }`) or in another process (`{ exec }`, driven over stdin). Every
 * request is real HTTP/1.1 over 127.0.0.1 on a fresh connection. A case that differs fails with
 * the step, the request, and expected against actual status, headers and body.
 *
 * Never rejects for a misbehaving server: a server that cannot be started or driven turns
 * into `error` results. It rejects only for bad arguments or invalid fixtures.
 *
 * @example
 * const report = await runServerConformance(createSidecarHealthz(), { profile: 'sidecar', levels: ['core'] });
 * console.log(`${report.passed} passed, ${report.failed} failed, ${report.skipped.length} skipped`);
 */
export async function runServerConformance(
  target: ServerTarget,
  options: ServerConformanceOptions,
): Promise<ServerReport> {
  const clock = options.clock ?? systemClock;
  const started = clock.now;
  const cases = serverCases(options);
  const results: ServerCaseResult[] = [];
  const report = (name: string, skipped: SkippedCase[]): ServerReport => ({
    ...makeReport('server', name, results, clock.now - started),
    results,
    profile: options.profile,
    skipped,
  });
  let session: ServerSession;
  try {
    session = await openSession(target, { profile: options.profile, clock });
  } catch (cause) {
    const message = (cause as Error).message;
    if ((cause as { code?: string }).code === 'ERR_PROBEKIT_INVALID_OPTION') throw cause;
    for (const serverCase of planServerRun(cases, true).run) {
      const result: ServerCaseResult = { ...baseOf(serverCase), status: 'error', message, elapsedMs: 0 };
      results.push(result);
      options.onResult?.(result);
    }
    return report(targetName(target), []);
  }
  const agent = new Agent({ keepAlive: false });
  try {
    const { run, skipped } = planServerRun(cases, session.control !== undefined);
    for (const serverCase of run) {
      if (options.signal?.aborted) break;
      const result = await runCase(serverCase, session, {
        agent,
        timeoutMs: options.requestTimeoutMs ?? 2000,
        clock,
      });
      results.push(result);
      options.onResult?.(result);
    }
    return report(session.name, skipped);
  } finally {
    agent.destroy();
    await session.close();
  }
}

function targetName(target: ServerTarget): string {
  if (target.name) return target.name;
  if ('exec' in target) return `exec: ${target.exec}`;
  if ('url' in target) return `url: ${target.url}`;
  return 'in-process server';
}
