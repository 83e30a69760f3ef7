/**
 * Sleeps that can be cut short: `nap(ms)` resolves after `ms` or at the next `poke()`, so a poll loop
 * reacts at once to an event (a child's exit, a stop request) instead of at its next tick.
 */
export class WakeTimer {
  readonly #waiters = new Set<() => void>();

  nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#waiters.add(done);
    });
  }

  poke(): void {
    for (const done of [...this.#waiters]) done();
  }
}
