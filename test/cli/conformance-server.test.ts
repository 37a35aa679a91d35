import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { serverCases } from '../../src/conformance/healthz/cases.js';
import { createSidecarHealthz, silentLogger } from '../../src/healthz/index.js';
import { memoryIo } from '../support/cli-io.js';

const cli = fileURLToPath(new URL('../../bin/probekit.js', import.meta.url));

async function run(...args: string[]) {
  const t = memoryIo(process.env);
  const code = await main(args, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

const count = (profile: 'control-plane' | 'sidecar', level?: 'core' | 'strict') =>
  serverCases({ profile, levels: level ? [level] : undefined }).length;

describe('probekit conformance server (the built-in servers, in process)', () => {
  it('passes every control-plane case by default, showing each case and the counts per level', async () => {
    const result = await run('conformance', 'server');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^probekit conformance server: probekit control-plane server \(in process\)$/m,
    );
    expect(result.stdout).toMatch(/^✓ \[core\] control-plane-starts-not-ready /m);
    for (const level of ['core', 'strict'] as const) {
      const n = count('control-plane', level);
      expect(result.stdout).toMatch(new RegExp(`^  ${level} +${n}/${n} passed$`, 'm'));
    }
    const total = count('control-plane');
    expect(result.stdout).toMatch(new RegExp(`${total} scenarios: ${total} passed, 0 failed, 0 errors`));
  });

  it('runs the sidecar profile, chosen levels and ids, with the chosen reporter', async () => {
    const result = await run(
      'conformance',
      'server',
      '--profile',
      'sidecar',
      '--level',
      'core',
      '--only',
      'sidecar-starts-not-ready,sidecar-head-405,sidecar-strict-404-body',
      '--reporter',
      'tap',
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 4)).toEqual([
      'TAP version 14',
      '1..2',
      'ok 1 - [core] sidecar-starts-not-ready',
      'ok 2 - [core] sidecar-head-405',
    ]);
  });
});

