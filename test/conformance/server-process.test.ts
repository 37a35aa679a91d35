import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { serverEnv, substituteCommand } from '../../src/conformance/healthz/process-session.js';
import { runServerConformance, type ServerReport } from '../../src/conformance/healthz/suite.js';
import type { ExecServerTarget } from '../../src/conformance/healthz/targets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const misbehaving = join(root, 'test/conformance/servers/misbehaving-healthz.mjs');
const node = JSON.stringify(process.execPath);
const work = mkdtempSync(join(tmpdir(), 'probekit-server-process-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function program(mode: string, extra: Partial<ExecServerTarget> = {}): ExecServerTarget {
  return { exec: `${node} ${JSON.stringify(misbehaving)} ${mode}`, cwd: root, ...extra };
}

function unexpected(report: ServerReport): string[] {
  return report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.message}`);
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('probekit serve passes both profiles through the server process protocol', () => {
  it('runs one real process per profile, flips it over stdin, and leaves nothing listening', async () => {
    const portFile = (profile: string) => join(work, `${profile}.port`);
    const run = (profile: 'control-plane' | 'sidecar') =>
      runServerConformance(
        {
          // {port} and {profile} are substituted; the port is also written down to check it closed.
          exec: `echo {port} > ${JSON.stringify(portFile(profile))} && exec ${node} bin/probekit.js serve --port {port} --host 127.0.0.1 --flavour {profile} --quiet`,
          cwd: root,
        },
        { profile },
      );
    const reports = await Promise.all([run('control-plane'), run('sidecar')]);
    for (const report of reports) {
      expect(unexpected(report)).toEqual([]);
      expect(report.passed).toBeGreaterThanOrEqual(25);
      expect(report.implementation).toMatch(/^exec: .*bin\/probekit\.js serve/);
    }
    for (const profile of ['control-plane', 'sidecar']) {
      const port = Number(readFileSync(portFile(profile), 'utf8').trim());
      expect(port).toBeGreaterThan(0);
      expect(await refused(port)).toBe(true);
    }
  });
});

describe.concurrent('the server process protocol', () => {
  it('passes PROBEKIT_PORT, PROBEKIT_PROFILE and the protocol version, dropping inherited ones', () => {
    const env = serverEnv({ PATH: '/bin', PROBEKIT_PORT: '1', PROBEKIT_URL: 'x' }, 4123, 'sidecar');
    expect(env).toEqual({
      PATH: '/bin',
      PROBEKIT_SERVER_PROTOCOL: '1',
      PROBEKIT_PORT: '4123',
      PROBEKIT_PROFILE: 'sidecar',
    });
    expect(substituteCommand('srv --port {port} --port2 {port} --flavour {profile}', 80, 'sidecar')).toBe(
      'srv --port 80 --port2 80 --flavour sidecar',
    );
  });

  it('drives a server that is not probekit (a plain node:http program) through every core case', async () => {
    const report = await runServerConformance(program('good'), {
      profile: 'control-plane',
      levels: ['core'],
    });
    expect(unexpected(report)).toEqual([]);
  });

  it('fails, not errors, a server that answers ok without flipping', async () => {
    const report = await runServerConformance(program('ok-without-flip'), {
      profile: 'control-plane',
      only: ['control-plane-starts-not-ready', 'control-plane-ready-200'],
    });
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['control-plane-starts-not-ready', 'pass'],
      ['control-plane-ready-200', 'fail'],
    ]);
  });

  it('turns a process that exits at start-up into an error for every case, with its stderr', async () => {
    const report = await runServerConformance(program('exit'), {
      profile: 'control-plane',
      levels: ['core'],
    });
    expect(report.errored).toBe(report.results.length);
    expect(report.results[0]?.message).toMatch(
      /exited with code 3 before 127\.0\.0\.1:\d+ accepted connections/,
    );
    expect(report.results[0]?.message).toContain('cannot bind: pretend the port is taken');
  });

  it('gives up on a process that never listens after the start-up timeout', async () => {
    const report = await runServerConformance(program('no-listen', { startupTimeoutMs: 300 }), {
      profile: 'control-plane',
      only: ['control-plane-root-404'],
    });
    expect(report.results[0]?.status).toBe('error');
    expect(report.results[0]?.message).toMatch(
      /nothing accepted connections on 127\.0\.0\.1:\d+ within 300 ms/,
    );
  });

  it('errors the case whose flip gets no answer, and every case after it', async () => {
    const report = await runServerConformance(program('mute', { commandTimeoutMs: 200 }), {
      profile: 'control-plane',
      only: ['control-plane-starts-not-ready', 'control-plane-ready-200', 'control-plane-root-404'],
    });
    expect(report.results.map((r) => r.status)).toEqual(['pass', 'error', 'error']);
    expect(report.results[1]?.message).toContain('did not answer "not-ready" with "ok" within 200 ms');
    expect(report.results[2]?.message).toMatch(/cannot be driven any more: it did not answer "not-ready"/);
  });

  it('names a stdout line the protocol does not allow', async () => {
    const report = await runServerConformance(program('chatty'), {
      profile: 'control-plane',
      only: ['control-plane-ready-200'],
    });
    expect(report.results[0]?.status).toBe('error');
    expect(report.results[0]?.message).toContain('printed "hello from the server" on stdout');
  });

  it('reports an "error" answer as the case error', async () => {
    const report = await runServerConformance(program('error'), {
      profile: 'control-plane',
      only: ['control-plane-ready-200'],
    });
    expect(report.results[0]?.message).toContain('answered "not-ready" with "error this server refuses"');
  });

  it('reports a process that exits mid-run', async () => {
    const report = await runServerConformance(program('dies'), {
      profile: 'control-plane',
      only: ['control-plane-ready-200', 'control-plane-root-404'],
    });
    expect(report.results.map((r) => r.status)).toEqual(['error', 'error']);
    expect(report.results[1]?.message).toMatch(/exited with code 0 before the run was over/);
  });
});

function python(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import sys; assert sys.version_info >= (3, 8)'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return undefined;
  }
}
const interpreter = python();

describe.skipIf(!interpreter)('the Python example server (docs/examples/healthz_server.py)', () => {
  const exec = `${interpreter} ${JSON.stringify(join(root, 'docs/examples/healthz_server.py'))}`;

  it('passes every core case of both profiles and fails the Go-specific strict ones', async () => {
    const [controlPlane, sidecar] = await Promise.all([
      runServerConformance({ exec }, { profile: 'control-plane' }),
      runServerConformance({ exec }, { profile: 'sidecar' }),
    ]);
    for (const report of [controlPlane, sidecar])
      expect(report.byLevel.core?.passed).toBe(report.results.filter((r) => r.level === 'core').length);
    expect(controlPlane.byLevel.strict?.passed).toBe(0);
    expect(sidecar.results.filter((r) => r.status !== 'pass').map((r) => r.id)).toEqual([
      'sidecar-strict-normalised-path',
    ]);
  });
});

describe('probekit serve with an API token passes the token cases through the process protocol', () => {
  it('runs a sidecar started with DAPR_API_TOKEN against the cases written for that token', async () => {
    const server = { apiToken: 'probekit-conformance-token' };
    const report = await runServerConformance(
      {
        exec: `exec ${node} bin/probekit.js serve --port {port} --host 127.0.0.1 --flavour sidecar --quiet`,
        cwd: root,
        env: { ...process.env, DAPR_API_TOKEN: server.apiToken },
      },
      { profile: 'sidecar', server },
    );
    expect(unexpected(report)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(5);
    expect(report.results.every((r) => r.id.includes('api-token'))).toBe(true);
  });
});
