import {
  DEFAULT_MODEL_NAME,
  MMS_DEFAULT_JOB_QUEUE_SIZE,
  MMS_DEFAULT_MAX_REQUEST_BYTES,
  type LogFormat,
  NO_STARTUP_DEADLINE_MS,
} from "./constants.ts";
import { checkedHandler } from "./properties-lines.ts";
import type { RenderConfigOptions } from "./render-mms-config.ts";
import type { ServeSettings } from "./settings.ts";

/**
 * The built-in server's config file (JSON), written by `renderBuiltinConfig` and read by
 * `@sagemaker-serve/model-server`'s `parseBuiltinServerConfig`: the one definition of its shape.
 */
export interface BuiltinServerConfig {
  /** Port for every route (`SAGEMAKER_BIND_TO_PORT`); 0 picks a free port. */
  port: number;
  bindAddress: string;
  /** `SAGEMAKER_MULTI_MODEL=true`: no startup model, `POST /models` loads models. */
  multiModel: boolean;
  /** Single-model: the model served. Multi-model: the base that relative `url`s resolve against. */
  modelDir: string;
  /** Name of the single startup model. */
  modelName: string;
  /** Handler used when a model has no manifest handler: `module[:function]`. */
  handlerService: string;
  /**
   * Workers per model; null = one per CPU core (single-model) or 1 (multi-model, like the toolkit's MME template).
   * 0 registers models without workers (every request gets 503), as MMS does.
   */
  workers: number | null;
  requestTimeoutMs: number;
  maxRequestBytes: number;
  startupTimeoutMs: number;
  /** `SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`, passed to workers. */
  defaultInvocationsAccept: string | null;
  /** The user module name (`SAGEMAKER_PROGRAM` without `.py`); null when it is empty. */
  program: string | null;
  /** Python interpreter that runs the workers. */
  python: string;
  batchSize: number;
  maxBatchDelayMs: number;
  /** Requests that may wait per model before new ones get 503. */
  queueSize: number;
  /**
   * Drain grace on close: the CLI's stop grace less a margin (`builtinDrainMs`), so the server answers what it
   * cannot finish and exits before the CLI's SIGKILL.
   */
  stopGraceMs: number;
  logFormat: LogFormat;
  /** A request body idle this long is cut with 408. */
  bodyTimeoutMs: number;
  /** Client connections open at once. */
  maxConnections: number;
  /** Bytes of request bodies held at once; null = payload limit × (2 × workers + 2), at least 4 payloads. */
  maxBufferedBytes: number | null;
  /** Port of the Prometheus metrics listener; null = no metrics. Equal to `port`: `/metrics` is served there. */
  metricsPort: number | null;
  /** Address the metrics listener binds to. */
  metricsAddress: string;
  /** One access-log line per request. */
  accessLog: boolean;
  /** Access-log one `/ping` in this many; 0 = none. */
  accessLogPingSample: number;
  /** Label sets one handler metric may have on `/metrics`. */
  handlerMetricsMaxSeries: number;
}

/** The built-in server's drain grace for a CLI stop grace: a fifth of it, at most 3 s, is kept to stop workers. */
export function builtinDrainMs(stopGraceMs: number): number {
  return stopGraceMs - Math.min(3000, Math.floor(stopGraceMs / 5));
}

/** The built-in server's config for these settings, with MMS's defaults where the environment leaves a gap. */
export function builtinServerConfig(
  settings: ServeSettings,
  { handler = settings.handlerService }: RenderConfigOptions = {},
): BuiltinServerConfig {
  return {
    port: settings.bindPort,
    bindAddress: "0.0.0.0",
    multiModel: settings.multiModel,
    modelDir: settings.modelDir,
    modelName: DEFAULT_MODEL_NAME,
    handlerService: checkedHandler("built-in server", handler),
    workers: settings.workers,
    requestTimeoutMs: settings.requestTimeoutMs,
    maxRequestBytes: settings.maxRequestBytes ?? MMS_DEFAULT_MAX_REQUEST_BYTES,
    startupTimeoutMs: settings.startupTimeoutMs === 0 ? NO_STARTUP_DEADLINE_MS : settings.startupTimeoutMs,
    defaultInvocationsAccept: settings.defaultInvocationsAccept,
    program: settings.moduleName === "" ? null : settings.moduleName,
    python: settings.python,
    batchSize: settings.torchServe.batchSize,
    maxBatchDelayMs: settings.torchServe.maxBatchDelayMs,
    queueSize: MMS_DEFAULT_JOB_QUEUE_SIZE,
    stopGraceMs: builtinDrainMs(settings.stopGraceMs),
    logFormat: settings.logFormat,
    bodyTimeoutMs: settings.bodyTimeoutMs,
    maxConnections: settings.maxConnections,
    maxBufferedBytes: settings.maxBufferedBytes ?? null,
    metricsPort: settings.metricsPort ?? null,
    metricsAddress: settings.metricsAddress,
    accessLog: settings.accessLog,
    accessLogPingSample: settings.accessLogPingSample,
    handlerMetricsMaxSeries: settings.handlerMetricsMaxSeries,
  };
}

/** `builtinServerConfig` as the JSON text of the config file (two-space indent, trailing newline). */
export function renderBuiltinConfig(settings: ServeSettings, options: RenderConfigOptions = {}): string {
  return `${JSON.stringify(builtinServerConfig(settings, options), null, 2)}\n`;
}
