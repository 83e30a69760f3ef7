import { describe, expect, it, onTestFinished } from "vitest";
import { startMetricsListener } from "../src/metrics/metrics-listener.ts";
import { createServerMetrics } from "../src/metrics/server-metrics.ts";
import { startPrometheus } from "./prometheus-server.ts";

describe("a real Prometheus server scraping the metrics listener", () => {
  it("reads back counters, histograms, gauges and handler metrics with their labels", async () => {
    const metrics = createServerMetrics({
      models: () => [
        { model: "m", inFlight: 1, queued: 4, workers: { busy: 1, idle: 1 }, workerPids: [process.pid] },
      ],
      warn: () => undefined,
      maxHandlerSeries: 2,
    });
    const listener = await startMetricsListener({ port: 0, address: "127.0.0.1", metrics });
    onTestFinished(() => listener.close());
    const prometheus = await startPrometheus([`127.0.0.1:${listener.port}`]);

    for (const status of [200, 200, 400, 500, 500, 500]) {
      metrics.requestFinished({
        model: "m",
        route: "invocations",
        status,
        durationSeconds: 0.003,
        requestBytes: 100,
        responseBytes: 10,
      });
    }
    metrics.workerRestart({ model: "m", cause: "crash" });
    metrics.handlerMetrics(
      "m",
      ["a", "b", "c"].map((variant) => ({
        name: "InferenceTime",
        kind: "time",
        unit: "ms",
        value: 20,
        dimensions: [{ name: "Variant", value: variant }],
      })),
    );

    const sel = 'job="sagemaker-serve",model="m"';
    await prometheus.waitForValue(`sagemaker_serve_requests_total{${sel},status_class="5xx"}`, 3);
    expect(await prometheus.query(`sagemaker_serve_requests_total{${sel},status_class="2xx"}`)).toBe(2);
    expect(await prometheus.query(`sagemaker_serve_requests_total{${sel},status_class="4xx"}`)).toBe(1);
    expect(await prometheus.query(`sagemaker_serve_request_latency_seconds_bucket{${sel},le="0.0025"}`)).toBe(
      0,
    );
    expect(await prometheus.query(`sagemaker_serve_request_latency_seconds_bucket{${sel},le="0.005"}`)).toBe(
      6,
    );
    expect(await prometheus.query(`sagemaker_serve_request_bytes_total{${sel}}`)).toBe(600);
    expect(await prometheus.query(`sagemaker_serve_worker_restarts_total{${sel},cause="crash"}`)).toBe(1);
    expect(await prometheus.query(`sagemaker_serve_requests_queued{${sel}}`)).toBe(4);
    expect(await prometheus.query(`sagemaker_serve_workers{${sel},state="idle"}`)).toBe(1);
    expect(
      await prometheus.query(`sagemaker_serve_handler_inference_time_seconds_count{${sel},Variant="b"}`),
    ).toBe(1);
    expect(
      await prometheus.query(`count(sagemaker_serve_handler_inference_time_seconds_count{${sel}})`),
    ).toBe(2);
    expect(
      await prometheus.query(`sagemaker_serve_handler_metrics_dropped_total{${sel},reason="series_limit"}`),
    ).toBe(1);
    expect(await prometheus.query(`up{job="sagemaker-serve"}`)).toBe(1);
  });
});
