import { spawn, type ChildProcess } from "node:child_process";
import { getPriority, setPriority } from "node:os";
import type { Socket } from "node:net";
import { join } from "node:path";
import { encodeFrame, FrameReader, type Frame } from "./frame.ts";
import { printable, type ModelServerLogger } from "./logger.ts";

/** One HTTP request as the worker sees it (MMS's request layout). */
export interface RequestInput {
  requestId: string;
  /** Request headers in the client's spelling and order. */
  headers: Array<[string, string]>;
  /** Query and form parameters, then the body as parameter `body`. */
  parameters: Array<{ name: string; contentType: string; value: Buffer }>;
}

export interface PredictResult {
  body: Buffer;
  contentType: string | null;
  status: number;
  phrase: string;
  headers: Record<string, string>;
}

/** The worker's answer for a batch: `results` when `code` is 200, otherwise the batch failed with `code`. */
export interface PredictReply {
  code: number;
  message: string;
  results?: PredictResult[];
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when this side stopped or killed the worker. */
  stoppedByServer: boolean;
  /** Spawn error (python missing), if any. */
  error?: Error;
}

/** A worker that could not load its model: `status` 507 for out of memory, 500 otherwise. */
export class WorkerLoadError extends Error {
  override name = "WorkerLoadError";
  readonly status: number;
  /** True when the interpreter itself could not be started. */
  readonly spawnFailed: boolean;
  constructor(status: number, message: string, spawnFailed = false) {
    super(message);
    this.status = status;
    this.spawnFailed = spawnFailed;
  }
}

/** The worker went away while a request was in flight. */
export class WorkerGoneError extends Error {
  override name = "WorkerGoneError";
  readonly exit: WorkerExit;
  constructor(exit: WorkerExit) {
    super("Worker died.");
    this.exit = exit;
  }
}

export interface WorkerStartOptions {
  id: string;
  python: string;
  pythonDir: string;
  modelName: string;
  modelDir: string;
  handler: string;
  batchSize: number;
  env: Record<string, string | undefined>;
  logger: ModelServerLogger;
  loadTimeoutMs: number;
  /** Aborting kills the worker while it loads. */
  signal?: AbortSignal;
}

/** How much lower than the front end's the workers' scheduling priority is (nice increment). */
const WORKER_NICE_INCREMENT = 5;

function forwardLines(stream: NodeJS.ReadableStream | null, write: (line: string) => void): void {
  if (stream === null) return;
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) write(line);
  });
  stream.on("end", () => {
    if (rest !== "") write(rest);
  });
}

/** A Python worker process holding one loaded model; it runs batches one after another, in the order sent. */
export class WorkerProcess {
  readonly id: string;
  readonly exited: Promise<WorkerExit>;
  readonly startedAt = new Date();
  #child: ChildProcess;
  #socket: Socket;
  #reader = new FrameReader();
  // Replies come back in the order requests were sent, so waiters form a FIFO.
  #waiting: Array<{ resolve: (frame: Frame) => void; reject: (error: Error) => void }> = [];
  #stoppedByServer = false;
  #exit: WorkerExit | undefined;

