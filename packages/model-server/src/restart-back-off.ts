/** Milliseconds MMS waits before restarting a worker, by consecutive failure count. */
export const BACK_OFF_MS = [0, 1000, 1000, 2000, 3000, 5000, 8000, 13000, 21000, 34000, 55000];

/** One worker place's restart schedule: the delay grows with consecutive failures, a load resets it. */
export class RestartBackOff {
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;

  /** True while a restart is scheduled. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** The delay the next restart waits. */
  get delayMs(): number {
    return BACK_OFF_MS[Math.min(this.#failures, BACK_OFF_MS.length - 1)]!;
  }

  failed(): void {
    this.#failures += 1;
  }

  succeeded(): void {
    this.#failures = 0;
  }

  /** Runs `restart` after the current delay. */
  schedule(restart: () => void): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      restart();
    }, this.delayMs);
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
