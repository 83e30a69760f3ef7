/**
 * The max-batch-delay window: a batch smaller than `batchSize` waits for more jobs until `delayMs` after the first
 * one found waiting, then goes as it is.
 */
export class BatchWindow {
  readonly #batchSize: number;
  readonly #delayMs: number;
  readonly #onDue: () => void;
  #timer: NodeJS.Timeout | undefined;
  #due = false;

  /** `onDue` runs when the window closes, to send what has gathered. */
  constructor(options: { batchSize: number; delayMs: number; onDue: () => void }) {
    this.#batchSize = options.batchSize;
    this.#delayMs = options.delayMs;
    this.#onDue = options.onDue;
  }

  /** True when a batch may be sent with `available` jobs; otherwise the window is open (or opens) and this waits. */
  ready(available: number): boolean {
    if (this.#batchSize === 1) return true;
    if (available >= this.#batchSize || this.#due) {
      this.#due = false;
      this.cancel();
      return true;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#due = true;
      this.#onDue();
    }, this.#delayMs);
    return false;
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