  private constructor(options: WorkerStartOptions) {
    this.id = options.id;
    const prefix = `[${printable(options.modelName)}]`;
    this.#child = spawn(
      options.python,
      [join(options.pythonDir, "model_worker.py"), "--fd", "3", "--parent", String(process.pid)],
      {
        cwd: options.modelDir,
        env: {
          ...options.env,
          // Like MMS: the model directory is appended to PYTHONPATH, so the handler's own subprocesses find it too.
          PYTHONPATH: options.env.PYTHONPATH
            ? `${options.env.PYTHONPATH}:${options.modelDir}`
            : options.modelDir,
          PYTHONUNBUFFERED: "1",
        },
        stdio: ["ignore", "pipe", "pipe", "pipe"],
        // Own process group: a SIGTERM sent to the server's group must not kill workers mid-request; the server
        // drains them itself. If the server dies, the kernel kills them (PR_SET_PDEATHSIG), even mid-request.
        detached: true,
      },
    );
    this.#socket = this.#child.stdio[3] as Socket;
    if (this.#child.pid !== undefined) {
      try {
        // Workers yield the CPU to the front end under contention so /ping and request intake stay prompt.
        setPriority(this.#child.pid, Math.min(19, getPriority() + WORKER_NICE_INCREMENT));
      } catch {
        // Not permitted here: run at the same priority.
      }
    }
    forwardLines(this.#child.stdout, (line) => options.logger.info(`${prefix} ${printable(line)}`));
    forwardLines(this.#child.stderr, (line) => options.logger.info(`${prefix} ${printable(line)}`));
    this.#socket.on("data", (chunk: Buffer) => {
      for (const frame of this.#reader.push(chunk)) this.#waiting.shift()?.resolve(frame);
    });
    this.#socket.on("error", () => {
      // The exit handler below reports the failure; a reset socket on its own says nothing more.
    });
    this.exited = new Promise((resolve) => {
      let spawnError: Error | undefined;
      this.#child.on("error", (error) => {
        spawnError = error;
        if (this.#child.pid === undefined) finish(null, null);
      });
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#exit !== undefined) return;
        this.#exit = {
          code,
          signal,
          stoppedByServer: this.#stoppedByServer,
          ...(spawnError ? { error: spawnError } : {}),
        };
        this.#socket.destroy();
        const gone = new WorkerGoneError(this.#exit);
        for (const waiting of this.#waiting.splice(0)) waiting.reject(gone);
        resolve(this.#exit);
      };
      this.#child.on("exit", finish);
    });
  }

  /** Spawns a worker and loads the model; throws WorkerLoadError when the load fails or times out. */
  static async start(options: WorkerStartOptions): Promise<WorkerProcess> {
    options.signal?.throwIfAborted();
    const worker = new WorkerProcess(options);
    const onAbort = () => worker.kill();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const load = {
      cmd: "load",
      modelName: options.modelName,
      modelDir: options.modelDir,
      handler: options.handler,
      batchSize: options.batchSize,
      gpu: null,
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const frame = await Promise.race([
        worker.#exchange(load, []),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new WorkerLoadError(500, `Loading did not finish within ${options.loadTimeoutMs} ms`)),
            options.loadTimeoutMs,
          );
        }),
      ]);
      const reply = frame.header as { code: number; message: string };
      if (reply.code !== 200)
        throw new WorkerLoadError(reply.code, reply.message.replace(/\s+/g, " ").trim());
      return worker;
    } catch (error) {
      worker.kill();
      await worker.exited;
      if (error instanceof WorkerLoadError) throw error;
      const exit = error instanceof WorkerGoneError ? error.exit : await worker.exited;
      if (exit.error)
        throw new WorkerLoadError(500, `Cannot start ${options.python}: ${exit.error.message}`, true);
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      // A SIGKILL this side did not send is the kernel's OOM killer; MMS answers 507 for it (exit 137).
      throw new WorkerLoadError(
        exit.signal === "SIGKILL" && !exit.stoppedByServer ? 507 : 500,
        `Worker exited with ${how} while loading`,
      );
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** Sends one batch; rejects with WorkerGoneError when the worker dies first. */
  async predict(requests: readonly RequestInput[]): Promise<PredictReply> {
    const chunks: Buffer[] = [];
    const described = requests.map((request) => ({
      requestId: request.requestId,
      headers: request.headers,
      parameters: request.parameters.map((p) => {
        chunks.push(p.value);
        return [p.name, p.contentType, p.value.length];
      }),
    }));
    const frame = await this.#exchange({ cmd: "predict", requests: described }, chunks);
    const header = frame.header as {
      code: number;
      message: string;
      results?: Array<{
        contentType: string | null;
        status: number;
        phrase: string;
        headers: Record<string, string>;
        length: number;
      }>;
    };
    if (header.results === undefined) return { code: header.code, message: header.message };
    let offset = 0;
    const results = header.results.map((r) => {
      const body = frame.blob.subarray(offset, offset + r.length);
      offset += r.length;
      return { body, contentType: r.contentType, status: r.status, phrase: r.phrase, headers: r.headers };
    });
    return { code: header.code, message: header.message, results };
  }

  #exchange(header: unknown, chunks: Buffer[]): Promise<Frame> {
    if (this.#exit !== undefined) return Promise.reject(new WorkerGoneError(this.#exit));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#socket.write(encodeFrame(header, chunks));
    });
  }

  /** Kills the worker and everything it started, at once. */
  kill(): void {
    this.#stoppedByServer = true;
    if (this.#exit !== undefined || this.#child.pid === undefined) return;
    try {
      process.kill(-this.#child.pid, "SIGKILL");
    } catch {
      this.#child.kill("SIGKILL");
    }
  }

  /** Closes the channel (the worker exits on EOF) and kills it if it is still there after `graceMs`. */
  async stop(graceMs = 2000): Promise<WorkerExit> {
    this.#stoppedByServer = true;
    this.#socket.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    // Whatever the handler left running in the worker's group goes with it.
    if (this.#child.pid !== undefined) {
      try {
        process.kill(-this.#child.pid, "SIGKILL");
      } catch {
        // the group is already empty
      }
    }
    return exit;
  }
}
