import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { availableParallelism } from "node:os";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { isServeError } from "@sagemaker-serve/errors";
import { extractArchive as extractModelArchive } from "@sagemaker-serve/model-archive";
import { BodyBudget, defaultBufferedBytes } from "./body-budget.ts";
import type { BuiltinServerConfig } from "./config.ts";
import { modelServerError } from "./errors.ts";
import { HttpError } from "./http-response.ts";
import { stderrLogger, type ModelServerLogger } from "./logger.ts";
import type { ExtractArchive } from "./model-source.ts";
import { isMetricsRequest, serveMetrics } from "./metrics/metrics-listener.ts";
import { ObservedResponse, observeRequest } from "./metrics/observe-request.ts";
import { startTelemetry } from "./metrics/start-telemetry.ts";
import { ModelRegistry } from "./registry.ts";
import { handleRequest } from "./routes.ts";
import { WorkerLoadError } from "./worker-process.ts";

export interface StartModelServerOptions {
  /** Aborting it closes the server (graceful drain with the config's `stopGraceMs`). */
  signal?: AbortSignal;
  /**
   * Default: stderr, `LEVEL message` lines or JSON lines per `config.logFormat`. Handler output arrives here
   * prefixed with `[model name]`.
   */
  logger?: ModelServerLogger;
  /** Directory holding `model_worker.py`; default the package's `python/` directory. */
  pythonDir?: string;
  /** Environment of the Python workers (PATH, PYTHONPATH, ...). Default `{}`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Archive extractor; default `extractArchive` of `@sagemaker-serve/model-archive`. */
  extractArchive?: ExtractArchive;
  /** Where access-log lines go (several lines per call); default stderr. */
  accessLogWrite?: (chunk: string) => void;
}

export interface ModelServerHandle {
  /** The port actually bound (useful with `port: 0`). */
  port: number;
  /**
   * Stops accepting connections, lets queued and in-flight requests finish for up to `graceMs` (default the
   * config's `stopGraceMs`), then stops every worker. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
  /** Settles once the server has closed, whoever closed it. */
  closed: Promise<void>;
  /** The metrics listener's bound port, when it has its own (`metricsPort` set and not the inference port). */
  metricsPort: number | undefined;
}

/** Idle keep-alive connections close after this; above the 60 s of common load balancers, so they close first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** A client must send its request line and headers within this. */
const HEADERS_TIMEOUT_MS = 60_000;

