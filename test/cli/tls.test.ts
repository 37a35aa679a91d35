import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createTlsCertificate } from '../../src/endpoint/tls/certificate.js';
import { startUpstream, type TestUpstream } from '../proxy/upstream.js';
import { memoryIo } from '../support/cli-io.js';

let folder: string;
/** PEM files: a certificate for localhost only, an expired one, and the CA of each. */
const files = {
  wrongHostCert: '',
  wrongHostKey: '',
  wrongHostCa: '',
  expiredCert: '',
  expiredKey: '',
  expiredCa: '',
};

// A 60 s limit: several 2048-bit RSA keys at once take seconds on a busy machine.
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'probekit-tls-cli-'));
  const day = 86_400_000;
  const [wrongHost, expired] = await Promise.all([
    createTlsCertificate({ hosts: ['localhost'] }),
    createTlsCertificate({ notBefore: Date.now() - 3 * day, notAfter: Date.now() - day }),
  ]);
  const write = (name: string, text: string) => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  };
  files.wrongHostCert = write('wrong-host.pem', wrongHost.cert);
  files.wrongHostKey = write('wrong-host-key.pem', wrongHost.key);
  files.wrongHostCa = write('wrong-host-ca.pem', wrongHost.ca);
  files.expiredCert = write('expired.pem', expired.cert);
  files.expiredKey = write('expired-key.pem', expired.key);
  files.expiredCa = write('expired-ca.pem', expired.ca);
}, 60_000);

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Runs `probekit mock|proxy …` in process; resolves once it printed its URL (and its CA file, with TLS). */
async function serverCli(command: 'mock' | 'proxy', args: string[]) {
  const cli = memoryIo();
  const exit = main([command, ...args], cli.io);
  const tls = args.includes('--tls') || args.includes('--cert');
  const caLine = /CA certificate written to (\S+?)[;\s]/;
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (
        cli.stdout().includes('\n') &&
        /control API at/.test(cli.stderr()) &&
        (!tls || args.includes('--cert') || caLine.test(cli.stderr()))
      )
        resolve();
    };
    cli.io.stdout.on('data', check);
    cli.io.stderr.on('data', check);
    exit.then((code) => reject(new Error(`exited with ${code}: ${cli.stderr()}`)), reject);
  });
  const url = cli.stdout().split('\n')[0] as string;
  const caFile = caLine.exec(cli.stderr())?.[1];
  return { ...cli, url, caFile, exit };
}

// A generous per-probe timeout: on a loaded machine a TLS handshake can take seconds, and a
// probe that timed out would hide the TLS outcome these tests look for.
const fast = ['--interval', '20ms', '--initial-delay', '0', '--timeout', '10s', '--deadline', '40s'];

/** Runs `probekit check … --until <state>`; the exit code and the verdict line. */
async function check(url: string, until: 'healthy' | 'unhealthy', ...args: string[]) {
  const cli = memoryIo();
  const code = await main(['check', url, ...fast, '--until', until, '--threshold', '1', ...args], cli.io);
  return { code, last: cli.stdout().trimEnd().split('\n').at(-1) ?? '', stderr: cli.stderr() };
}

