import { isAbsolute, join } from "node:path";
import { availableParallelism } from "node:os";
import type { BuiltinServerConfig } from "./config.ts";
import { HttpError } from "./http-response.ts";
import { printable, type ModelServerLogger } from "./logger.ts";
import type { ServerMetrics } from "./metrics/server-metrics.ts";
import { Model } from "./model.ts";
import { defaultModelName, openModelSource, type ExtractArchive, type ModelSource } from "./model-source.ts";
import { WorkerLoadError } from "./worker-process.ts";

/** Default handler: the toolkit's script-mode service (bundled when `sagemaker_inference` is not installed). */
export const DEFAULT_HANDLER_SERVICE = "sagemaker_inference.default_handler_service";

export interface RegisterRequest {
  url: string;
  modelName?: string;
  handler?: string;
  initialWorkers?: number;
  batchSize?: number;
  maxBatchDelayMs?: number;
  loadedAtStartup?: boolean;
}

interface Entry {
  model: Model;
  source: ModelSource;
}

export interface RegistryOptions {
  config: BuiltinServerConfig;
  pythonDir: string;
  env: Record<string, string | undefined>;
  logger: ModelServerLogger;
  extractArchive: ExtractArchive;
  metrics?: ServerMetrics;
}

/** The loaded models by opaque name. Names are map keys only: never part of a path, a command or a file name. */
export class ModelRegistry {
  readonly #options: RegistryOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #reserved = new Set<string>();
  readonly #loading = new Set<Model>();
  #closed = false;

  constructor(options: RegistryOptions) {
    this.#options = options;
  }

  get(name: string): Model | undefined {
    return this.#entries.get(name)?.model;
  }

  get models(): Model[] {
    return [...this.#entries.values()].map((entry) => entry.model);
  }

  get size(): number {
    return this.#entries.size + this.#reserved.size;
  }

  /** Resolves a POST /models url: absolute, or relative to the config's model dir; `..` is refused like MMS. */
  resolveUrl(url: string): string {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
      throw new HttpError(
        400,
        "BadRequestException",
        `Downloading models is not supported; use a local path: ${url}`,
      );
    }
    if (url.split(/[\\/]/).includes("..")) {
      throw new HttpError(404, "ModelNotFoundException", `Relative path is not allowed in url: ${url}`);
    }
    return isAbsolute(url) ? url : join(this.#options.config.modelDir, url);
  }

  /** Loads a model and starts its workers; HttpError 409/404/507/500 as MMS answers them. */
  async register(request: RegisterRequest, signal?: AbortSignal): Promise<Model> {
    const { config, logger } = this.#options;
    const path = this.resolveUrl(request.url);
    if (request.modelName !== undefined && this.#taken(request.modelName))
      throw this.#conflict(request.modelName);
    let source: ModelSource;
    try {
      source = await openModelSource(path, {
        extractArchive: this.#options.extractArchive,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if ((error as { code?: string }).code === "MODEL_SERVER_MODEL_NOT_FOUND") {
        throw new HttpError(404, "ModelNotFoundException", `Model not found in model store: ${request.url}`);
      }
      throw new HttpError(400, "BadRequestException", (error as Error).message, { cause: error });
    }
    const name = request.modelName ?? source.manifest?.modelName ?? defaultModelName(request.url);
    if (this.#taken(name)) {
      await source.cleanup();
      throw this.#conflict(name);
    }
    this.#reserved.add(name);
    const workers =
      request.initialWorkers ?? config.workers ?? (config.multiModel ? 1 : availableParallelism());
    const model = new Model({
      name,
      url: request.url,
      version: source.manifest?.modelVersion ?? "1.0",
      dir: source.dir,
      handler:
        request.handler ?? source.manifest?.handler ?? (config.handlerService || DEFAULT_HANDLER_SERVICE),
      workers,
      batchSize: request.batchSize ?? config.batchSize,
      maxBatchDelayMs: request.maxBatchDelayMs ?? config.maxBatchDelayMs,
      queueSize: config.queueSize,
      requestTimeoutMs: config.requestTimeoutMs,
      loadTimeoutMs: config.startupTimeoutMs,
      python: config.python,
      pythonDir: this.#options.pythonDir,
      env: this.#workerEnv(),
      logger,
      loadedAtStartup: request.loadedAtStartup ?? false,
      metrics: this.#options.metrics,
    });
    logger.info(`loading model ${printable(name)} from ${printable(source.dir)} with ${workers} worker(s)`);
    this.#loading.add(model);
    try {
      await model.start();
      if (this.#closed) throw new HttpError(503, "ServiceUnavailableException", "Server is shutting down.");
    } catch (error) {
      this.#loading.delete(model);
      this.#reserved.delete(name);
      await model.stop();
      await source.cleanup();
      if (error instanceof HttpError) throw error;
      const status = error instanceof WorkerLoadError && error.status === 507 ? 507 : 500;
      throw new HttpError(
        status,
        "InternalServerException",
        `Failed to start workers: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.#loading.delete(model);
    this.#reserved.delete(name);
    this.#entries.set(name, { model, source });
    return model;
  }

  /** Unregisters a model: lets its in-flight requests finish (up to `graceMs`), stops its workers, removes files. */
  async unregister(name: string, graceMs: number): Promise<void> {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new HttpError(404, "ModelNotFoundException", `Model not found: ${name}`);
    this.#entries.delete(name);
    await entry.model.whenIdle(AbortSignal.timeout(graceMs));
    // Past the grace, a worker still busy is killed at once: the caller's own deadline is near.
    await entry.model.stop(entry.model.idle ? undefined : 0);
    await entry.source.cleanup();
    this.#options.logger.info(`model ${printable(name)} unregistered`);
  }

  /** Stops every model after in-flight work finishes or `graceMs` passes. */
  async closeAll(graceMs: number): Promise<void> {
    this.#closed = true;
    await Promise.all([
      ...[...this.#entries.keys()].map((name) => this.unregister(name, graceMs)),
      ...[...this.#loading].map((model) => model.stop()),
    ]);
  }

  #taken(name: string): boolean {
    return this.#entries.has(name) || this.#reserved.has(name);
  }

  #conflict(name: string): HttpError {
    return new HttpError(409, "ConflictStatusException", `Model ${name} is already registered.`);
  }

  #workerEnv(): Record<string, string | undefined> {
    const { config, env } = this.#options;
    const workerEnv: Record<string, string | undefined> = { ...env };
    if (config.program !== null) workerEnv.SAGEMAKER_PROGRAM = config.program;
    if (config.defaultInvocationsAccept !== null) {
      workerEnv.SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT = config.defaultInvocationsAccept;
    }
    workerEnv.SAGEMAKER_MULTI_MODEL = config.multiModel ? "true" : "false";
    return workerEnv;
  }
}
