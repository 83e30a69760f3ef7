import { BatchWindow } from "./batch-window.ts";
import type { Job, JobOutcome } from "./job.ts";
import { JobQueue } from "./job-queue.ts";
import { printable, type ModelServerLogger } from "./logger.ts";
import {
  NO_METRICS,
  type ModelSnapshot,
  type ServerMetrics,
  type WorkerState,
} from "./metrics/server-metrics.ts";
import {
  WorkerGoneError,
  WorkerLoadError,
  WorkerProcess,
  type PredictReply,
  type RequestInput,
  type WorkerExit,
} from "./worker-process.ts";
import { WorkerSlot } from "./worker-slot.ts";

export type { JobOutcome } from "./job.ts";

/** A place in the model's queue, held from admission (headers read) until the body is in and submitted. */
export interface QueueTicket {
  /** Queues the request in the place reserved; the ticket is used up. */
  submit(input: RequestInput): Promise<JobOutcome>;
  /** Gives the place back (the body never arrived). Idempotent; a no-op after submit. */
  release(): void;
}

export interface ModelOptions {
  name: string;
  url: string;
  /** From the manifest, else MMS's default `1.0`. */
  version: string;
  dir: string;
  handler: string;
  workers: number;
  batchSize: number;
  maxBatchDelayMs: number;
  queueSize: number;
  requestTimeoutMs: number;
  loadTimeoutMs: number;
  python: string;
  pythonDir: string;
  env: Record<string, string | undefined>;
  logger: ModelServerLogger;
  loadedAtStartup: boolean;
  /** Where queue and inference times, restarts, loads and handler metrics go; default none. */
  metrics?: ServerMetrics;
}

/** Batches a worker holds at once (one running, the rest waiting in its socket) when not batching. */
const PIPELINE_DEPTH = 2;

let workerCounter = 0;

/**
 * A loaded model: its worker slots (see WorkerSlot), bounded queue (JobQueue), batching window (BatchWindow) and
 * what moves jobs between them: dispatch, replies, timeouts, exits and restarts.
 */
export class Model {
  readonly options: ModelOptions;
  #slots: WorkerSlot[] = [];
  readonly #queue: JobQueue;
  readonly #batch: BatchWindow;
  #stopping = false;
  #stopController = new AbortController();
  #loading = new Set<Promise<void>>();
  #idleWaiters = new Set<() => void>();
  readonly #metrics: ServerMetrics;

