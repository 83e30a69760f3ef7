import { describe, expect, it } from "vitest";
import { NO_STARTUP_DEADLINE_MS } from "./constants.ts";
import { parseServeEnvironment } from "./parse-serve-environment.ts";
import { builtinDrainMs, renderBuiltinConfig } from "./render-builtin-config.ts";

const KEYS = [
  "port",
  "bindAddress",
  "multiModel",
  "modelDir",
  "modelName",
  "handlerService",
  "workers",
  "requestTimeoutMs",
  "maxRequestBytes",
  "startupTimeoutMs",
  "defaultInvocationsAccept",
  "program",
  "python",
  "batchSize",
  "maxBatchDelayMs",
  "queueSize",
  "stopGraceMs",
  "logFormat",
  "bodyTimeoutMs",
  "maxConnections",
  "maxBufferedBytes",
  "metricsPort",
  "metricsAddress",
  "accessLog",
  "accessLogPingSample",
  "handlerMetricsMaxSeries",
];

describe("renderBuiltinConfig", () => {
  it("defaults: the agreed JSON shape with MMS's defaults filled in", () => {
    const text = renderBuiltinConfig(parseServeEnvironment({}));
    expect(text.endsWith("}\n")).toBe(true);
    const config = JSON.parse(text);
    expect(Object.keys(config)).toEqual(KEYS);
    expect(config).toEqual({
      port: 8080,
      bindAddress: "0.0.0.0",
      multiModel: false,
      modelDir: "/opt/ml/model",
      modelName: "model",
      handlerService: "sagemaker_inference.default_handler_service",
      workers: null,
      requestTimeoutMs: 3_600_000,
      maxRequestBytes: 6_553_500,
      startupTimeoutMs: 600_000,
      defaultInvocationsAccept: "application/json",
      program: "inference",
      python: "python3",
      batchSize: 1,
      maxBatchDelayMs: 100,
      queueSize: 100,
      stopGraceMs: 22_000,
      logFormat: "text",
      bodyTimeoutMs: 60_000,
      maxConnections: 1000,
      maxBufferedBytes: null,
      metricsPort: null,
      metricsAddress: "127.0.0.1",
      accessLog: true,
      accessLogPingSample: 0,
      handlerMetricsMaxSeries: 100,
    });
  });

  it("carries every setting through", () => {
    const config = JSON.parse(
      renderBuiltinConfig(
        parseServeEnvironment({
          SAGEMAKER_MULTI_MODEL: "true",
          SAGEMAKER_BASE_DIR: "/srv/ml dir",
          SAGEMAKER_BIND_TO_PORT: "9000",
          SAGEMAKER_MODEL_SERVER_WORKERS: "3",
          SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS: "45",
          SAGEMAKER_MAX_PAYLOAD_IN_MB: "20",
          SAGEMAKER_STARTUP_TIMEOUT: "30",
          SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: "text/csv",
          SAGEMAKER_PROGRAM: "",
          SAGEMAKER_TS_BATCH_SIZE: "8",
          SAGEMAKER_TS_MAX_BATCH_DELAY: "5",
          SAGEMAKER_SERVE_PYTHON: "/venv/bin/python",
          SAGEMAKER_SERVE_STOP_GRACE_SECONDS: "5",
          SAGEMAKER_SERVE_LOG_FORMAT: "json",
          SAGEMAKER_SERVE_BODY_TIMEOUT_SECONDS: "7",
          SAGEMAKER_SERVE_MAX_CONNECTIONS: "50",
          SAGEMAKER_SERVE_MAX_BUFFERED_MB: "64",
          SAGEMAKER_SERVE_METRICS_PORT: "9100",
          SAGEMAKER_SERVE_METRICS_ADDRESS: "0.0.0.0",
          SAGEMAKER_SERVE_ACCESS_LOG: "false",
          SAGEMAKER_SERVE_ACCESS_LOG_PING_SAMPLE: "60",
          SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES: "20",
        }),
        { handler: "my_pkg.my_service" },
      ),
    );
    expect(config).toMatchObject({
      port: 9000,
      multiModel: true,
      modelDir: "/srv/ml dir/models",
      handlerService: "my_pkg.my_service",
      workers: 3,
      requestTimeoutMs: 45_000,
      maxRequestBytes: 20_971_520,
      startupTimeoutMs: 30_000,
      defaultInvocationsAccept: "text/csv",
      program: null,
      python: "/venv/bin/python",
      batchSize: 8,
      maxBatchDelayMs: 5,
      stopGraceMs: 4_000,
      logFormat: "json",
      bodyTimeoutMs: 7_000,
      maxConnections: 50,
      maxBufferedBytes: 64 * 1024 * 1024,
      metricsPort: 9100,
      metricsAddress: "0.0.0.0",
      accessLog: false,
      accessLogPingSample: 60,
      handlerMetricsMaxSeries: 20,
    });
  });

  it("drains a margin before the CLI's SIGKILL: a fifth of the stop grace, at most 3 s", () => {
    expect(builtinDrainMs(25_000)).toBe(22_000);
    expect(builtinDrainMs(5_000)).toBe(4_000);
    expect(builtinDrainMs(0)).toBe(0);
    expect(builtinDrainMs(1)).toBe(1);
  });

  it("gives the built-in server no deadline of its own for SAGEMAKER_STARTUP_TIMEOUT=0", () => {
    const settings = parseServeEnvironment({ SAGEMAKER_STARTUP_TIMEOUT: "0" });
    expect(settings.startupTimeoutMs).toBe(0);
    expect(JSON.parse(renderBuiltinConfig(settings)).startupTimeoutMs).toBe(NO_STARTUP_DEADLINE_MS);
  });

  it("round-trips hostile-looking but valid paths exactly through JSON", () => {
    const settings = parseServeEnvironment({ SAGEMAKER_BASE_DIR: '/srv/"quoted" \\ #=!é' });
    expect(JSON.parse(renderBuiltinConfig(settings)).modelDir).toBe('/srv/"quoted" \\ #=!é/model');
  });
});