describe('probekit conformance server --url', () => {
  /** Runs the CLI against a live sidecar server on 127.0.0.1, stopped afterwards. */
  async function againstLiveSidecar(...args: string[]) {
    const stop = new AbortController();
    let resolveUrl: (url: string) => void = () => {};
    const bound = new Promise<string>((resolve) => {
      resolveUrl = resolve;
    });
    const live = createSidecarHealthz({ logger: silentLogger, onListening: ({ url }) => resolveUrl(url) });
    const running = live.run(stop.signal, 0, '127.0.0.1');
    try {
      return await run('conformance', 'server', '--url', await bound, '--profile', 'sidecar', ...args);
    } finally {
      stop.abort();
      await running;
    }
  }
  const any = serverCases({ profile: 'sidecar' }).filter((c) => c.start === 'any').length;
  const skipped = count('sidecar') - any;

  it('runs the cases that need no flip, says how many were skipped and why, and exits 0 when they pass', async () => {
    const result = await againstLiveSidecar();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `${count('sidecar')} scenarios, profile sidecar, a server already listening`,
    );
    expect(result.stdout).toContain(`${skipped} skipped: they flip readiness or need a fresh server`);
    expect(result.stdout).toMatch(/^- \[core\] sidecar-ready-204 \(skipped\)$/m);
    // The reason once, then every case it applies to.
    const section = result.stdout.slice(
      result.stdout.indexOf('\nSkipped\n'),
      result.stdout.indexOf('\nBy level'),
    );
    expect(section.match(/it needs the readiness driven/g)).toHaveLength(1);
    expect(section.match(/^ {4}\[(core|strict)\] sidecar-/gm)).toHaveLength(skipped);
    expect(result.stdout).toContain(`${any} passed, 0 failed, 0 errors, ${skipped} skipped`);
    expect(result.stderr).toMatch(
      new RegExp(`${skipped} of ${count('sidecar')} cases skipped \\(.*sidecar-ready-204`),
    );
  });

  // Regression: JUnit said tests="13" skipped="0" and TAP had no SKIP for the cases --url skips.
  it('reports the skipped cases in JUnit (skipped="N", <skipped message>) and TAP (# SKIP)', async () => {
    const junit = await againstLiveSidecar('--reporter', 'junit');
    expect(junit.code).toBe(0);
    expect(junit.stdout).toMatch(
      new RegExp(`<testsuites [^>]*tests="${count('sidecar')}" failures="0" errors="0" skipped="${skipped}"`),
    );
    expect(junit.stdout.match(/<skipped message="it needs the readiness driven/g)).toHaveLength(skipped);
    const tap = await againstLiveSidecar('--reporter', 'tap');
    const lines = tap.stdout.split('\n');
    expect(lines[1]).toBe(`1..${count('sidecar')}`);
    expect(lines.filter((l) => /^ok \d+ - .* # SKIP it needs the readiness driven/.test(l))).toHaveLength(
      skipped,
    );
    expect(lines.filter((l) => /^(not )?ok \d+ /.test(l))).toHaveLength(count('sidecar'));
  });

  it('refuses a selection with nothing to run without flips (exit 2)', async () => {
    const result = await run(
      'conformance',
      'server',
      '--url',
      'http://127.0.0.1:9',
      '--only',
      'control-plane-ready-200',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/all 1 selected cases flip readiness or need a fresh server.*Use --exec/);
  });
});

describe('probekit conformance server --exec', () => {
  it('fails with the diff when the process serves the other profile (exit 1)', async () => {
    const result = await run(
      'conformance',
      'server',
      '--profile',
      'sidecar',
      '--exec',
      `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} serve --port {port} --host 127.0.0.1 --flavour control-plane --quiet`,
      '--only',
      'sidecar-starts-not-ready,sidecar-trailing-slash-301',
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ \[core\] sidecar-starts-not-ready /m);
    expect(result.stdout).toContain('Step 1 of 1 differs: GET /v1.0/healthz on a server nobody has flipped');
    expect(result.stdout).toContain('2 scenarios: 0 passed, 2 failed, 0 errors');
  }, 20_000);
});

describe('probekit conformance server --api-token', () => {
  const TOKEN = 'probekit-conformance-token';
  const tokenCases = serverCases({ profile: 'sidecar', server: { apiToken: TOKEN } });
  const serve = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} serve --port {port} --host 127.0.0.1 --flavour sidecar --quiet`;
  const withToken = (...args: string[]) =>
    run('conformance', 'server', '--profile', 'sidecar', '--api-token', TOKEN, ...args);

  it('runs only the cases written for a server started with the token, against the built-in sidecar started with it', async () => {
    expect(tokenCases.length).toBeGreaterThan(0);
    const result = await withToken();
    expect(result.code).toBe(0);
    for (const c of tokenCases)
      expect(result.stdout).toMatch(new RegExp(`^✓ \\[(core|strict)\\] ${c.id} `, 'm'));
    expect(result.stdout).toContain(
      `${tokenCases.length} scenarios: ${tokenCases.length} passed, 0 failed, 0 errors`,
    );
    // The cases written for a server without a token are not sent.
    expect(result.stdout).not.toMatch(/sidecar-starts-not-ready/);
  });

  it('gives --exec the token as {token} and DAPR_API_TOKEN (probekit serve reads either)', async () => {
    const viaPlaceholder = await withToken('--exec', `${serve} --api-token {token}`);
    expect(viaPlaceholder.code).toBe(0);
    expect(viaPlaceholder.stdout).toContain(`${tokenCases.length} passed, 0 failed`);
    const viaEnvironment = await withToken('--exec', serve);
    expect(viaEnvironment.code).toBe(0);
  }, 30_000);

  it('fails (exit 1) against a sidecar started without the token', async () => {
    // DAPR_API_TOKEN would reach the process: take it out, so the sidecar has no token.
    const result = await withToken('--exec', `env -u DAPR_API_TOKEN ${serve}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ /m);
  }, 30_000);
});

describe('probekit conformance server arguments', () => {
  it.each([
    [
      ['--profile', 'gateway'],
      /--profile "gateway": there is no such profile\. Use control-plane or sidecar/,
    ],
    [['--level', 'core,timing'], /"timing" is not a level of the server suite\. Use core, strict/],
    [['--exec', 'x', '--url', 'http://127.0.0.1:1'], /--exec and --url exclude each other/],
    [['--exec', ' '], /--exec: it is empty/],
    [
      ['--url', 'http://10.0.0.1:8080'],
      /--url "http:\/\/10\.0\.0\.1:8080": 10\.0\.0\.1 is not a loopback address/,
    ],
    [['--startup-timeout', '1s'], /--startup-timeout applies only with --exec/],
    [['--request-timeout', '0s'], /--request-timeout "0"/],
    [['--reporter', 'xml'], /--reporter "xml": there is no such reporter/],
    [['--only', 'sidecar-ready-204'], /the control-plane profile has no case called "sidecar-ready-204"/],
    [['--fixtures', '/nonexistent/probekit'], /Failed to read the healthz cases in \/nonexistent\/probekit/],
    [['--api-token', 'secret'], /--api-token: the control-plane profile has no API token/],
    [['--profile', 'sidecar', '--api-token', ' '], /--api-token: it is empty/],
    [
      ['--profile', 'sidecar', '--api-token', 'another-token'],
      /no sidecar case is written for a server started with the API token "another-token"/,
    ],
  ])('rejects %j with exit code 2 and a message naming it', async (args, message) => {
    const result = await run('conformance', 'server', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('documents the server protocol and profiles in --help', async () => {
    const result = await run('conformance', 'server', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('── probekit conformance server ──');
    expect(result.stdout).toMatch(/--profile <name> +control-plane/);
    expect(result.stdout).toMatch(/PROBEKIT_PORT \(\{port\} and \{profile\} in CMD are replaced\)/);
  });
});