/** The package's `python/` directory, next to `src/` and `dist/`. */
export const DEFAULT_PYTHON_DIR = fileURLToPath(new URL("../python/", import.meta.url));

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        modelServerError(
          "MODEL_SERVER_LISTEN_FAILED",
          `Cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
          error.code === "EADDRINUSE"
            ? "Another process holds the port; stop it or set SAGEMAKER_BIND_TO_PORT to a free port."
            : "Check SAGEMAKER_BIND_TO_PORT and the bind address.",
          error,
        ),
      );
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function startupError(config: BuiltinServerConfig, error: HttpError): Error {
  if (error.status === 404) {
    return modelServerError(
      "MODEL_SERVER_MODEL_NOT_FOUND",
      `Model directory not found: "${config.modelDir}"`,
      "Mount or extract the model at the model directory (SAGEMAKER_BASE_DIR/model, default /opt/ml/model).",
      error,
    );
  }
  if (isServeError(error.cause)) return error.cause;
  if (error.cause instanceof WorkerLoadError && error.cause.spawnFailed) {
    return modelServerError(
      "MODEL_SERVER_PYTHON_FAILED",
      `Cannot start the Python interpreter "${config.python}" for the model workers: ${error.cause.message}`,
      "Install python3 or point SAGEMAKER_SERVE_PYTHON at an interpreter.",
      error,
    );
  }
  return modelServerError(
    "MODEL_SERVER_LOAD_FAILED",
    `Model "${config.modelName}" in "${config.modelDir}" failed to load: ${error.message}`,
    "Read the handler's traceback in the log lines prefixed with the model name above, fix the handler or model, and restart.",
    error,
  );
}

/**
 * Starts the built-in SageMaker model server: listens on `config.port`, then (single-model) loads the model in
 * `config.modelDir` and resolves once at least one of its workers has loaded. `/ping` answers 500 until then.
 * Throws `MODEL_SERVER_LISTEN_FAILED`, `MODEL_SERVER_MODEL_NOT_FOUND`, `MODEL_SERVER_ARCHIVE_FAILED` or
 * `MODEL_SERVER_LOAD_FAILED` (after closing everything it started).
 */
export async function startModelServer(
  config: BuiltinServerConfig,
  {
    signal,
    logger = stderrLogger(config.logFormat),
    pythonDir = DEFAULT_PYTHON_DIR,
    env = {},
    extractArchive = extractModelArchive,
    accessLogWrite = (chunk) => void process.stderr.write(chunk),
  }: StartModelServerOptions = {},
): Promise<ModelServerHandle> {
  signal?.throwIfAborted();
  const telemetry = await startTelemetry({
    config,
    inferencePort: config.port,
    models: () => registry.models.map((model) => model.metricsSnapshot()),
    write: accessLogWrite,
    warn: (message) => logger.warn(message),
  });
  const { metrics } = telemetry;
  const registry = new ModelRegistry({ config, pythonDir, env: { ...env }, logger, extractArchive, metrics });
  const budget = new BodyBudget(
    config.maxBufferedBytes ??
      defaultBufferedBytes(config.maxRequestBytes, config.workers ?? availableParallelism()),
  );
  const internal = new AbortController();
  let starting = !config.multiModel;
  let draining = false;
  let inFlight = 0;
  let idleResolve: (() => void) | undefined;
  const routeContext = {
    config,
    registry,
    starting: () => starting,
    draining: () => draining,
    signal: internal.signal,
    budget,
  };
  const observe = {
    defaultModel: config.modelName,
    isModel: (name: string) => registry.get(name) !== undefined,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    const scrape = telemetry.metricsOnInferencePort && isMetricsRequest(req);
    const observed = scrape ? undefined : observeRequest(telemetry, req, res, observe);
    res.on("close", () => {
      inFlight -= 1;
      if (inFlight === 0) idleResolve?.();
      observed?.();
    });
    if (scrape) void serveMetrics(metrics, req, res);
    else void handleRequest(routeContext, req, res);
  };
  const server = createServer(
    {
      ...(telemetry.metrics.enabled || telemetry.accessLog.enabled
        ? { ServerResponse: ObservedResponse }
        : {}),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      headersTimeout: HEADERS_TIMEOUT_MS,
      // Bodies have their own idle limit (bodyTimeoutMs); a whole slow upload is bounded by the body size limit.
      requestTimeout: 0,
    },
    onRequest,
  );
  // A client sending `Expect: 100-continue` gets its answer from the headers alone; the route sends 100 when it
  // wants the body.
  server.on("checkContinue", onRequest);
  server.maxConnections = config.maxConnections;
  let lastDropLog = 0;
  server.on("drop", () => {
    const now = Date.now();
    if (now - lastDropLog < 1000) return;
    lastDropLog = now;
    logger.warn(
      `model server: connection refused: ${config.maxConnections} connections are open (SAGEMAKER_SERVE_MAX_CONNECTIONS)`,
    );
  });

  let closing: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const close = (graceMs = config.stopGraceMs): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      logger.info(`model server: draining (grace ${graceMs} ms)`);
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      if (inFlight > 0) {
        const idle = new Promise<void>((resolve) => (idleResolve = resolve));
        await Promise.race([idle, sleep(graceMs, undefined, { ref: false })]);
      }
      await registry.closeAll(Math.max(0, deadline - Date.now()));
      internal.abort();
      server.closeAllConnections();
      await serverClosed;
      await telemetry.close();
      logger.info("model server: stopped");
      resolveClosed();
    })();
    return closing;
  };
  const onAbort = () => void close();
  signal?.addEventListener("abort", onAbort, { once: true });
  void closed.then(() => signal?.removeEventListener("abort", onAbort));

  try {
    await listen(server, config.port, config.bindAddress);
  } catch (error) {
    signal?.removeEventListener("abort", onAbort);
    await telemetry.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  logger.info(
    `model server: listening on ${config.bindAddress}:${port} (${config.multiModel ? "multi-model" : "single-model"})`,
  );
  if (telemetry.metricsPort !== undefined)
    logger.info(`model server: metrics on http://${config.metricsAddress}:${telemetry.metricsPort}/metrics`);

  if (!config.multiModel) {
    try {
      await registry.register(
        { url: resolve(config.modelDir), modelName: config.modelName, loadedAtStartup: true },
        internal.signal,
      );
      starting = false;
    } catch (error) {
      await close(0);
      if (error instanceof HttpError) throw startupError(config, error);
      throw error;
    }
  }
  return { port, close, closed, metricsPort: telemetry.metricsPort };
}
