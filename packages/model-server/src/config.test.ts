import { describe, expect, it } from "vitest";
import { builtinServerConfig, parseServeEnvironment, renderBuiltinConfig } from "@sagemaker-serve/env-config";
import { parseBuiltinServerConfig } from "./config.ts";

const VALID = {
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
  defaultInvocationsAccept: null,
  program: null,
  python: "python3",
  batchSize: 1,
  maxBatchDelayMs: 100,
  queueSize: 100,
  stopGraceMs: 25_000,
  logFormat: "text",
  bodyTimeoutMs: 60_000,
  maxConnections: 1000,
  maxBufferedBytes: null,
  metricsPort: null,
  metricsAddress: "127.0.0.1",
  accessLog: true,
  accessLogPingSample: 0,
  handlerMetricsMaxSeries: 100,
};

describe("parseBuiltinServerConfig", () => {
  it("accepts the agreed shape", () => {
    expect(parseBuiltinServerConfig(JSON.stringify(VALID))).toEqual(VALID);
    expect(
      parseBuiltinServerConfig(JSON.stringify({ ...VALID, workers: 4, program: "main.py" })).workers,
    ).toBe(4);
  });

  it("reads exactly what env-config renders, for defaults and for a multi-model environment", () => {
    for (const env of [
      {},
      { SAGEMAKER_MULTI_MODEL: "true", SAGEMAKER_MODEL_SERVER_WORKERS: "3", SAGEMAKER_BIND_TO_PORT: "9000" },
    ]) {
      const settings = parseServeEnvironment(env);
      expect(parseBuiltinServerConfig(renderBuiltinConfig(settings))).toEqual(builtinServerConfig(settings));
    }
  });

  it("lists every problem at once", () => {
    const { port: _port, ...withoutPort } = VALID;
    const text = JSON.stringify({
      ...withoutPort,
      workers: -1,
      logFormat: "xml",
      batchSize: "1",
      extra: true,
    });
    expect(() => parseBuiltinServerConfig(text)).toThrowErrorMatchingInlineSnapshot(
      `[ServeError: Built-in server config is invalid: port: missing; workers: expected a non-negative integer (got -1); batchSize: expected a non-negative integer (got "1"); logFormat: expected "text" or "json" (got "xml"); extra: unknown key]`,
    );
  });

  it("rejects text that is not a JSON object", () => {
    expect(() => parseBuiltinServerConfig("{")).toThrow(
      expect.objectContaining({ code: "MODEL_SERVER_CONFIG_INVALID" }),
    );
    expect(() => parseBuiltinServerConfig("[]")).toThrow("must be a JSON object (got an array)");
  });
});
