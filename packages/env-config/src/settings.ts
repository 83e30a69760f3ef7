import type { Backend, LogFormat } from "./constants.ts";

/** The TorchServe batching settings from the PyTorch toolkit's `SAGEMAKER_TS_*` variables. */
export interface TorchServeSettings {
  batchSize: number;
  maxBatchDelayMs: number;
  minWorkers: number;
  maxWorkers: number;
  responseTimeoutSeconds: number;
  /** True when any `SAGEMAKER_TS_*` variable is present: only then is the `models=` line written. */
  fromEnv: boolean;
}

/** Everything the serving environment says, parsed and validated; units are in the names. */
export interface ServeSettings {
  /** `SAGEMAKER_BASE_DIR`, default `/opt/ml`. */
  baseDir: string;
  /** `SAGEMAKER_MULTI_MODEL === "true"`. */
  multiModel: boolean;
  /** `<baseDir>/model`, or `<baseDir>/models` in multi-model mode (joined like Python's os.path.join). */
  modelDir: string;
  /** `<modelDir>/code`. */
  codeDir: string;
  /** `<codeDir>/requirements.txt`. */
  requirementsPath: string;
  /** `SAGEMAKER_PROGRAM` as given (default `inference.py`). */
  program: string;
  /** `program` without a trailing `.py`. */
  moduleName: string;
  /** Written to `default_response_timeout`: MMS reads it as minutes, TorchServe as seconds (default 60). */
  defaultResponseTimeout: number;
  /** `SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS` → MMS `default_response_timeout_seconds`. */
  defaultResponseTimeoutSeconds: number | undefined;
  /** The per-request timeout MMS ends up with for these values, in ms (used by the built-in server). */
  requestTimeoutMs: number;
  /** `SAGEMAKER_MODEL_SERVER_WORKERS` as text (the toolkit writes it verbatim); undefined when unset or empty. */
  modelServerWorkers: string | undefined;
  /** The same as a number; null when unset or 0 (the server picks one per core). */
  workers: number | null;
  startupTimeoutMs: number;
  defaultInvocationsAccept: string;
  bindPort: number;
  safePortRange: { low: number; high: number } | undefined;
  /** JVM options for MMS; empty = no `vmargs` line. */
  vmargs: string;
  /** `SAGEMAKER_MAX_PAYLOAD_IN_MB` × 1048576; undefined when unset or 0. */
  maxRequestBytes: number | undefined;
  /** `SAGEMAKER_HANDLER` as found: undefined when absent, "" when set empty (MMS replaces it, TorchServe keeps it). */
  sagemakerHandler: string | undefined;
  caRepositoryArn: string | undefined;
  /** `PYTHONPATH` as found (undefined when unset; "" is kept). */
  pythonPath: string | undefined;
  torchServe: TorchServeSettings;
  backend: Backend;
  /** The handler service the server loads (default `sagemaker_inference.default_handler_service`). */
  handlerService: string;
  /** True when `SAGEMAKER_SERVE_HANDLER` gave a handler; false = each backend's toolkit default (`handlerServiceFor`). */
  handlerServiceSet: boolean;
  /** Where to write the server config; undefined = the backend's default. */
  configPath: string | undefined;
  stopGraceMs: number;
  python: string;
  logFormat: LogFormat;
  /** `SAGEMAKER_SERVE_METRICS_PORT`: the built-in server's metrics listener; undefined = none. */
  metricsPort: number | undefined;
  /** `SAGEMAKER_SERVE_METRICS_ADDRESS` (default `127.0.0.1`). */
  metricsAddress: string;
  /** `SAGEMAKER_SERVE_ACCESS_LOG`: the built-in server's access log (default on). */
  accessLog: boolean;
  /** Access-log one `/ping` in this many; 0 = none. */
  accessLogPingSample: number;
  /** Label sets per handler metric on `/metrics`. */
  handlerMetricsMaxSeries: number;
  pipTimeoutMs: number;
  /** `SAGEMAKER_SERVE_PIP_FORCE`: reinstall even when the requirements are unchanged. */
  pipForce: boolean;
  /** `SAGEMAKER_SERVE_PIP_ALLOW_INDEX_OPTIONS`: index-changing requirements lines only warn under a private index. */
  pipAllowIndexOptions: boolean;
  /** Built-in server: idle limit of a request body before 408. */
  bodyTimeoutMs: number;
  /** Built-in server: client connections open at once. */
  maxConnections: number;
  /** Built-in server: bytes of request bodies held at once; undefined = derived from the payload limit. */
  maxBufferedBytes: number | undefined;
  /** Things that are valid but probably not what was meant (e.g. `SAGEMAKER_MULTI_MODEL=True`). */
  warnings: string[];
}
