import { createRequire } from 'node:module';
import type { HttpHandler } from 'msw';
import { ProbekitError } from '../../errors.js';
import { atDeadline, type DeadlineTimer } from '../../time/deadline.js';
import type { Decision, DecisionAction } from '../engine/decision.js';
import type { JournalTicket } from '../engine/journal.js';
import type { ScriptPlayer } from '../engine/player.js';
import { withOrigin } from './origin.js';
import { dribble } from './server/dribble.js';

type Msw = typeof import('msw');
const requireHere = createRequire(import.meta.url);
let msw: Msw | undefined;

/** Loads a package by name the way `require` does; injectable so the missing-package path is testable. */
export type ModuleLoader = (specifier: string) => unknown;

/**
 * Loads msw, an optional peer dependency: only these handlers need it, so a package that never
 * asks for `handlers` installs and runs without it (msw brings ~60 packages). Loaded on first use,
 * with `require` so the caller stays synchronous; msw ships a CommonJS build, and its handlers are
 * duck-typed (`__kind`), so they work with an ES-module `setupServer`.
 *
 * @example
 * const { http, HttpResponse } = loadMsw(); // a ProbekitError saying how to install msw when it is absent
 */
export function loadMsw(load: ModuleLoader = requireHere): Msw {
  if (load === requireHere && msw !== undefined) return msw;
  let loaded: Msw;
  try {
    loaded = load('msw') as Msw;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    const reason = missing
      ? 'the msw package is not installed'
      : `the msw package could not be loaded (${error instanceof Error ? error.message : String(error)})`;
    throw new ProbekitError(
      'ERR_PROBEKIT_INVALID_OPTION',
      `Failed to create msw handlers: ${reason}. Run npm install -D msw (msw 2 is an optional peer dependency of probekit, needed only for \`handlers\`).`,
      { cause: error },
    );
  }
  if (load === requireHere) msw = loaded;
  return loaded;
}

/** Waits `ms` on the clock; resolves `false` instead if the request is aborted first. */
function wait(player: ScriptPlayer, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    const timer: DeadlineTimer = atDeadline(player.clock, player.clock.now + ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A body that arrives piece by piece on the player's clock, complete `over` ms after it starts. */
function dribbledBody(
  player: ScriptPlayer,
  body: string,
  over: number,
  done: () => void,
): ReadableStream<Uint8Array> {
  let cancel: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      cancel = dribble(player.clock, new TextEncoder().encode(body), over, (piece, last) => {
        if (piece.length > 0) controller.enqueue(piece.slice());
        if (last) {
          done();
          controller.close();
        }
      });
    },
    cancel() {
      cancel?.();
    },
  });
}

/**
 * How msw performs each action: one table, so a new action cannot compile until this backend
 * says what it does (msw has one way to fail a request: its network error).
 */
const WAYS = {
  respond: 'respond',
  hang: 'never',
  reset: 'network-error',
  close: 'network-error',
  malformed: 'network-error',
  refuse: 'network-error',
  // The player refuses a script with `pass` for msw (no upstream), so none reaches here.
  pass: 'network-error',
} as const satisfies Record<DecisionAction, 'respond' | 'never' | 'network-error'>;

async function perform(
  player: ScriptPlayer,
  ticket: JournalTicket,
  decision: Decision,
  request: Request,
): Promise<Response> {
  const { HttpResponse } = loadMsw();
  const { clock, journal } = player;
  const signal = request.signal;
  const aborted = () => {
    journal.settle(ticket, 'aborted', clock.now);
    return HttpResponse.error();
  };
  const way = WAYS[decision.action];
  if (way === 'never') {
    // Never answers: settle only when the client gives up, so nothing is left pending.
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return aborted();
  }
  const head = decision.delay + (decision.dribble === 'headers' ? decision.over : 0);
  if (!(await wait(player, head, signal))) return aborted();
  if (way === 'network-error') {
    journal.settle(ticket, 'completed', clock.now);
    return HttpResponse.error();
  }
  // A header's `{origin}` becomes the origin the request was sent to (absolute redirects).
  const init = {
    status: decision.status,
    headers: withOrigin(decision.headers, new URL(request.url).origin),
  };
  if (decision.dribble === 'body') {
    const done = () => journal.settle(ticket, 'completed', clock.now);
    return new HttpResponse(dribbledBody(player, decision.body ?? '', decision.over, done), init);
  }
  journal.settle(ticket, 'completed', clock.now);
  return new HttpResponse(decision.body ?? null, init);
}

/**
 * `msw` request handlers that play the script: use them with `setupServer` (msw/node) or
 * `setupWorker`. Delays run on the player's clock (never msw's own `delay()`), so a virtual
 * clock drives them; `hang` waits for the request to abort; `reset`, `close`, `malformed`
 * and refused connections become msw's network error (`HttpResponse.error()`), which `fetch`
 * rejects with a `TypeError`. A `slow-body` streams its body on the clock.
 *
 * @param origin only intercept requests to this origin (e.g. `http://endpoint.test`); default: every origin.
 * @example
 * const server = setupServer(...flakyEndpoint('200, 503...', { clock }).handlers);
 */
export function mswHandlers(player: ScriptPlayer, origin?: string): HttpHandler[] {
  const { http, HttpResponse } = loadMsw();
  const pattern = origin === undefined ? '*' : `${origin.replace(/\/+$/, '')}/*`;
  return [
    http.all(pattern, ({ request }) => {
      const url = new URL(request.url);
      const reception = player.receive(request.method, url.pathname + url.search, player.clock.now);
      if (reception.refused) return HttpResponse.error();
      return perform(player, reception.ticket, reception.decision, request);
    }),
  ];
}
