import http from 'node:http';
import { maskDate, rawExchange } from './raw-exchange.js';

/**
 * A bare `node:http` server on 127.0.0.1 answering every request with `handler`: the
 * baseline the server benchmarks compare against.
 */
export async function startBareServer(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

/**
 * Starts each server in turn, sends a keep-alive `GET /healthz` and checks that they all answer
 * it with the same bytes (Date masked): a benchmark compares like with like or not at all.
 * Returns that response's head. (A second, closing request is sent too; its answer may differ.)
 */
export async function sameFirstResponse(starters) {
  const request =
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
  const first = (raw) => raw.slice(0, raw.indexOf('\r\n\r\n') + 4);
  const answers = [];
  for (const start of starters) {
    const server = await start();
    try {
      answers.push(first(maskDate(await rawExchange(server.url, request))));
    } finally {
      await server.close();
    }
  }
  if (answers.some((answer) => answer !== answers[0])) {
    throw new Error(`the servers answer differently:\n${answers.map((a) => JSON.stringify(a)).join('\n')}`);
  }
  return answers[0];
}

/** A whole-number environment setting, or `fallback` when unset or invalid. */
export function intEnv(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
