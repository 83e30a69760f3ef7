/** Counts the bytes of request bodies held at once, against a cap. */
export class BodyBudget {
  readonly limitBytes: number;
  #used = 0;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  get usedBytes(): number {
    return this.#used;
  }

  /** Takes `bytes` from the budget; false (nothing taken) when that would pass the cap. */
  tryTake(bytes: number): boolean {
    if (this.#used + bytes > this.limitBytes) return false;
    this.#used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/** The default cap: the payload limit × (2 × workers + 2), at least four payloads. */
export function defaultBufferedBytes(maxRequestBytes: number, workers: number): number {
  return maxRequestBytes * Math.max(4, 2 * workers + 2);
}
