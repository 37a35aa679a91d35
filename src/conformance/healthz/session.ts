import type { ServerAddress } from './exchange.js';

/**
 * Drives the readiness of the server under test. Both resolve once the change is in effect:
 * the very next request must see it.
 *
 * @example
 * await control.ready();
 */
export interface SessionControl {
  ready(): Promise<void>;
  notReady(): Promise<void>;
}

/**
 * A server under test for the length of one suite run, whatever it is (in process, a URL,
 * another process).
 *
 * @example
 * const session = await openSession(target, { profile: 'control-plane' });
 * try { await session.control?.ready(); } finally { await session.close(); }
 */
export interface ServerSession {
  /** What the report calls the implementation. */
  readonly name: string;
  readonly address: ServerAddress;
  /** `undefined` when probekit cannot drive the readiness (a bare URL). */
  readonly control: SessionControl | undefined;
  /** Why no further case can run (a process that exited or broke the protocol), if so. */
  readonly broken: string | undefined;
  /** Stops what the session started; resolves when nothing of it is left running. Idempotent. */
  close(): Promise<void>;
}
