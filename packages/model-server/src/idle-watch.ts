interface Watched {
  last: number;
  onIdle: () => void;
}

/**
 * Calls `onIdle` for what was not touched for `timeoutMs`, with one shared, unref'd timer that runs only while
 * something is watched: a request body costs a Set entry, not a timer of its own. Fires at most a sweep
 * (a quarter of the timeout, 50 ms to 1 s) late.
 */
export class IdleWatch {
  readonly #timeoutMs: number;
  readonly #sweepMs: number;
  readonly #watched = new Set<Watched>();
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#sweepMs = Math.max(50, Math.min(1000, Math.floor(timeoutMs / 4)));
  }

  /** Starts watching; `touch()` records activity, `stop()` ends the watch (idempotent). */
  watch(onIdle: () => void): { touch(): void; stop(): void } {
    const entry: Watched = { last: Date.now(), onIdle };
    this.#watched.add(entry);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), this.#sweepMs);
      this.#timer.unref();
    }
    return {
      touch: () => void (entry.last = Date.now()),
      stop: () => {
        this.#watched.delete(entry);
        if (this.#watched.size === 0) this.#stopTimer();
      },
    };
  }

  #sweep(): void {
    const now = Date.now();
    for (const entry of this.#watched) {
      if (now - entry.last < this.#timeoutMs) continue;
      this.#watched.delete(entry);
      entry.onIdle();
    }
    if (this.#watched.size === 0) this.#stopTimer();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

const WATCHES = new Map<number, IdleWatch>();

/** The process's shared watch for one timeout value. */
export function idleWatchFor(timeoutMs: number): IdleWatch {
  let watch = WATCHES.get(timeoutMs);
  if (watch === undefined) {
    watch = new IdleWatch(timeoutMs);
    WATCHES.set(timeoutMs, watch);
  }
  return watch;
}
