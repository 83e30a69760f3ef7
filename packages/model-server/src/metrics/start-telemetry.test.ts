import { describe, expect, it } from "vitest";
import { NO_ACCESS_LOG } from "./access-log.ts";
import { NO_METRICS } from "./server-metrics.ts";
import { startTelemetry, type TelemetryConfig } from "./start-telemetry.ts";

const config = (overrides: Partial<TelemetryConfig>): TelemetryConfig => ({
  metricsPort: null,
  metricsAddress: "127.0.0.1",
  accessLog: false,
  accessLogPingSample: 0,
  handlerMetricsMaxSeries: 100,
  logFormat: "text",
  ...overrides,
});
const base = { inferencePort: 8080, models: () => [], write: () => undefined, warn: () => undefined };

describe("startTelemetry", () => {
  it("is all no-ops when metrics and the access log are off", async () => {
    const telemetry = await startTelemetry({ ...base, config: config({}) });
    expect(telemetry.metrics).toBe(NO_METRICS);
    expect(telemetry.accessLog).toBe(NO_ACCESS_LOG);
    expect(telemetry.metricsPort).toBeUndefined();
    await telemetry.close();
  });

  it("serves /metrics on its own listener, or leaves it to the inference port when the ports are equal", async () => {
    const own = await startTelemetry({ ...base, config: config({ metricsPort: 0 }) });
    try {
      expect(own.metricsOnInferencePort).toBe(false);
      const response = await fetch(`http://127.0.0.1:${own.metricsPort}/metrics`);
      expect(await response.text()).toContain("# TYPE sagemaker_serve_requests_total counter");
    } finally {
      await own.close();
    }
    const shared = await startTelemetry({ ...base, config: config({ metricsPort: 8080 }) });
    expect(shared.metricsOnInferencePort).toBe(true);
    expect(shared.metricsPort).toBeUndefined();
    expect(shared.metrics.enabled).toBe(true);
    await shared.close();
  });

  it("writes access-log lines in the log format, flushed on close", async () => {
    const chunks: string[] = [];
    const telemetry = await startTelemetry({
      ...base,
      config: config({ accessLog: true, logFormat: "json" }),
      write: (chunk) => chunks.push(chunk),
    });
    telemetry.accessLog.log({
      client: "::1",
      method: "GET",
      path: "/models",
      protocol: "HTTP/1.1",
      status: 200,
      durationMs: 1,
      requestBytes: 0,
      responseBytes: 2,
      requestId: "r",
    });
    await telemetry.close();
    expect(JSON.parse(chunks.join(""))).toMatchObject({ logger: "access-log", path: "/models" });
  });
});
