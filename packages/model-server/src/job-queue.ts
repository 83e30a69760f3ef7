import type { Job } from "./job.ts";

/** A place held in the queue while a request's body arrives. */
export interface Reservation {
  /** Turns the place into the job about to be queued; throws when already used or released. */
  use(): void;
  /** Gives the place back. Idempotent; a no-op after use. */
  release(): void;
}

/**
 * A model's bounded queue: jobs not yet handed to a worker, plus places reserved for requests whose bodies are still
 * arriving. Admission counts both and the jobs waiting in workers' pipelines (`pipelined`), against `capacity`.
 */
export class JobQueue {
  readonly #capacity: number;
  readonly #pipelined: () => number;
  #jobs: Job[] = [];
  #reserved = 0;

  constructor(options: { capacity: number; pipelined: () => number }) {
    this.#capacity = options.capacity;
    this.#pipelined = options.pipelined;
  }

  get length(): number {
    return this.#jobs.length;
  }

  /** Requests admitted and not started: queued jobs plus those waiting in workers' pipelines. */
  get waiting(): number {
    return this.#jobs.length + this.#pipelined();
  }

  /** Holds a place, or undefined when waiting jobs and held places fill the capacity. */
  reserve(): Reservation | undefined {
    if (this.waiting + this.#reserved >= this.#capacity) return undefined;
    this.#reserved += 1;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.#reserved -= 1;
    };
    return {
      use: () => {
        if (!held) throw new TypeError("QueueTicket.submit: the ticket was already used or released");
        release();
      },
      release,
    };
  }

  push(job: Job): void {
    this.#jobs.push(job);
  }

  /** Puts jobs a worker never started back at the front, in their order. */
  requeue(jobs: Job[]): void {
    if (jobs.length > 0) this.#jobs.unshift(...jobs);
  }

  /** Takes up to `count` jobs from the front. */
  take(count: number): Job[] {
    return this.#jobs.splice(0, count);
  }

  /** Takes every job. */
  drain(): Job[] {
    return this.#jobs.splice(0);
  }
}
