const ENDED: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * What every running check shares, whichever loop drives it: `stop()` that is safe from any
 * state and never rejects, the async iterator that *is* the Go channel read, and the rule for
 * bugs (a throwing observer, a transport that fails to close): stop the check and report the
 * first such error once — through the iterator, or, when the iteration has already ended and
 * no reader can see it, rethrown asynchronously (as an EventEmitter `error` with no listener
 * is), so it is never lost. Later errors are dropped: they are usually the first one's
 * consequences.
 */
export abstract class CheckLifecycle implements AsyncIterable<boolean> {
  #failure: { readonly error: unknown } | undefined;
  #failureReported = false;
  /** An iterator returned `done` (or threw): a failure after that cannot reach a reader. */
  #iterationEnded = false;
  #stopping: Promise<void> | undefined;

  /** One read of the check's channel. */
  protected abstract receive(): Promise<IteratorResult<boolean, undefined>>;

  /** Ends the loop and releases everything it holds; called once, by {@link stop}. */
  protected abstract shutdown(): Promise<void>;

  /** Reports a bug: stops the check; the first error reaches the reader (or is rethrown). */
  protected fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    if (this.#iterationEnded) this.#rethrowFailure();
    void this.stop();
  }

  /** Reports a failure not yet reported by throwing it (to the iterator's caller). */
  #throwPendingFailure(): void {
    const failure = this.#failure;
    if (failure === undefined || this.#failureReported) return;
    this.#failureReported = true;
    throw failure.error;
  }

  #rethrowFailure(): void {
    const failure = this.#failure;
    if (failure === undefined || this.#failureReported) return;
    this.#failureReported = true;
    queueMicrotask(() => {
      throw failure.error;
    });
  }

  /**
   * What a read of the closed, drained channel answers: the end of the iteration, or the first
   * failure not reported yet, as a rejection. Subclasses give it to their channel (`onDone`).
   */
  protected readEnded(): IteratorResult<boolean, undefined> | Promise<never> {
    this.#iterationEnded = true;
    const failure = this.#failure;
    if (failure === undefined || this.#failureReported) return ENDED;
    this.#failureReported = true;
    return Promise.reject(failure.error);
  }

  /** Never rejects, and is safe from any state: inside an observer, the constructor, twice. */
  stop(): Promise<void> {
    if (this.#stopping === undefined) {
      // Set before shutting down: an observer called during shutdown (a settled tick, `stop`)
      // that calls stop() or throws must get this promise, not start a second shutdown.
      let finished!: () => void;
      this.#stopping = new Promise<void>((resolve) => {
        finished = resolve;
      });
      this.shutdown().then(finished, (error: unknown) => {
        this.fail(error);
        finished();
      });
    }
    return this.#stopping;
  }

  [Symbol.asyncIterator](): AsyncIterator<boolean, undefined> {
    return {
      // The channel's own promise, nothing added: a read per probe is on the hot path of a
      // thousand checks. The end of the iteration is `readEnded`, which the channel calls.
      next: () => this.receive(),
      // Breaking out of `for await` stops the check: nobody is left to read it.
      return: async () => {
        this.#iterationEnded = true;
        await this.stop();
        this.#throwPendingFailure();
        return { done: true, value: undefined };
      },
    };
  }
}
