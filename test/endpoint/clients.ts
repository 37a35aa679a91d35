import http from 'node:http';
import type { Journal } from '../../src/endpoint/engine/journal.js';
import type { HttpTransport } from '../../src/transport/http.js';
import { outcomeOfError } from '../../src/transport/outcome.js';

/** What a client saw: a status, or an error with its code (and message, to tell faults apart). */
export type Seen = { status: number; body?: string } | { code: string; message: string };

/** Node's fetch (undici inside): a status and body, or the `cause` of its TypeError. */
export async function viaFetch(url: string, signal?: AbortSignal): Promise<Seen> {
  try {
    const response = await fetch(url, { signal });
    return { status: response.status, body: await response.text() };
  } catch (caught) {
    const error = caught as Error & { cause?: { code?: string; message?: string } };
    if (error.name === 'AbortError') return { code: 'ABORT_ERR', message: error.message };
    return { code: error.cause?.code ?? 'none', message: error.cause?.message ?? error.message };
  }
}

/** Plain `node:http`, one connection per request. */
export function viaNodeHttp(url: string): Promise<Seen> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      response.on('error', (error: Error & { code?: string }) =>
        resolve({ code: error.code ?? 'none', message: error.message }),
      );
    });
    request.on('error', (error: Error & { code?: string }) =>
      resolve({ code: error.code ?? 'none', message: error.message }),
    );
  });
}

/** probekit's own HTTP transport, as the checker uses it: an outcome word. */
export function viaTransport(transport: HttpTransport, url: string, signal = new AbortController().signal) {
  return transport({ url, timeout: 10_000, signal }).then(
    ({ status }) => String(status),
    (error: unknown) => {
      const outcome = outcomeOfError(error);
      return outcome.kind === 'error' ? `error:${outcome.code}` : outcome.kind;
    },
  );
}

/** Resolves when the journal records its next request (subscribe before sending). */
export function nextEntry(journal: Journal): Promise<number> {
  return new Promise((resolve) => {
    const unsubscribe = journal.subscribe((entry) => {
      unsubscribe();
      resolve(entry.index);
    });
  });
}

/** Lets real I/O run for a bounded number of event-loop turns until `done()` holds. */
export async function turnsUntil(done: () => boolean, turns = 2000): Promise<boolean> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  return done();
}
