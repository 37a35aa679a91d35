import { profileNamed } from '../../../src/checker/profiles/catalogue.js';
import type { LoopCommand, LoopMachine, LoopSettings } from '../../../src/checker/profiles/loop.js';
import { createLoop } from '../../../src/checker/profiles/machines.js';

/** Whole settings for a loop machine: the fixtures' usual shape (interval 100, delay 30, threshold 2). */
export function settings(overrides: Partial<LoopSettings> = {}): LoopSettings {
  return {
    initialDelay: 30,
    interval: 100,
    failureThreshold: 2,
    successStatusCode: 200,
    unhealthyInterval: 500,
    ...overrides,
  };
}

/** A fresh machine of the loop kind the named profile is built from. */
export function loopOf(profile: string, overrides: Partial<LoopSettings> = {}): LoopMachine {
  return createLoop(profileNamed(profile).loop, settings(overrides));
}

/** What one probe's end did: the commands, the value sent (if any) and the count after it. */
export interface Step {
  readonly commands: readonly LoopCommand[];
  readonly signal: boolean | undefined;
  readonly count: number;
}

let nextProbe = 0;

/** Ends a probe with `status` (`undefined`: no response) and reads what the machine did. */
export function end(loop: LoopMachine, status: number | undefined): Step {
  const commands = loop.on({ kind: 'probe-end', probe: nextProbe++, result: { status } });
  const send = commands.find((c) => c.kind === 'send');
  return { commands, signal: send?.kind === 'send' ? send.value : undefined, count: loop.failureCount };
}

/**
 * Plays a probe's statuses through a loop the way a driver with a prompt reader would: each
 * blocking send is taken at once (`sent`), and the loop's next `tick` is handed to it whenever
 * it asks to read the ticker. Returns the signals and the count after each probe.
 */
export function play(
  loop: LoopMachine,
  statuses: ReadonlyArray<number | undefined>,
): { signals: Array<boolean | undefined>; counts: number[] } {
  const signals: Array<boolean | undefined> = [];
  const counts: number[] = [];
  for (const status of statuses) {
    const step = end(loop, status);
    signals.push(step.signal);
    counts.push(step.count);
    const send = step.commands.find((c) => c.kind === 'send');
    if (send?.kind === 'send' && send.blocking) loop.on({ kind: 'sent' });
  }
  return { signals, counts };
}

/** The values sent, without the probes that sent nothing. */
export function sent(signals: ReadonlyArray<boolean | undefined>): boolean[] {
  return signals.filter((s): s is boolean => s !== undefined);
}