// Each test makes keys (a median of 2 s on a busy machine) and runs the checker in real time.
describe('probekit mock --tls with probekit check', { timeout: 90_000 }, () => {
  it('serves https, writes its CA to a temp file that check --ca trusts, and removes the file on exit', async () => {
    const mock = await serverCli('mock', ['/healthz: 200...', '--tls']);
    expect(mock.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/healthz$/);
    const caFile = mock.caFile as string;
    expect(mock.stderr()).toContain('(removed on exit)');
    expect(readFileSync(caFile, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');

    const trusted = await check(mock.url, 'healthy', '--ca', caFile);
    expect(trusted.code).toBe(0);
    expect(trusted.last).toContain('healthy: got true (last probe: 200)');

    const untrusted = await check(mock.url, 'unhealthy');
    expect(untrusted.code).toBe(0);
    expect(untrusted.last).toContain('last probe: tls:unknown-ca');

    const insecure = await check(mock.url, 'healthy', '--insecure');
    expect(insecure.code).toBe(0);

    mock.interrupt();
    expect(await mock.exit).toBe(0);
    expect(existsSync(caFile)).toBe(false);
  });

  it('writes the CA to --ca-out and keeps it after exit', async () => {
    const caOut = join(folder, 'kept-ca.pem');
    const mock = await serverCli('mock', ['200...', '--tls', '--ca-out', caOut]);
    expect(mock.caFile).toBe(caOut);
    expect(mock.stderr()).not.toContain('removed on exit');
    mock.interrupt();
    expect(await mock.exit).toBe(0);
    expect(readFileSync(caOut, 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
  });

  it.each([
    ['a certificate for localhost only, probed at 127.0.0.1', 'wrongHost', 'tls:wrong-host'],
    ['an expired certificate', 'expired', 'tls:expired'],
  ] as const)('gives the checker %s as %s', async (_what, which, outcome) => {
    const mock = await serverCli('mock', [
      '200...',
      '--cert',
      files[`${which}Cert`],
      '--key',
      files[`${which}Key`],
    ]);
    expect(mock.url).toMatch(/^https:/);
    const run = await check(mock.url, 'unhealthy', '--ca', files[`${which}Ca`]);
    expect(run.code).toBe(0);
    expect(run.last).toContain(`last probe: ${outcome}`);
    mock.interrupt();
    expect(await mock.exit).toBe(0);
  });

  it('gives the checker a plain-HTTP server on the https URL as a handshake failure', async () => {
    const mock = await serverCli('mock', ['200...']);
    const run = await check(mock.url.replace(/^http:/, 'https:'), 'unhealthy', '--insecure');
    expect(run.code).toBe(0);
    expect(run.last).toContain('last probe: tls:handshake');
    mock.interrupt();
    expect(await mock.exit).toBe(0);
  });
});

describe('probekit proxy --tls', { timeout: 90_000 }, () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('serves https in front of a plain upstream, and the checker trusting its CA sees the upstream healthy', async () => {
    const proxy = await serverCli('proxy', [upstream.origin, 'pass...', '--tls']);
    expect(proxy.url).toMatch(/^https:/);
    const run = await check(`${proxy.url}/healthz`, 'healthy', '--ca', proxy.caFile as string);
    expect(run.code).toBe(0);
    expect(upstream.received).toContain('GET /healthz');
    proxy.interrupt();
    expect(await proxy.exit).toBe(0);
    expect(existsSync(proxy.caFile as string)).toBe(false);
  });

  it('forwards to an https upstream whose CA --upstream-ca names', async () => {
    const secure = await serverCli('mock', ['/healthz: 200...', '--tls']);
    const origin = new URL(secure.url).origin;
    const proxy = await serverCli('proxy', [origin, 'pass...', '--upstream-ca', secure.caFile as string]);
    expect((await check(`${proxy.url}/healthz`, 'healthy')).code).toBe(0);
    proxy.interrupt();
    secure.interrupt();
    expect(await proxy.exit).toBe(0);
    expect(await secure.exit).toBe(0);
  });
});

describe('TLS flags: bad input exits 2 with a probekit: message', () => {
  it.each([
    [['mock', '200', '--cert', 'cert.pem'], 'Failed to use --cert: it needs --key too'],
    [['mock', '200', '--key', 'key.pem'], 'Failed to use --key: it needs --cert too'],
    [
      ['mock', '200', '--cert', 'a.pem', '--key', 'b.pem', '--ca-out', 'ca.pem'],
      'Failed to use --ca-out with --cert/--key',
    ],
    [
      ['mock', '200', '--cert', '/nonexistent/cert.pem', '--key', '/nonexistent/key.pem'],
      'Failed to read --cert "/nonexistent/cert.pem"',
    ],
    [
      ['mock', '200', '--tls', '--ca-out', '/nonexistent/dir/ca.pem'],
      'Failed to use --ca-out "/nonexistent/dir/ca.pem"',
    ],
    [
      ['proxy', 'http://127.0.0.1:1', 'pass', '--upstream-insecure'],
      'Failed to use --upstream-insecure: the upstream "http://127.0.0.1:1" is not an https:// URL',
    ],
    [
      ['proxy', 'https://127.0.0.1:1', 'pass', '--upstream-ca', 'a.pem', '--upstream-insecure'],
      'Failed to use --upstream-ca with --upstream-insecure',
    ],
    [['check', 'https://127.0.0.1:1/', '--ca', 'a.pem', '--insecure'], 'Failed to use --ca with --insecure'],
    [
      ['check', 'https://127.0.0.1:1/', '--ca', '/nonexistent/ca.pem'],
      'Failed to read --ca "/nonexistent/ca.pem"',
    ],
  ])('%j', async (args, text) => {
    const cli = memoryIo();
    expect(await main(args, cli.io)).toBe(2);
    expect(cli.stderr()).toMatch(/^probekit: /);
    expect(cli.stderr()).toContain(text);
  });

  it('refuses a --ca file that holds no certificate, naming it', async () => {
    const notPem = join(folder, 'not-a-cert.txt');
    writeFileSync(notPem, 'hello');
    const cli = memoryIo();
    expect(await main(['check', 'https://127.0.0.1:1/', '--ca', notPem], cli.io)).toBe(2);
    expect(cli.stderr()).toContain(
      `Failed to read --ca ${JSON.stringify(notPem)}: it holds no PEM certificate`,
    );
  });
});
