import { isIP } from "node:net";
import {
  BACKENDS,
  DEFAULT_HANDLER_SERVICE,
  LOG_FORMATS,
  TS_DEFAULT_HANDLER_SERVICE,
  type Backend,
  type LogFormat,
} from "./constants.ts";
import { defineVariable, type EnvVariable } from "./env-variable.ts";
import {
  JAVA_INT_MAX,
  TIMER_SECONDS_MAX,
  fail,
  ok,
  parseAbsolutePath,
  parseChoice,
  parseCodeArtifactArn,
  parseHandler,
  parseInteger,
  parseMediaType,
  parsePort,
  parsePortRange,
  parseText,
  parseVmargs,
  parseWorkers,
  type Outcome,
} from "./rules.ts";

const INT = "Python `int()`";
const javaInt = (min: number) => ({ min, max: JAVA_INT_MAX, maxReason: "the server reads it as a Java int" });
const timerSeconds = (min: number) => ({ min, max: TIMER_SECONDS_MAX, maxReason: "about 24.8 days" });

export const baseDirVariable = defineVariable({
  name: "SAGEMAKER_BASE_DIR",
  defaultValue: "`/opt/ml`",
  parsing: 'absolute path; no control characters, ":" or ","',
  becomes:
    "`baseDir`; `modelDir` = base + `/model` (`/models` in multi-model mode), `codeDir`, `requirementsPath`",
  description: "Root of the SageMaker directory layout.",
  unset: "/opt/ml",
  parse: (raw) =>
    parseAbsolutePath(raw, {
      ":": "which would split PYTHONPATH",
      ",": "which MMS would split the --models list on",
    }),
});

export const multiModelVariable = defineVariable({
  name: "SAGEMAKER_MULTI_MODEL",
  defaultValue: "unset (off)",
  parsing: "on only for the exact string `true`; anything else is off (a warning for `True`, `1`, ...)",
  becomes: "`multiModel`: template, model dir, no `--models`, `SAGEMAKER_HANDLER`",
  description: "Multi-model endpoint mode (set by SageMaker).",
  unset: false,
  parse: (raw) => ok(raw === "true"),
});

export const programVariable = defineVariable({
  name: "SAGEMAKER_PROGRAM",
  defaultValue: "`inference.py`",
  parsing: "text; a trailing `.py` is dropped for the module name",
  becomes: "`program`, `moduleName`",
  description: "The user's inference script in the code directory.",
  unset: "inference.py",
  parse: parseText,
});

export const modelServerTimeoutVariable = defineVariable({
  name: "SAGEMAKER_MODEL_SERVER_TIMEOUT",
  defaultValue: "`60`",
  parsing: `${INT}, 0-${JAVA_INT_MAX}`,
  becomes:
    "`defaultResponseTimeout` → `default_response_timeout` (MMS reads minutes, TorchServe seconds); 0 = no line",
  description: "Model server response timeout, in the server's unit.",
  unset: 60,
  parse: (raw) => parseInteger(raw, javaInt(0)),
});

export const modelServerTimeoutSecondsVariable = defineVariable<number | undefined>({
  name: "SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS",
  defaultValue: "unset",
  parsing: `${INT} when present (empty is an error), 0-${JAVA_INT_MAX}`,
  becomes: "`defaultResponseTimeoutSeconds` → `default_response_timeout_seconds` (MMS only); 0 = no line",
  description: "Response timeout in seconds; wins over the minutes value in MMS.",
  unset: undefined,
  parse: (raw) => parseInteger(raw, javaInt(0)),
});

export const workersVariable = defineVariable<string | undefined>({
  name: "SAGEMAKER_MODEL_SERVER_WORKERS",
  defaultValue: "unset (the server's default)",
  parsing: "digits 0-1024, kept as text; empty = unset",
  becomes:
    '`modelServerWorkers` → `default_workers_per_model` (also for `"0"`); `workers` (null for unset or 0)',
  description: "Worker processes per model.",
  unset: undefined,
  parse: parseWorkers,
});

