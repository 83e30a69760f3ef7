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
  type PredictResult,
  type RequestInput,
  type WorkerExit,
} from "./worker-process.ts";

/** What the HTTP layer sends back for one job. */
export type JobOutcome =
  | { kind: "result"; result: PredictResult }
  | { kind: "error"; status: number; type: string; message: string };

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

interface Job {
  input: RequestInput;
  settle: (outcome: JobOutcome) => void;
  /** performance.now() when queued. */
  queuedAt: number;
}

interface Slot {
  index: number;
  worker: WorkerProcess | undefined;
  /** Batches sent to the worker, oldest (running) first. */
  inflight: Job[][];
  timer: NodeJS.Timeout | undefined;
  failures: number;
  restartTimer: NodeJS.Timeout | undefined;
  /** performance.now() when the running batch (inflight[0]) started. */
  runningSince: number;
}

/** Batches a worker holds at once (one running, the rest waiting in its socket) when not batching. */
const PIPELINE_DEPTH = 2;

/** Milliseconds MMS waits before restarting a worker, by consecutive failure count. */
const BACK_OFF_MS = [0, 1000, 1000, 2000, 3000, 5000, 8000, 13000, 21000, 34000, 55000];

let workerCounter = 0;

/** A loaded model: its worker pool, bounded queue, batching, timeouts and restarts. */
export class Model {
  readonly options: ModelOptions;
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #batchTimer: NodeJS.Timeout | undefined;
  #batchDue = false;
  #stopping = false;
  #stopController = new AbortController();
  #loading = new Set<Promise<void>>();
  #idleWaiters: Array<() => void> = [];
  #reserved = 0;
  readonly #metrics: ServerMetrics;

  constructor(options: ModelOptions) {
    this.options = options;
    this.#metrics = options.metrics ?? NO_METRICS;
  }