  constructor(options: ModelOptions) {
    this.options = options;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#queue = new JobQueue({
      capacity: options.queueSize,
      pipelined: () => this.#slots.reduce((sum, slot) => sum + slot.waitingJobs, 0),
    });
    this.#batch = new BatchWindow({
      batchSize: options.batchSize,
      delayMs: options.maxBatchDelayMs,
      onDue: () => this.#dispatch(),
    });
  }

  /**
   * Starts every worker. Resolves when at least one loaded; throws the first load error when none did
   * (the model is then stopped). Workers that failed are retried with back-off.
   */
  async start(): Promise<void> {
    this.#slots = Array.from(
      { length: this.options.workers },
      (_, index) =>
        new WorkerSlot({
          index,
          timeoutMs: this.options.requestTimeoutMs,
          onTimeout: (slot) => this.#onTimeout(slot),
        }),
    );
    const results = await Promise.allSettled(this.#slots.map((slot) => this.#track(this.#startSlot(slot))));
    if (this.#slots.length > 0 && !results.some((r) => r.status === "fulfilled")) {
      const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      await this.stop();
      throw failure?.reason instanceof WorkerLoadError
        ? failure.reason
        : new WorkerLoadError(500, String(failure?.reason));
    }
    for (const slot of this.#slots) {
      if (slot.worker === undefined && !slot.backOff.pending) this.#scheduleRestart(slot);
    }
  }

  #track(loading: Promise<void>): Promise<void> {
    const settled = loading.then(
      () => undefined,
      () => undefined,
    );
    this.#loading.add(settled);
    void settled.then(() => this.#loading.delete(settled));
    return loading;
  }

  async #startSlot(slot: WorkerSlot): Promise<void> {
    const id = `W-${++workerCounter}`;
    const label = `${printable(this.options.name)} ${id}`;
    const loadStart = performance.now();
    try {
      const worker = await WorkerProcess.start({
        id,
        python: this.options.python,
        pythonDir: this.options.pythonDir,
        modelName: this.options.name,
        modelDir: this.options.dir,
        handler: this.options.handler,
        batchSize: this.options.batchSize,
        env: this.options.env,
        logger: this.options.logger,
        loadTimeoutMs: this.options.loadTimeoutMs,
        signal: this.#stopController.signal,
      });
      if (this.#stopping) {
        await worker.stop();
        return;
      }
      slot.attach(worker);
      slot.backOff.succeeded();
      this.#metrics.modelLoaded({
        model: this.options.name,
        seconds: (performance.now() - loadStart) / 1000,
      });
      this.options.logger.info(`model ${label} loaded (pid ${worker.pid})`);
      void worker.exited.then((exit) => this.#onExit(slot, worker, exit));
      this.#dispatch();
    } catch (error) {
      slot.backOff.failed();
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.error(`model ${label} failed to load: ${printable(message)}`);
      throw error;
    }
  }

  #scheduleRestart(slot: WorkerSlot): void {
    if (this.#stopping) return;
    this.options.logger.info(
      `model ${printable(this.options.name)}: restarting worker ${slot.index} in ${slot.backOff.delayMs} ms`,
    );
    slot.backOff.schedule(() => {
      this.#track(this.#startSlot(slot)).catch(() => this.#scheduleRestart(slot));
    });
  }

  #onExit(slot: WorkerSlot, worker: WorkerProcess, exit: WorkerExit): void {
    if (slot.worker !== worker) return;
    const { running, notStarted } = slot.detach();
    if (!exit.stoppedByServer) {
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      this.options.logger.error(`model ${printable(this.options.name)} ${worker.id} died (${how})`);
      // Like the 507 below: a SIGKILL this side did not send is taken for the kernel's OOM killer.
      const cause = exit.signal === "SIGKILL" ? "oom" : "crash";
      if (!this.#stopping) this.#metrics.workerRestart({ model: this.options.name, cause });
    }
    if (this.#stopping) {
      for (const job of [...(running ?? []), ...notStarted]) job.settle(this.#unloading());
    } else {
      this.#queue.requeue(notStarted);
      const status = exit.signal === "SIGKILL" && !exit.stoppedByServer ? 507 : 500;
      for (const job of running ?? [])
        job.settle({ kind: "error", status, type: "InternalServerException", message: "Worker died." });
    }
    this.#scheduleRestart(slot);
    this.#dispatch();
    this.#notifyIdle();
  }

  /** Live workers (loaded, not dead). */
  get liveWorkers(): number {
    return this.#slots.filter((slot) => slot.ready).length;
  }

  /** True when the model has a live worker (or was registered with none wanted). */
  get healthy(): boolean {
    return this.options.workers === 0 || this.liveWorkers > 0;
  }

  get workerInfo(): Array<{ id: string; startTime: string; status: string; pid: number | undefined }> {
    return this.#slots.flatMap((slot) =>
      slot.worker?.alive
        ? [
            {
              id: slot.worker.id,
              startTime: slot.worker.startedAt.toISOString(),
              status: this.#stopping ? "UNLOADING" : "READY",
              pid: slot.worker.pid,
            },
          ]
        : [],
    );
  }

  /**
   * Reserves a place in the queue before the request's body is read; undefined when the queue is full (counting
   * places reserved by requests whose bodies are still arriving) or the model cannot serve.
   */
  reserve(): QueueTicket | undefined {
    if (this.#stopping || this.options.workers === 0) return undefined;
    const place = this.#queue.reserve();
    if (place === undefined) return undefined;
    return {
      submit: (input) => {
        place.use();
        if (this.#stopping) return Promise.resolve(this.#unloading());
        return new Promise((settle) => {
          this.#queue.push({ input, settle, queuedAt: performance.now() });
          this.#dispatch();
        });
      },
      release: place.release,
    };
  }

  /** The 503 MMS answers when no worker can take a request. */
  queueFull(): JobOutcome {
    return {
      kind: "error",
      status: 503,
      type: "ServiceUnavailableException",
      message: `No worker is available to serve request for model: ${this.options.name}. Consider increasing job queue size.`,
    };
  }

  #unloading(): JobOutcome {
    return {
      kind: "error",
      status: 503,
      type: "ServiceUnavailableException",
      message: `Model ${this.options.name} is unloading.`,
    };
  }

  #dispatch(): void {
    // Idle workers first; with batchSize 1 a busy worker also gets its next request ahead of time, so it never
    // waits for the front end between requests.
    const depth = this.options.batchSize === 1 ? PIPELINE_DEPTH : 1;
    for (let pending = 0; pending < depth; pending++) {
      for (const slot of this.#slots) {
        if (this.#queue.length === 0) return;
        if (!slot.ready || slot.depth !== pending) continue;
        if (!this.#batch.ready(this.#queue.length)) return;
        this.#send(slot, slot.worker!, this.#queue.take(this.options.batchSize));
      }
    }
  }

  #onTimeout(slot: WorkerSlot): void {
    const worker = slot.worker!;
    // Detach first so nothing more is sent to the worker being killed; its exit is then not reported again.
    const { running, notStarted } = slot.detach();
    this.#queue.requeue(notStarted);
    this.options.logger.error(
      `model ${printable(this.options.name)} ${worker.id} did not respond within ${this.options.requestTimeoutMs} ms; replacing it`,
    );
    for (const job of running ?? []) {
      job.settle({
        kind: "error",
        status: 500,
        type: "InternalServerException",
        message: `Worker did not respond within ${this.options.requestTimeoutMs} ms and was replaced.`,
      });
    }
    this.#metrics.workerRestart({ model: this.options.name, cause: "timeout" });
    worker.kill();
    this.#scheduleRestart(slot);
    this.#dispatch();
    this.#notifyIdle();
  }

  #send(slot: WorkerSlot, worker: WorkerProcess, jobs: Job[]): void {
    const now = performance.now();
    slot.sent(jobs, now);
    if (this.#metrics.enabled) {
      for (const job of jobs)
        this.#metrics.queueWait({ model: this.options.name, seconds: (now - job.queuedAt) / 1000 });
    }
    worker.predict(jobs.map((job) => job.input)).then(
      (reply) => this.#onReply(slot, worker, jobs, reply),
      (error: unknown) => {
        // A gone worker is answered in #onExit with the exit status; anything else costs this worker, not the server.
        if (error instanceof WorkerGoneError) return;
        this.options.logger.error(
          `model ${printable(this.options.name)} ${worker.id}: ${printable(String((error as Error)?.stack ?? error))}; replacing it`,
        );
        worker.kill();
      },
    );
  }

  #onReply(slot: WorkerSlot, worker: WorkerProcess, jobs: Job[], reply: PredictReply): void {
    const ranMs = slot.answered(worker, jobs, performance.now());
    if (ranMs === undefined) return;
    if (this.#metrics.enabled) {
      this.#metrics.inference({ model: this.options.name, seconds: ranMs / 1000 });
      if (reply.metrics !== undefined) this.#metrics.handlerMetrics(this.options.name, reply.metrics);
    }
    jobs.forEach((job, index) => job.settle(this.#outcome(reply, index, job)));
    this.#dispatch();
    this.#notifyIdle();
  }

  #outcome(reply: PredictReply, index: number, job: Job): JobOutcome {
    const result = reply.results?.[index];
    if (reply.code !== 200 || result === undefined)
      return { kind: "error", status: reply.code, type: "InternalServerException", message: reply.message };
    if (result.kind === "result") return { kind: "result", result };
    this.options.logger.error(
      `model ${printable(this.options.name)}: request ${job.input.requestId}: the handler's response cannot be sent: ${printable(result.reason)}`,
    );
    return {
      kind: "error",
      status: 500,
      type: "InternalServerException",
      message: `Invalid response from the model handler: ${result.reason}`,
    };
  }

  /** The model's state for the metrics gauges, read at scrape time. */
  metricsSnapshot(): ModelSnapshot {
    const workers: Partial<Record<WorkerState, number>> = {};
    const workerPids: number[] = [];
    let inFlight = 0;
    for (const slot of this.#slots) {
      const worker = slot.worker;
      let state: WorkerState;
      if (worker?.alive) {
        if (worker.pid !== undefined) workerPids.push(worker.pid);
        inFlight += slot.running?.length ?? 0;
        state = this.#stopping ? "unloading" : slot.depth > 0 ? "busy" : "idle";
      } else state = slot.backOff.pending ? "restarting" : "starting";
      workers[state] = (workers[state] ?? 0) + 1;
    }
    return { model: this.options.name, inFlight, queued: this.#queue.waiting, workers, workerPids };
  }

  get idle(): boolean {
    return this.#queue.length === 0 && this.#slots.every((slot) => slot.depth === 0);
  }

  #notifyIdle(): void {
    if (!this.idle) return;
    for (const done of [...this.#idleWaiters]) done();
  }

  /** Resolves when nothing is queued or in flight, or when `signal` aborts (e.g. `AbortSignal.timeout(graceMs)`). */
  whenIdle(signal?: AbortSignal): Promise<void> {
    if (this.idle || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#idleWaiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.#idleWaiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * Stops every worker; queued requests get 503. Workers finish the batch they run within `graceMs`, then are
   * killed and their requests get 503 too.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.#stopping = true;
    this.#stopController.abort();
    await Promise.all(this.#loading);
    this.#batch.cancel();
    for (const job of this.#queue.drain()) job.settle(this.#unloading());
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.cancelTimers();
        const worker = slot.worker;
        if (worker === undefined) return;
        await worker.stop(graceMs);
        // Normally #onExit has answered its batches by now; whatever is left is answered here.
        if (slot.worker === worker) {
          const { running, notStarted } = slot.detach();
          for (const job of [...(running ?? []), ...notStarted]) job.settle(this.#unloading());
        }
      }),
    );
    this.#metrics.removeModel(this.options.name);
    this.#notifyIdle();
  }
}