export const startupTimeoutVariable = defineVariable({
  name: "SAGEMAKER_STARTUP_TIMEOUT",
  defaultValue: "`600`",
  parsing: `${INT}, 0-${TIMER_SECONDS_MAX} seconds`,
  becomes: "`startupTimeoutMs`",
  description: "How long the server may take to become ready.",
  unset: 600,
  parse: (raw) => parseInteger(raw, timerSeconds(0)),
});

export const defaultAcceptVariable = defineVariable({
  name: "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT",
  defaultValue: "`application/json`",
  parsing: "a media type `type/subtype[; k=v]`",
  becomes: "`defaultInvocationsAccept`",
  description: "Response type when a request has no Accept header or `*/*`.",
  unset: "application/json",
  parse: parseMediaType,
});

export const bindPortVariable = defineVariable({
  name: "SAGEMAKER_BIND_TO_PORT",
  defaultValue: "`8080`",
  parsing: "digits, 1-65535",
  becomes: "`bindPort` → `inference_address` and `management_address` `http://0.0.0.0:<port>`",
  description: "The one port for inference and management (set by SageMaker for pipelines).",
  unset: 8080,
  parse: parsePort,
});

export const safePortRangeVariable = defineVariable<{ low: number; high: number } | undefined>({
  name: "SAGEMAKER_SAFE_PORT_RANGE",
  defaultValue: "unset",
  parsing: "`LOW-HIGH`, ports, LOW ≤ HIGH",
  becomes: "`safePortRange` (no config line, as in the toolkit)",
  description: "Ports free for extra listeners in multi-container setups.",
  unset: undefined,
  parse: parsePortRange,
});

export const vmargsVariable = defineVariable({
  name: "SAGEMAKER_MODEL_SERVER_VMARGS",
  defaultValue: "`-XX:-UseContainerSupport`",
  parsing:
    "trimmed; options starting with `-` (no `-cp`/`-jar`); printable ASCII, no `\\`, `$` or control characters; empty = no line",
  becomes: "`vmargs` → `vmargs` (MMS)",
  description: "JVM options for the model server.",
  unset: "-XX:-UseContainerSupport",
  parse: parseVmargs,
});

export const maxPayloadVariable = defineVariable<number | undefined>({
  name: "SAGEMAKER_MAX_PAYLOAD_IN_MB",
  defaultValue: "unset (MMS: 6553500 bytes)",
  parsing: `${INT}, 0-2047`,
  becomes: "`maxRequestBytes` = MB × 1048576 → `max_request_size` (MMS); 0 = unset",
  description: "Largest request body accepted.",
  unset: undefined,
  parse: (raw) => {
    const outcome = parseInteger(raw, {
      min: 0,
      max: 2047,
      maxReason: "max_request_size is a Java int of bytes",
    });
    return outcome.ok ? ok(outcome.value === 0 ? undefined : outcome.value * 1_048_576) : outcome;
  },
});

export const sagemakerHandlerVariable = defineVariable<string | undefined>({
  name: "SAGEMAKER_HANDLER",
  defaultValue: "unset (multi-model: set to the handler service)",
  parsing:
    "multi-model mode only: a handler (letters, digits, `_ . / : @ + -`); empty: MMS sets it, TorchServe keeps it",
  becomes: "`sagemakerHandler`; MMS substitutes it for `$$SAGEMAKER_HANDLER$$`",
  description: "Handler service of a multi-model endpoint.",
  unset: undefined,
  emptyIsUnset: false,
  parse: parseText,
});

export const caRepositoryArnVariable = defineVariable<string | undefined>({
  name: "CA_REPOSITORY_ARN",
  defaultValue: "unset (PyPI)",
  parsing: "`arn:<partition>:codeartifact:<region>:<account>:repository/<domain>/<repo>`; empty = unset",
  becomes: "`caRepositoryArn` (pip index from CodeArtifact)",
  description: "CodeArtifact repository to install requirements from.",
  unset: undefined,
  emptyIsUnset: true,
  parse: parseCodeArtifactArn,
});

export const pythonPathVariable = defineVariable<string | undefined>({
  name: "PYTHONPATH",
  defaultValue: "inherited",
  parsing: "text, no control characters",
  becomes: "`pythonPath`; the launcher env gets `<codeDir>:` prepended",
  description: "Python import path of the server's workers.",
  unset: undefined,
  parse: parseText,
});

