import { type ExchangeFailure, headerMap, headerNames, type ObservedResponse } from './exchange.js';
import { SERVER_RULES, type ServerRuleId } from './rules.js';
import {
  isFlip,
  type ResponseExpectation,
  type ServerCase,
  type ServerRequest,
  type ServerStep,
} from './types.js';

/**
 * One way a response differed from its expectation.
 *
 * @example
 * const mismatch: ResponseMismatch = { field: 'header', name: 'Content-Type', expected: '(absent)', actual: '"text/plain"' };
 */
export interface ResponseMismatch {
  readonly field: 'status' | 'header' | 'header-names' | 'body' | 'after-response' | 'no-response';
  /** The header, for `header`. */
  readonly name?: string;
  /** Rendered for people: strings quoted, `(absent)` for a missing header. */
  readonly expected: string;
  readonly actual: string;
}

const ABSENT = '(absent)';
const quote = (text: string) => JSON.stringify(text);

/**
 * Compares a response with what was expected; only what the expectation names is compared.
 * Returns the mismatches in a stable order (status, headers, header names, body), empty when
 * the response conforms. Anything on the connection after the response is always a mismatch.
 *
 * @example
 * compareResponse({ status: 200, body: '' }, { status: 503, rawHeaders: [], body: '' });
 * // [{ field: 'status', expected: '200', actual: '503' }]
 */
export function compareResponse(expect: ResponseExpectation, actual: ObservedResponse): ResponseMismatch[] {
  const mismatches: ResponseMismatch[] = [];
  if (expect.status !== actual.status) {
    mismatches.push({ field: 'status', expected: String(expect.status), actual: String(actual.status) });
  }
  const headers = headerMap(actual.rawHeaders);
  for (const [name, value] of Object.entries(expect.headers ?? {})) {
    const got = headers.get(name.toLowerCase());
    if ((value ?? undefined) === got) continue;
    mismatches.push({
      field: 'header',
      name,
      expected: value === null ? ABSENT : quote(value),
      actual: got === undefined ? ABSENT : quote(got),
    });
  }
  if (expect.headerNames) {
    const names = headerNames(actual.rawHeaders);
    const same =
      names.length === expect.headerNames.length &&
      names.every((name, i) => name.toLowerCase() === expect.headerNames?.[i]?.toLowerCase());
    if (!same) {
      mismatches.push({
        field: 'header-names',
        expected: expect.headerNames.join(', ') || '(none)',
        actual: names.join(', ') || '(none)',
      });
    }
  }
  if (expect.body !== undefined && expect.body !== actual.body) {
    mismatches.push({ field: 'body', expected: quote(expect.body), actual: quote(actual.body) });
  }
  if (actual.afterResponse !== undefined) {
    mismatches.push({
      field: 'after-response',
      expected: 'nothing after the response',
      actual: actual.afterResponse,
    });
  }
  return mismatches;
}

/**
 * The mismatch of a request that got no whole response.
 *
 * @example
 * noResponse({ code: 'ETIMEDOUT', message: 'no complete response within 2000 ms' }, { status: 200 });
 */
export function noResponse(failure: ExchangeFailure, expect: ResponseExpectation): ResponseMismatch {
  return {
    field: 'no-response',
    expected: `a response (${expect.status})`,
    actual: `${failure.code}: ${failure.message}`,
  };
}

/**
 * A request in one line: method, target, and the headers the case sets.
 *
 * @example
 * describeRequest({ method: 'GET', path: '/healthz', headers: { 'X-Probe': '1' } }); // 'GET /healthz (X-Probe: 1)'
 */
export function describeRequest(request: ServerRequest): string {
  const headers = Object.entries(request.headers ?? {}).map(([name, value]) => `${name}: ${value}`);
  return `${request.method} ${request.path}${headers.length ? ` (${headers.join(', ')})` : ''}`;
}

/**
 * One step in one line: `ready`, or `GET /healthz → 200`.
 *
 * @example
 * explainStep({ do: 'not-ready' }); // 'not-ready'
 */
export function explainStep(step: ServerStep): string {
  if (isFlip(step)) return step.do;
  return `${describeRequest(step.request)} → ${step.expect.status}`;
}

function label(mismatch: ResponseMismatch): string {
  switch (mismatch.field) {
    case 'header':
      return `header ${mismatch.name}`;
    case 'header-names':
      return 'header names';
    case 'after-response':
      return 'connection';
    case 'no-response':
      return 'response';
    default:
      return mismatch.field;
  }
}

/**
 * The readable diff of a failed case: the step that differed and the request it sent, expected
 * against actual for each field, the steps around it, and the rules the case pins down.
 *
 * @example
 * formatServerDiff(serverCase, 1, mismatches);
 * // Step 2 of 2 differs: GET /healthz after "ready"
 * //   status            expected 200
 * //                     actual   503
 * // …
 */
export function formatServerDiff(
  serverCase: ServerCase,
  failedIndex: number,
  mismatches: readonly ResponseMismatch[],
): string {
  const step = serverCase.steps[failedIndex] as ServerStep;
  const before = serverCase.steps.slice(0, failedIndex).filter(isFlip);
  const lastFlip = before[before.length - 1];
  const state = lastFlip
    ? `after "${lastFlip.do}"`
    : serverCase.start === 'fresh'
      ? 'on a server nobody has flipped'
      : serverCase.start === 'any'
        ? 'in whatever state the server is'
        : 'after probekit made it not ready';
  const request = isFlip(step) ? step.do : describeRequest(step.request);
  const lines = [`Step ${failedIndex + 1} of ${serverCase.steps.length} differs: ${request} ${state}`];
  const width = Math.max(...mismatches.map((m) => label(m).length)) + 2;
  for (const mismatch of mismatches) {
    lines.push(`  ${label(mismatch).padEnd(width)}expected ${mismatch.expected}`);
    lines.push(`  ${''.padEnd(width)}actual   ${mismatch.actual}`);
  }
  if (!isFlip(step) && step.recorded) lines.push(`  (recorded from Dapr v1.0: ${step.recorded})`);
  lines.push('Steps:');
  serverCase.steps.forEach((s, i) => {
    const mark = i < failedIndex ? '✓' : i === failedIndex ? '✗' : ' ';
    lines.push(`  ${mark} ${i + 1}. ${explainStep(s)}${i > failedIndex ? ' (not run)' : ''}`);
  });
  lines.push('Breaks:');
  for (const rule of serverCase.rules) {
    lines.push(`  ${rule}: ${SERVER_RULES[rule as ServerRuleId] ?? '(unknown rule)'}`);
  }
  return lines.join('\n');
}
