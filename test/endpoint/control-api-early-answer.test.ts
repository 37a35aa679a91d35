import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CONTROL_SCRIPT_BYTES } from '../../src/endpoint/backends/server/control-api.js';

const bin = fileURLToPath(new URL('../../bin/probekit.js', import.meta.url));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

/** Starts `probekit mock` as its own process (the loss needs the server on another event loop). */
async function controlPort(): Promise<number> {
  child = spawn(process.execPath, [bin, 'mock', '200'], {
    cwd: join(bin, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child?.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /control API at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (found) resolve(Number(found[1]));
    });
    child?.on('exit', (code) => reject(new Error(`probekit mock exited with ${code}: ${stderr}`)));
  });
}

/** Sends the whole PUT at once, as a raw client does, and returns all it could read. */
function putAtOnce(port: number, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString('latin1');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(`${answer}[${error.code}]`));
    socket.on('close', () => resolve(answer));
    socket.on('connect', () => {
      socket.write(
        `PUT /__probekit/script HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(body);
    });
  });
}

describe('the control API answers a too-large script body before it closes', () => {
  it('answers 413 to every 1 MiB PUT sent whole with Connection: close (regression: half of them got EPIPE and no answer)', async () => {
    const port = await controlPort();
    const body = Buffer.from(`200, ${'503, '.repeat((16 * MAX_CONTROL_SCRIPT_BYTES) / 5)}200`);
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push((await putAtOnce(port, body)).slice(0, 30));
    expect(answers).toEqual(Array.from({ length: 20 }, () => 'HTTP/1.1 413 Payload Too Large'));
  }, 30_000);
});
