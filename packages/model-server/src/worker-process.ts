import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { join } from "node:path";
import { encodeFrameHead, FrameError, FrameReader, type Frame } from "./frame.ts";
import { LineSplitter } from "./line-splitter.ts";
import { printable, type ModelServerLogger } from "./logger.ts";
import { killGroupMembers } from "./process-group.ts";
import { readPredictReply, type PredictReply } from "./worker-reply.ts";

export type { InvalidResult, PredictReply, PredictResult } from "./worker-reply.ts";

/** One HTTP request as the worker sees it (MMS's request layout). */
export interface RequestInput {
  requestId: string;
  /** Request headers in the client's spelling and order, flat: name, value, name, value, ... */
  rawHeaders: string[];
  /** Query and form parameters, then the body as parameter `body` (as the chunks it arrived in). */
  parameters: Array<{ name: string; contentType: string; value: Buffer | readonly Buffer[] }>;
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

/** Frames up to this size are joined and written at once. */
const SINGLE_WRITE_BYTES = 64 * 1024;

function forwardLines(stream: NodeJS.ReadableStream | null, write: (line: string) => void): void {
  if (stream === null) return;
  const splitter = new LineSplitter({ onLine: write });
  stream.on("data", (chunk: Buffer) => splitter.push(chunk));
  stream.on("end", () => splitter.end());
}

/** A Python worker process holding one loaded model; it runs batches one after another, in the order sent. */
export class WorkerProcess {
  readonly id: string;
  readonly exited: Promise<WorkerExit>;
  readonly startedAt = new Date();
  #child: ChildProcess;
  #socket: Socket;
  #logger: ModelServerLogger;
  #label: string;
  #reader = new FrameReader();
  // Replies come back in the order requests were sent, so waiters form a FIFO.
  #waiting: Array<{ resolve: (frame: Frame) => void; reject: (error: Error) => void }> = [];
  #stoppedByServer = false;
  #exit: WorkerExit | undefined;

  private constructor(options: WorkerStartOptions) {
    this.id = options.id;
    this.#logger = options.logger;
    this.#label = `${printable(options.modelName)} ${options.id}`;
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
    forwardLines(this.#child.stdout, (line) => options.logger.info(`${prefix} ${printable(line)}`));
    forwardLines(this.#child.stderr, (line) => options.logger.info(`${prefix} ${printable(line)}`));
    this.#socket.on("data", (chunk: Buffer) => this.#onData(chunk));
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
        // The leader is reaped now, so its pid is no longer ours to signal: what the handler left running in its
        // group is found and killed member by member.
        if (this.#child.pid !== undefined) void killGroupMembers(this.#child.pid);
        resolve(this.#exit);
      };
      this.#child.on("exit", finish);
    });
  }

  #onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#reader.push(chunk);
    } catch (error) {
      this.#protocolBroken(error);
      return;
    }
    for (const frame of frames) {
      const waiting = this.#waiting.shift();
      if (waiting === undefined) {
        this.#protocolBroken(new FrameError("a frame nobody asked for"));
        return;
      }
      waiting.resolve(frame);
    }
  }

  #protocolBroken(error: unknown): void {
    this.#logger.error(
      `model ${this.#label} broke the worker protocol (${printable((error as Error).message)}); replacing it`,
    );
    this.kill();
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
    const timeout = AbortSignal.timeout(options.loadTimeoutMs);
    try {
      const frame = await new Promise<Frame>((resolve, reject) => {
        const onTimeout = () =>
          reject(new WorkerLoadError(500, `Loading did not finish within ${options.loadTimeoutMs} ms`));
        timeout.addEventListener("abort", onTimeout, { once: true });
        worker.#exchange(load, []).then(resolve, reject);
      });
      const { code, message } = frame.header;
      if (code !== 200)
        throw new WorkerLoadError(
          typeof code === "number" ? code : 500,
          String(message).replace(/\s+/g, " ").trim(),
        );
      return worker;
    } catch (error) {
      worker.kill();
      const exit = await worker.exited;
      if (error instanceof WorkerLoadError) throw error;
      if (exit.error)
        throw new WorkerLoadError(500, `Cannot start ${options.python}: ${exit.error.message}`, true);
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      // A SIGKILL this side did not send is the kernel's OOM killer; MMS answers 507 for it (exit 137).
      throw new WorkerLoadError(
        exit.signal === "SIGKILL" && !exit.stoppedByServer ? 507 : 500,
        `Worker exited with ${how} while loading`,
      );
    } finally {
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
    const parts: Array<Buffer | readonly Buffer[]> = [];
    const described = requests.map((request) => ({
      requestId: request.requestId,
      headers: request.rawHeaders,
      parameters: request.parameters.map((p) => {
        parts.push(p.value);
        return [p.name, p.contentType];
      }),
    }));
    const frame = await this.#exchange({ cmd: "predict", requests: described }, parts);
    try {
      return readPredictReply(frame);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.#protocolBroken(error);
      return await Promise.reject(new WorkerGoneError(await this.exited));
    }
  }

  #exchange(
    header: Record<string, unknown>,
    parts: ReadonlyArray<Buffer | readonly Buffer[]>,
  ): Promise<Frame> {
    if (this.#exit !== undefined) return Promise.reject(new WorkerGoneError(this.#exit));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      const head = encodeFrameHead(header, parts);
      const chunks: Buffer[] = [head];
      let bytes = head.length;
      for (const part of parts) {
        for (const chunk of Buffer.isBuffer(part) ? [part] : part) {
          if (chunk.length === 0) continue;
          chunks.push(chunk);
          bytes += chunk.length;
        }
      }
      // A small frame is one plain write (cheaper than writev); a large one goes out as head and bodies in one
      // writev, never concatenated.
      if (bytes <= SINGLE_WRITE_BYTES) {
        this.#socket.write(chunks.length === 1 ? head : Buffer.concat(chunks, bytes));
        return;
      }
      this.#socket.cork();
      for (const chunk of chunks) this.#socket.write(chunk);
      this.#socket.uncork();
    });
  }

  /** Kills the worker and everything in its process group, at once. */
  kill(): void {
    this.#stoppedByServer = true;
    // Only while the leader is not yet reaped (no exit event yet) is its pid, and so its group id, surely ours.
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
    return exit;
  }
}
