import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServerCases, serverCaseFileProblems, serverCases } from '../../src/conformance/healthz/cases.js';
import { SERVER_RULES } from '../../src/conformance/healthz/rules.js';
import { isFlip, type RequestStep, type ServerCase } from '../../src/conformance/healthz/types.js';

const recordingFile = fileURLToPath(
  new URL('../../fixtures/dapr-traces/server_responses.json', import.meta.url),
);

interface Recorded {
  state: string;
  request: string;
  status: number;
  headers: Array<[string, string]>;
  body: string;
}
const recordings = (JSON.parse(readFileSync(recordingFile, 'utf8')) as { responses: Recorded[] }).responses;

const all = loadServerCases().map(({ serverCase }) => serverCase);
const requestSteps = (c: ServerCase) => c.steps.filter((s): s is RequestStep => !isFlip(s));

describe('the shipped healthz cases', () => {
  it('validate against the schema, with unique ids', () => {
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  });

  it.each(['control-plane', 'sidecar'] as const)(
    'give the %s profile at least 25 cases, core and strict',
    (profile) => {
      const cases = serverCases({ profile });
      expect(cases.length).toBeGreaterThanOrEqual(25);
      expect(cases.filter((c) => c.level === 'core').length).toBeGreaterThanOrEqual(15);
      expect(cases.some((c) => c.level === 'strict')).toBe(true);
      expect(cases.some((c) => c.start === 'fresh')).toBe(true);
      expect(cases.some((c) => c.start === 'any')).toBe(true);
      expect(cases.some((c) => c.steps.filter(isFlip).length >= 3)).toBe(true);
    },
  );

  it('pin down every rule of the server catalogue', () => {
    const used = new Set(all.flatMap((c) => c.rules));
    expect(Object.keys(SERVER_RULES).filter((rule) => !used.has(rule))).toEqual([]);
  });

  it('name the id prefix of their profile', () => {
    expect(all.filter((c) => !c.id.startsWith(`${c.profile}-`)).map((c) => c.id)).toEqual([]);
  });
});

describe('cases taken from the recorded Dapr responses', () => {
  const recordedSteps = all.flatMap((c) =>
    requestSteps(c)
      .filter((s) => s.recorded)
      .map((s) => [`${c.id}: ${s.recorded}`, s] as const),
  );

  it('cover most of the recording', () => {
    const referenced = new Set(recordedSteps.map(([, s]) => s.recorded));
    // HTTP/1.0 requests are the ones left: Node's client speaks HTTP/1.1 only.
    const left = recordings
      .map((r) => `${r.state}: ${r.request.split('\r\n')[0]}`)
      .filter((key) => !referenced.has(key));
    expect(left.every((key) => key.endsWith('HTTP/1.0'))).toBe(true);
    expect(recordedSteps.length).toBeGreaterThanOrEqual(40);
  });

  it.each(recordedSteps)('%s agrees with the recording', (_, step) => {
    const [state, line] = (step.recorded as string).split(': ');
    const recorded = recordings.find((r) => r.state === state && r.request.split('\r\n')[0] === line);
    expect(recorded, `no recorded response for ${step.recorded}`).toBeDefined();
    if (!recorded) return;
    expect(line).toBe(`${step.request.method} ${step.request.path} HTTP/1.1`);
    expect(step.expect.status).toBe(recorded.status);
    if (step.expect.body !== undefined) expect(step.expect.body).toBe(recorded.body);
    const headers = new Map(recorded.headers.map(([name, value]) => [name.toLowerCase(), value]));
    for (const [name, value] of Object.entries(step.expect.headers ?? {})) {
      expect(headers.get(name.toLowerCase()), name).toBe(value ?? undefined);
    }
    if (step.expect.headerNames)
      expect(step.expect.headerNames).toEqual(recorded.headers.map(([name]) => name));
  });
});

