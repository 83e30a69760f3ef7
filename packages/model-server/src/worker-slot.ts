import type { Job } from "./job.ts";
import { RestartBackOff } from "./restart-back-off.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** What a slot held when its worker was taken from it. */
export interface Detached {
  /** The batch the worker was running, if any: it may have run in part. */
  running: Job[] | undefined;
  /** Jobs of the batches sent behind it: the worker runs batches in order, so these never started. */
  notStarted: Job[];
}

/**
 * One place in a model's pool: its worker (while loaded), the batches sent to it in order — the first is the one it
 * runs — the request timer for that running batch, and the restart back-off of the place.
 */
export class WorkerSlot {
  readonly index: number;
  readonly backOff = new RestartBackOff();
  readonly #timeoutMs: number;
  readonly #onTimeout: (slot: WorkerSlot) => void;
  #worker: WorkerProcess | undefined;
  /** Batches sent to the worker, the running one first. */
  #batches: Job[][] = [];
  /** One timer per slot, re-armed with refresh() rather than a new setTimeout per batch. */
  #timer: NodeJS.Timeout | undefined;
  /** performance.now() when the running batch started. */
  #runningSince = 0;

  /** `onTimeout` runs when the running batch is not answered within `timeoutMs`. */
  constructor(options: { index: number; timeoutMs: number; onTimeout: (slot: WorkerSlot) => void }) {
    this.index = options.index;
    this.#timeoutMs = options.timeoutMs;
    this.#onTimeout = options.onTimeout;
  }

  get worker(): WorkerProcess | undefined {
    return this.#worker;
  }

  /** A live worker that can be sent batches. */
  get ready(): boolean {
    return this.#worker?.alive === true;
  }

  /** Batches the worker holds (running and waiting behind it). */
  get depth(): number {
    return this.#batches.length;
  }

  /** The batch the worker runs now. */
  get running(): Job[] | undefined {
    return this.#batches[0];
  }

  /** Jobs sent to the worker behind the batch it runs. */
  get waitingJobs(): number {
    let waiting = 0;
    for (let i = 1; i < this.#batches.length; i++) waiting += this.#batches[i]!.length;
    return waiting;
  }

  attach(worker: WorkerProcess): void {
    this.#worker = worker;
  }

  /** Records a batch sent to the worker at `now`; the first becomes the running one and its timer starts. */
  sent(jobs: Job[], now: number): void {
    this.#batches.push(jobs);
    if (this.#batches.length === 1) this.#startRunning(now);
  }

  /**
   * Records the worker's reply to `jobs` at `now`: milliseconds the batch ran, or undefined when the reply is stale
   * (the worker was replaced, or `jobs` is not the running batch). The next batch, if any, starts running.
   */
  answered(worker: WorkerProcess, jobs: Job[], now: number): number | undefined {
    if (this.#worker !== worker || this.#batches[0] !== jobs) return undefined;
    this.#batches.shift();
    const ran = now - this.#runningSince;
    if (this.#batches.length > 0) this.#startRunning(now);
    return ran;
  }

  /** Takes the worker and its batches from the slot (it died, timed out or is being stopped). */
  detach(): Detached {
    this.#worker = undefined;
    this.#stopTimer();
    const [running, ...behind] = this.#batches.splice(0);
    return { running, notStarted: behind.flat() };
  }

  /** Stops the slot's timers (the model is stopping). */
  cancelTimers(): void {
    this.#stopTimer();
    this.backOff.cancel();
  }

  #startRunning(now: number): void {
    this.#runningSince = now;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#expired(), this.#timeoutMs);
      this.#timer.unref();
    } else this.#timer.refresh();
  }

  #expired(): void {
    // A timer left armed after the last reply fires with nothing running: nothing to do.
    if (this.#worker !== undefined && this.#batches.length > 0) this.#onTimeout(this);
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