export const containerLogLevelVariable = defineVariable<undefined>({
  name: "SAGEMAKER_CONTAINER_LOG_LEVEL",
  defaultValue: "unset",
  parsing: "not read (the toolkit defines it but never reads it)",
  becomes: "nothing",
  description: "Listed for completeness; ignored as in the toolkit.",
  unset: undefined,
  parse: () => ok(undefined),
});

function tsVariable(name: string, unset: number, min: number, becomes: string, description: string) {
  return defineVariable({
    name,
    defaultValue: `\`${unset}\``,
    parsing: `${INT}, ${min}-${JAVA_INT_MAX}`,
    becomes,
    description,
    unset,
    parse: (raw) => parseInteger(raw, javaInt(min)),
  });
}

export const tsBatchSizeVariable = tsVariable(
  "SAGEMAKER_TS_BATCH_SIZE",
  1,
  1,
  "`torchServe.batchSize` → `models` JSON `batchSize`; built-in `batchSize`",
  "Requests batched into one handler call.",
);
export const tsMaxBatchDelayVariable = tsVariable(
  "SAGEMAKER_TS_MAX_BATCH_DELAY",
  100,
  0,
  "`torchServe.maxBatchDelayMs` → `maxBatchDelay`; built-in `maxBatchDelayMs`",
  "Milliseconds to wait for a batch to fill.",
);
export const tsMinWorkersVariable = tsVariable(
  "SAGEMAKER_TS_MIN_WORKERS",
  1,
  0,
  "`torchServe.minWorkers` → `minWorkers` (must not exceed the max)",
  "Fewest TorchServe workers for the model.",
);
export const tsMaxWorkersVariable = tsVariable(
  "SAGEMAKER_TS_MAX_WORKERS",
  1,
  1,
  "`torchServe.maxWorkers` → `maxWorkers`",
  "Most TorchServe workers for the model.",
);
export const tsResponseTimeoutVariable = tsVariable(
  "SAGEMAKER_TS_RESPONSE_TIMEOUT",
  60,
  1,
  "`torchServe.responseTimeoutSeconds` → `responseTimeout`",
  "TorchServe per-model response timeout in seconds.",
);

export const backendVariable = defineVariable<Backend>({
  name: "SAGEMAKER_SERVE_BACKEND",
  defaultValue: "`auto`",
  parsing: `one of ${BACKENDS.join(", ")}; empty = unset`,
  becomes: "`backend`",
  description: "Model server: auto picks MMS, then TorchServe, then the built-in server.",
  unset: "auto",
  emptyIsUnset: true,
  parse: (raw) => parseChoice(raw, BACKENDS),
});

export const handlerServiceVariable = defineVariable({
  name: "SAGEMAKER_SERVE_HANDLER",
  defaultValue: `\`${DEFAULT_HANDLER_SERVICE}\` (TorchServe: \`${TS_DEFAULT_HANDLER_SERVICE}\`)`,
  parsing: "a handler (letters, digits, `_ . / : @ + -`); empty = unset",
  becomes: "`handlerService` (the toolkit's `start_model_server(handler_service=...)`)",
  description: "Handler service the server loads.",
  unset: DEFAULT_HANDLER_SERVICE,
  emptyIsUnset: true,
  parse: parseHandler,
});

export const configPathVariable = defineVariable<string | undefined>({
  name: "SAGEMAKER_SERVE_CONFIG_PATH",
  defaultValue: "unset (the backend's: `/etc/sagemaker-mms.properties`, ...)",
  parsing: "absolute path, no control characters; empty = unset",
  becomes: "`configPath`",
  description: "Where the server config is written.",
  unset: undefined,
  emptyIsUnset: true,
  parse: (raw) => parseAbsolutePath(raw),
});

export const stopGraceVariable = defineVariable({
  name: "SAGEMAKER_SERVE_STOP_GRACE_SECONDS",
  defaultValue: "`25`",
  parsing: `${INT}, 0-${TIMER_SECONDS_MAX}; empty = unset`,
  becomes: "`stopGraceMs`",
  description: "Seconds between SIGTERM and SIGKILL to the server (SageMaker kills at 30 s).",
  unset: 25,
  emptyIsUnset: true,
  parse: (raw) => parseInteger(raw, timerSeconds(0)),
});

