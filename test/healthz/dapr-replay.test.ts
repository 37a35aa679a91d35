import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthzServer } from '../../src/healthz/index.js';
import { exchange, parseRaw, recordingLogger, startRun } from './support/raw-http.js';

interface Recorded {
  state: string;
  request: string;
  raw: string;
  statusLine: string;
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/dapr-traces/server_responses.json', import.meta.url), 'utf8'),
) as { responses: Recorded[]; log: Array<{ level: string; msg: string }> };

/**
 * The one thing node:http cannot reproduce: it always writes `HTTP/1.1` in the status line,
 * where Go answers an HTTP/1.0 request with `HTTP/1.0`. Everything after the status line
 * still has to match byte for byte.
 */
function expectedBytes(recorded: Recorded): string {
  return recorded.raw.replace(/^HTTP\/1\.0 /, 'HTTP/1.1 ');
}

function applyState(server: { ready(): void; notReady(): void }, state: string): void {
  if (state.startsWith('after Ready')) server.ready();
  else server.notReady();
}

describe('replaying the responses recorded from Dapr v1.0 control-plane healthz server', () => {
  const logger = recordingLogger();
  let running: Awaited<ReturnType<typeof startRun>>;

  beforeAll(async () => {
    running = await startRun((onListening) =>
      // The recorded Date values were replaced by <http-date>; ours is pinned to the same text
      // so the whole response compares byte for byte.
      createHealthzServer({ logger, httpDate: () => '<http-date>', onListening }),
    );
  });
  afterAll(async () => {
    await running.stop();
  });

  it('covers every recorded request (the fixture is not empty)', () => {
    expect(fixture.responses.length).toBeGreaterThanOrEqual(40);
  });

  it.each(fixture.responses.map((r, index) => [index, r.state, r.request.split('\r\n')[0], r] as const))(
    '#%i %s: %s answers with the recorded bytes',
    async (_index, state, _line, recorded) => {
      applyState(running.server, state);
      const raw = await exchange(running.address.port, recorded.request);
      expect(raw).toBe(expectedBytes(recorded));
      const parsed = parseRaw(raw);
      expect(parsed.headers).toEqual(recorded.headers);
      expect(parsed.body).toBe(recorded.body);
    },
  );

  it('differs from Go only in the status-line version of HTTP/1.0 answers (documented)', () => {
    const differing = fixture.responses.filter((r) => expectedBytes(r) !== r.raw);
    expect(differing.length).toBeGreaterThan(0);
    for (const recorded of differing) expect(recorded.request).toMatch(/ HTTP\/1\.0\r\n/);
  });
});

describe('the log lines match the ones Dapr v1.0 wrote', () => {
  it('logs "listening on :<port>" at start and "shutting down" on abort, nothing else', async () => {
    const logger = recordingLogger();
    const running = await startRun((onListening) => createHealthzServer({ logger, onListening }));
    await running.stop();
    const lines = logger.lines.map((line) => line.replace(`:${running.address.port}`, ':<port>'));
    expect(lines).toEqual(fixture.log.map((entry) => `${entry.level}: ${entry.msg}`));
  });
});