  /**
   * Starts every worker. Resolves when at least one loaded; throws the first load error when none did
   * (the model is then stopped). Workers that failed are retried with back-off.
   */
  async start(): Promise<void> {
    this.#slots = Array.from({ length: this.options.workers }, (_, index) => ({
      index,
      worker: undefined,
      inflight: [],
      timer: undefined,
      failures: 0,
      restartTimer: undefined,
      runningSince: 0,
    }));
    const results = await Promise.allSettled(this.#slots.map((slot) => this.#track(this.#startSlot(slot))));
    if (this.#slots.length > 0 && !results.some((r) => r.status === "fulfilled")) {
      const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      await this.stop();
      throw failure?.reason instanceof WorkerLoadError
        ? failure.reason
        : new WorkerLoadError(500, String(failure?.reason));
    }
    for (const slot of this.#slots) {
      if (slot.worker === undefined && slot.restartTimer === undefined) this.#scheduleRestart(slot);
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

  async #startSlot(slot: Slot): Promise<void> {
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
      slot.worker = worker;
      slot.failures = 0;
      this.#metrics.modelLoaded({
        model: this.options.name,
        seconds: (performance.now() - loadStart) / 1000,
      });
      this.options.logger.info(`model ${label} loaded (pid ${worker.pid})`);
      void worker.exited.then((exit) => this.#onExit(slot, worker, exit));
      this.#dispatch();
    } catch (error) {
      slot.failures += 1;
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.error(`model ${label} failed to load: ${printable(message)}`);
      throw error;
    }
  }

  #scheduleRestart(slot: Slot): void {
    if (this.#stopping) return;
    const delay = BACK_OFF_MS[Math.min(slot.failures, BACK_OFF_MS.length - 1)]!;
    this.options.logger.info(
      `model ${printable(this.options.name)}: restarting worker ${slot.index} in ${delay} ms`,
    );
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      this.#track(this.#startSlot(slot)).catch(() => this.#scheduleRestart(slot));
    }, delay);
  }

  #onExit(slot: Slot, worker: WorkerProcess, exit: WorkerExit): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    this.#clearTimer(slot);
    const [jobs, ...notStarted] = slot.inflight.splice(0);
    // The worker runs batches in order: those behind the one it died on never started, so they go back to the queue.
    this.#queue.unshift(...notStarted.flat());
    if (!exit.stoppedByServer) {
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      this.options.logger.error(`model ${printable(this.options.name)} ${worker.id} died (${how})`);
      // Like the 507 below: a SIGKILL this side did not send is taken for the kernel's OOM killer.
      const cause = exit.signal === "SIGKILL" ? "oom" : "crash";
      if (!this.#stopping) this.#metrics.workerRestart({ model: this.options.name, cause });
    }
    if (jobs) {
      const status = exit.signal === "SIGKILL" && !exit.stoppedByServer ? 507 : 500;
      for (const job of jobs)
        job.settle(
          this.#stopping
            ? this.#unloading()
            : { kind: "error", status, type: "InternalServerException", message: "Worker died." },
        );
    }
    this.#scheduleRestart(slot);
    this.#dispatch();
    this.#notifyIdle();
  }

  /** Live workers (loaded, not dead). */
  get liveWorkers(): number {
    return this.#slots.filter((slot) => slot.worker?.alive).length;
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
    if (this.#waitingJobs() + this.#reserved >= this.options.queueSize) return undefined;
    this.#reserved += 1;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.#reserved -= 1;
    };
    return {
      submit: (input) => {
        if (!held) throw new TypeError("QueueTicket.submit: the ticket was already used or released");
        release();
        if (this.#stopping) return Promise.resolve(this.#unloading());
        return new Promise((settle) => {
          this.#queue.push({ input, settle, queuedAt: performance.now() });
          this.#dispatch();
        });
      },
      release,
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

  /** Requests not yet started: the queue plus those handed to a worker behind the batch it runs. */
  #waitingJobs(): number {
    let waiting = this.#queue.length;
    for (const slot of this.#slots) for (const jobs of slot.inflight.slice(1)) waiting += jobs.length;
    return waiting;
  }

  #dispatch(): void {
    const { batchSize, maxBatchDelayMs } = this.options;
    // Idle workers first; with batchSize 1 a busy worker also gets its next request ahead of time, so it never
    // waits for the front end between requests.
    const depth = batchSize === 1 ? PIPELINE_DEPTH : 1;
    for (let pending = 0; pending < depth; pending++) {
      for (const slot of this.#slots) {
        if (this.#queue.length === 0) return;
        if (slot.worker === undefined || !slot.worker.alive || slot.inflight.length !== pending) continue;
        if (batchSize > 1 && this.#queue.length < batchSize && !this.#batchDue) {
          this.#batchTimer ??= setTimeout(() => {
            this.#batchTimer = undefined;
            this.#batchDue = true;
            this.#dispatch();
          }, maxBatchDelayMs);
          return;
        }
        this.#batchDue = false;
        clearTimeout(this.#batchTimer);
        this.#batchTimer = undefined;
        this.#send(slot, slot.worker, this.#queue.splice(0, batchSize));
      }
    }
  }

  /**
   * Arms the slot's request timer for the batch now running (inflight[0]). One timer per slot, re-armed with
   * refresh() rather than a new setTimeout per request; when it fires with nothing in flight it does nothing.
   */
  #startTimer(slot: Slot): void {
    if (slot.inflight.length === 0) return;
    if (slot.timer === undefined) {
      slot.timer = setTimeout(() => this.#onTimeout(slot), this.options.requestTimeoutMs);
      slot.timer.unref();
    } else slot.timer.refresh();
  }

  #onTimeout(slot: Slot): void {
    const worker = slot.worker;
    const jobs = slot.inflight[0];
    if (worker === undefined || jobs === undefined) return;
    const [, ...notStarted] = slot.inflight.splice(0);
    this.#queue.unshift(...notStarted.flat());
    this.options.logger.error(
      `model ${printable(this.options.name)} ${worker.id} did not respond within ${this.options.requestTimeoutMs} ms; replacing it`,
    );
    for (const job of jobs) {
      job.settle({
        kind: "error",
        status: 500,
        type: "InternalServerException",
        message: `Worker did not respond within ${this.options.requestTimeoutMs} ms and was replaced.`,
      });
    }
    this.#metrics.workerRestart({ model: this.options.name, cause: "timeout" });
    // Detach first so nothing more is sent to the worker being killed; its exit is then not reported again.
    slot.worker = undefined;
    this.#clearTimer(slot);
    worker.kill();
    this.#scheduleRestart(slot);
    this.#dispatch();
    this.#notifyIdle();
  }

  #clearTimer(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
  }

  #send(slot: Slot, worker: WorkerProcess, jobs: Job[]): void {
    slot.inflight.push(jobs);
    const now = performance.now();
    if (this.#metrics.enabled) {
      for (const job of jobs)
        this.#metrics.queueWait({ model: this.options.name, seconds: (now - job.queuedAt) / 1000 });
    }
    if (slot.inflight.length === 1) {
      slot.runningSince = now;
      this.#startTimer(slot);
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

  #onReply(slot: Slot, worker: WorkerProcess, jobs: Job[], reply: PredictReply): void {
    if (slot.worker !== worker || slot.inflight[0] !== jobs) return;
    slot.inflight.shift();
    if (this.#metrics.enabled) {
      const now = performance.now();
      this.#metrics.inference({ model: this.options.name, seconds: (now - slot.runningSince) / 1000 });
      slot.runningSince = now;
      if (reply.metrics !== undefined) this.#metrics.handlerMetrics(this.options.name, reply.metrics);
    }
    this.#startTimer(slot);
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
        inFlight += slot.inflight[0]?.length ?? 0;
        state = this.#stopping ? "unloading" : slot.inflight.length > 0 ? "busy" : "idle";
      } else state = slot.restartTimer !== undefined ? "restarting" : "starting";
      workers[state] = (workers[state] ?? 0) + 1;
    }
    return { model: this.options.name, inFlight, queued: this.#waitingJobs(), workers, workerPids };
  }

  get idle(): boolean {
    return this.#queue.length === 0 && this.#slots.every((slot) => slot.inflight.length === 0);
  }

  #notifyIdle(): void {
    if (!this.idle) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops every worker; queued requests get 503. Workers finish the batch they run within `graceMs`, then are
   * killed and their requests get 503 too.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.#stopping = true;
    this.#stopController.abort();
    await Promise.all(this.#loading);
    clearTimeout(this.#batchTimer);
    for (const job of this.#queue.splice(0)) {
      job.settle({
        kind: "error",
        status: 503,
        type: "ServiceUnavailableException",
        message: `Model ${this.options.name} is unloading.`,
      });
    }
    await Promise.all(
      this.#slots.map(async (slot) => {
        clearTimeout(slot.restartTimer);
        this.#clearTimer(slot);
        const worker = slot.worker;
        if (worker !== undefined) {
          await worker.stop(graceMs);
          slot.worker = undefined;
        }
      }),
    );
    this.#metrics.removeModel(this.options.name);
    this.#notifyIdle();
  }
}
