/**
 * Something waiting on an `AbortSignal`, linked into that signal's watch list (an intrusive
 * doubly-linked list: joining and leaving allocate nothing).
 *
 * @example
 * class Probe extends AbortWatcher {
 *   onAbort(reason: unknown) { this.reject(reason); }
 * }
 */
export abstract class AbortWatcher {
  /** @internal */ watchList: SignalWatch | undefined = undefined;
  /** @internal */ previousWatcher: AbortWatcher | undefined = undefined;
  /** @internal */ nextWatcher: AbortWatcher | undefined = undefined;

  /** Called once if the signal aborts while this watcher is watching it. */
  abstract onAbort(reason: unknown): void;
}

/** The one `abort` listener a signal gets, however many watchers come and go on it. */
class SignalWatch {
  readonly #signal: AbortSignal;
  head: AbortWatcher | undefined = undefined;
  /** A plain field: reading `signal.aborted` goes through Node's brand checks every time. */
  aborted = false;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  handleEvent(): void {
    this.aborted = true;
    const reason = this.#signal.reason;
    let watcher = this.head;
    this.head = undefined;
    while (watcher !== undefined) {
      const next = watcher.nextWatcher;
      watcher.watchList = undefined;
      watcher.previousWatcher = undefined;
      watcher.nextWatcher = undefined;
      watcher.onAbort(reason);
      watcher = next;
    }
  }
}

const watches = new WeakMap<AbortSignal, SignalWatch>();

/**
 * Calls `watcher.onAbort(reason)` if `signal` aborts before {@link unwatchSignal}. Returns
 * false, watching nothing, if the signal has already aborted.
 *
 * Node's `addEventListener`/`removeEventListener` on an `AbortSignal` cost microseconds each,
 * paid twice per probe; a signal reused across probes (as a checker can) gets one listener for
 * its lifetime here, and a probe only links and unlinks itself. It also keeps many concurrent
 * probes on one signal from tripping Node's `MaxListenersExceededWarning`.
 *
 * @example
 * class Probe extends AbortWatcher { onAbort(reason: unknown) { console.log('aborted', reason); } }
 * const probe = new Probe();
 * if (!watchSignal(controller.signal, probe)) throw controller.signal.reason;
 * // … later, when the probe is done:
 * unwatchSignal(probe);
 */
export function watchSignal(signal: AbortSignal, watcher: AbortWatcher): boolean {
  let watch = watches.get(signal);
  if (watch?.aborted) return false;
  if (watch === undefined) {
    if (signal.aborted) return false;
    watch = new SignalWatch(signal);
    watches.set(signal, watch);
    signal.addEventListener('abort', watch, { once: true });
  }
  const head = watch.head;
  watcher.watchList = watch;
  watcher.previousWatcher = undefined;
  watcher.nextWatcher = head;
  if (head !== undefined) head.previousWatcher = watcher;
  watch.head = watcher;
  return true;
}

/**
 * Stops watching; a no-op if the watcher is not watching (e.g. its signal already aborted).
 *
 * @example
 * watchSignal(signal, probe);
 * await probe.done;
 * unwatchSignal(probe);
 */
export function unwatchSignal(watcher: AbortWatcher): void {
  const watch = watcher.watchList;
  if (watch === undefined) return;
  const { previousWatcher, nextWatcher } = watcher;
  if (previousWatcher === undefined) watch.head = nextWatcher;
  else previousWatcher.nextWatcher = nextWatcher;
  if (nextWatcher !== undefined) nextWatcher.previousWatcher = previousWatcher;
  watcher.watchList = undefined;
  watcher.previousWatcher = undefined;
  watcher.nextWatcher = undefined;
}