export const pythonVariable = defineVariable({
  name: "SAGEMAKER_SERVE_PYTHON",
  defaultValue: "`python3`",
  parsing: "command or path, no control characters; empty = unset",
  becomes: "`python`",
  description: "Python interpreter for pip and the built-in server's workers.",
  unset: "python3",
  emptyIsUnset: true,
  parse: parseText,
});

export const logFormatVariable = defineVariable<LogFormat>({
  name: "SAGEMAKER_SERVE_LOG_FORMAT",
  defaultValue: "`text`",
  parsing: `one of ${LOG_FORMATS.join(", ")}; empty = unset`,
  becomes: "`logFormat`",
  description: "Our log lines: human-readable text or JSON lines.",
  unset: "text",
  emptyIsUnset: true,
  parse: (raw) => parseChoice(raw, LOG_FORMATS),
});

export const metricsPortVariable = defineVariable<number | undefined>({
  name: "SAGEMAKER_SERVE_METRICS_PORT",
  defaultValue: "unset (no metrics listener)",
  parsing: "digits, 1-65535; empty = unset",
  becomes:
    "`metricsPort` (built-in server: `GET /metrics` on this port; the inference port only when equal to it)",
  description: "Built-in server: port of the Prometheus metrics listener.",
  unset: undefined,
  emptyIsUnset: true,
  parse: parsePort,
});

export const metricsAddressVariable = defineVariable({
  name: "SAGEMAKER_SERVE_METRICS_ADDRESS",
  defaultValue: "`127.0.0.1`",
  parsing: "an IPv4 or IPv6 address; empty = unset",
  becomes: "`metricsAddress` (built-in server; TorchServe `metrics_address`)",
  description: "Address the metrics listener binds to (`0.0.0.0` to let a scraper outside the container in).",
  unset: "127.0.0.1",
  emptyIsUnset: true,
  parse: (raw) => (isIP(raw) === 0 ? fail("must be an IPv4 or IPv6 address such as 127.0.0.1") : ok(raw)),
});

export const accessLogVariable = defineVariable({
  name: "SAGEMAKER_SERVE_ACCESS_LOG",
  defaultValue: "`true`",
  parsing: "`true` or `false`; empty = unset",
  becomes: "`accessLog` (built-in server)",
  description: "Built-in server: one MMS-style access-log line per request, in `SAGEMAKER_SERVE_LOG_FORMAT`.",
  unset: true,
  emptyIsUnset: true,
  parse: parseSwitch,
});

export const accessLogPingVariable = defineVariable({
  name: "SAGEMAKER_SERVE_ACCESS_LOG_PING_SAMPLE",
  defaultValue: "`0`",
  parsing: `${INT}, 0-1000000; empty = unset`,
  becomes: "`accessLogPingSample` (built-in server)",
  description: "Access-log one `/ping` in this many (0 = none, so health checks do not drown the log).",
  unset: 0,
  emptyIsUnset: true,
  parse: (raw) => parseInteger(raw, { min: 0, max: 1_000_000 }),
});

export const handlerMetricsSeriesVariable = defineVariable({
  name: "SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES",
  defaultValue: "`100`",
  parsing: `${INT}, 1-100000; empty = unset`,
  becomes: "`handlerMetricsMaxSeries` (built-in server)",
  description:
    "Built-in server: label sets one handler metric may have on `/metrics`; more are dropped and counted.",
  unset: 100,
  emptyIsUnset: true,
  parse: (raw) => parseInteger(raw, { min: 1, max: 100_000 }),
});

export const pipTimeoutVariable = defineVariable({
  name: "SAGEMAKER_SERVE_PIP_TIMEOUT_SECONDS",
  defaultValue: "`300`",
  parsing: `${INT}, 1-${TIMER_SECONDS_MAX}; empty = unset`,
  becomes: "`pipTimeoutMs`",
  description: "Wall-clock limit for installing requirements.txt.",
  unset: 300,
  emptyIsUnset: true,
  parse: (raw) => parseInteger(raw, timerSeconds(1)),
});

