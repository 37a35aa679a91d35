import type { DemoOutput } from './output.js';
import type { DemoProfile } from './profile.js';

/** What every act gets: where to print, the time scale, and Ctrl-C. */
export interface DemoContext {
  readonly out: DemoOutput;
  readonly profile: DemoProfile;
  /** Aborted on Ctrl-C: whatever an act is waiting for rejects with its reason. */
  readonly signal: AbortSignal;
  /** Where act 1 writes the trace it recorded (JSON), if anywhere. */
  readonly traceFile?: string;
}

/** How an act went: `ok` false when the checker did not do what the act shows (a very busy machine). */
export interface ActResult {
  readonly ok: boolean;
}

/** One act of the demo. It stops everything it started before it resolves or rejects. */
export interface DemoAct {
  readonly title: string;
  run(ctx: DemoContext): Promise<ActResult>;
}