describe('loading case files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const valid = (id: string): ServerCase => ({
    id,
    description: 'ready is 200',
    profile: 'control-plane',
    level: 'core',
    rules: ['control-plane.readiness'],
    steps: [{ do: 'ready' }, { request: { method: 'GET', path: '/healthz' }, expect: { status: 200 } }],
  });
  const folder = (files: Record<string, unknown>) => {
    dir = mkdtempSync(join(tmpdir(), 'probekit-healthz-cases-'));
    for (const [name, value] of Object.entries(files)) {
      writeFileSync(join(dir, name), JSON.stringify(value));
    }
    return dir;
  };

  it('reads a folder of valid files in name order', () => {
    const cases = loadServerCases(
      folder({ 'b.json': { cases: [valid('b')] }, 'a.json': { cases: [valid('a')] } }),
    );
    expect(cases.map((c) => c.serverCase.id)).toEqual(['a', 'b']);
  });

  it('rejects a duplicate id, naming both files', () => {
    const where = folder({ 'a.json': { cases: [valid('x')] }, 'b.json': { cases: [valid('x')] } });
    expect(() => loadServerCases(where)).toThrowError(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_SCENARIO',
        message: expect.stringMatching(/"x".*a\.json/),
      }),
    );
  });

  it('rejects schema violations, unknown rules and impossible steps, listing each', () => {
    const bad = {
      cases: [
        { ...valid('a'), level: 'timing' },
        { ...valid('b'), rules: ['control-plane.made-up'] },
        { ...valid('c'), start: 'fresh' },
        { ...valid('d'), steps: [{ do: 'ready' }] },
      ],
    };
    expect(serverCaseFileProblems(bad)).toEqual([expect.stringMatching(/^\/cases\/0\/level/)]);
    const noSchemaErrors = { cases: bad.cases.slice(1) };
    expect(serverCaseFileProblems(noSchemaErrors)).toEqual([
      '/cases/0/rules unknown rule "control-plane.made-up"',
      '/cases/1/steps has a "do" step, which a "fresh" case cannot have (it must not depend on flipping readiness)',
      '/cases/2/steps has no request',
    ]);
    expect(() => loadServerCases(folder({ 'bad.json': bad }))).toThrowError(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_SCENARIO',
        message: expect.stringContaining('bad.json'),
      }),
    );
  });

  it('rejects a trailing flip that nothing checks', () => {
    const trailing = { ...valid('t'), steps: [...valid('t').steps, { do: 'not-ready' }] };
    expect(serverCaseFileProblems({ cases: [trailing] })).toEqual([
      '/cases/0/steps ends with a "do" step that nothing checks',
    ]);
  });

  it('names a folder that does not exist', () => {
    expect(() => loadServerCases('/nonexistent/probekit-cases')).toThrowError(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_SCENARIO',
        message: expect.stringContaining('/nonexistent'),
      }),
    );
  });
});

describe('cases written for a configured server', () => {
  it('are taken only when the selection names the same configuration', () => {
    const plain = serverCases({ profile: 'sidecar' });
    const tokened = serverCases({ profile: 'sidecar', server: { apiToken: 'probekit-conformance-token' } });
    expect(plain.some((c) => c.server !== undefined)).toBe(false);
    expect(tokened.length).toBeGreaterThanOrEqual(5);
    expect(tokened.every((c) => c.server?.apiToken === 'probekit-conformance-token')).toBe(true);
    expect(serverCases({ profile: 'sidecar', server: { apiToken: 'another' } })).toEqual([]);
  });

  it('reject an empty or unknown server option', () => {
    const base = {
      id: 'x',
      description: 'd',
      profile: 'sidecar',
      level: 'core',
      rules: ['sidecar.api-token'],
      start: 'any',
      steps: [{ request: { method: 'GET', path: '/' }, expect: { status: 401 } }],
    };
    expect(serverCaseFileProblems({ cases: [{ ...base, server: { apiToken: '' } }] })).toEqual([
      expect.stringMatching(/^\/cases\/0\/server\/apiToken/),
    ]);
    expect(serverCaseFileProblems({ cases: [{ ...base, server: { token: 'x' } }] })).toEqual([
      expect.stringMatching(/^\/cases\/0\/server must NOT have additional properties/),
    ]);
  });
});