export const bodyTimeoutVariable = defineVariable({
  name: "SAGEMAKER_SERVE_BODY_TIMEOUT_SECONDS",
  defaultValue: "`60`",
  parsing: `${INT}, 1-${TIMER_SECONDS_MAX}; empty = unset`,
  becomes: "`bodyTimeoutMs` (built-in server)",
  description: "Built-in server: a request body that sends nothing for this long is cut with 408.",
  unset: 60,
  emptyIsUnset: true,
  parse: (raw) => parseInteger(raw, timerSeconds(1)),
});

export const maxConnectionsVariable = defineVariable({
  name: "SAGEMAKER_SERVE_MAX_CONNECTIONS",
  defaultValue: "`1000`",
  parsing: `${INT}, 1-1000000; empty = unset`,
  becomes: "`maxConnections` (built-in server)",
  description: "Built-in server: open client connections at once; more are closed on accept.",
  unset: 1000,
  emptyIsUnset: true,
  parse: (raw) =>
    parseInteger(raw, { min: 1, max: 1_000_000, maxReason: "far above any file-descriptor limit" }),
});

export const maxBufferedVariable = defineVariable<number | undefined>({
  name: "SAGEMAKER_SERVE_MAX_BUFFERED_MB",
  defaultValue: "payload limit × (2 × workers + 2), at least 4 payloads",
  parsing: `${INT}, 1-1048576; empty = unset`,
  becomes: "`maxBufferedBytes` (built-in server)",
  description:
    "Built-in server: request bodies held in memory at once, in MiB; a request over it gets 503 before its body is read.",
  unset: undefined,
  emptyIsUnset: true,
  parse: (raw) => parseInteger(raw, { min: 1, max: 1_048_576, maxReason: "1 TiB" }),
});

function parseSwitch(raw: string): Outcome<boolean> {
  if (raw === "true") return ok(true);
  if (raw === "false") return ok(false);
  return fail("must be true or false");
}

export const pipForceVariable = defineVariable({
  name: "SAGEMAKER_SERVE_PIP_FORCE",
  defaultValue: "`false`",
  parsing: "`true` or `false`; empty = unset",
  becomes: "`pipForce`",
  description: "Run pip even when the same requirements were already installed in this container.",
  unset: false,
  emptyIsUnset: true,
  parse: parseSwitch,
});

export const pipAllowIndexOptionsVariable = defineVariable({
  name: "SAGEMAKER_SERVE_PIP_ALLOW_INDEX_OPTIONS",
  defaultValue: "`false`",
  parsing: "`true` or `false`; empty = unset",
  becomes: "`pipAllowIndexOptions`",
  description:
    "With a CodeArtifact index, accept requirements lines that change the index (`--extra-index-url`, ...) with a warning.",
  unset: false,
  emptyIsUnset: true,
  parse: parseSwitch,
});

/** Every variable read, in README order: the toolkit's, the PyTorch toolkit's, then ours. */
export const SERVE_ENV_VARIABLES: readonly EnvVariable[] = [
  baseDirVariable,
  multiModelVariable,
  programVariable,
  modelServerTimeoutVariable,
  modelServerTimeoutSecondsVariable,
  workersVariable,
  startupTimeoutVariable,
  defaultAcceptVariable,
  bindPortVariable,
  safePortRangeVariable,
  vmargsVariable,
  maxPayloadVariable,
  sagemakerHandlerVariable,
  caRepositoryArnVariable,
  pythonPathVariable,
  containerLogLevelVariable,
  tsBatchSizeVariable,
  tsMaxBatchDelayVariable,
  tsMinWorkersVariable,
  tsMaxWorkersVariable,
  tsResponseTimeoutVariable,
  backendVariable,
  handlerServiceVariable,
  configPathVariable,
  stopGraceVariable,
  pythonVariable,
  logFormatVariable,
  metricsPortVariable,
  metricsAddressVariable,
  accessLogVariable,
  accessLogPingVariable,
  handlerMetricsSeriesVariable,
  pipTimeoutVariable,
  pipForceVariable,
  pipAllowIndexOptionsVariable,
  bodyTimeoutVariable,
  maxConnectionsVariable,
  maxBufferedVariable,
];
