import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { promtoolCheck, sampleValue } from "../../test/prometheus-text.ts";
import { createServerMetrics, NO_METRICS, type ModelSnapshot } from "./server-metrics.ts";

async function deadPid(): Promise<number> {
  const child = spawn("true");
  await once(child, "exit");
  return child.pid!;
}

function metricsWith(snapshots: ModelSnapshot[], warnings: string[] = []) {
  return createServerMetrics({ models: () => snapshots, warn: (message) => warnings.push(message) });
}

describe("createServerMetrics", () => {
  it("counts requests by model, route and status class, with latency and bytes", async () => {
    const metrics = metricsWith([]);
    for (const status of [200, 200, 201, 404, 500, 503, 507]) {
      metrics.requestFinished({
        model: "m",
        route: "invocations",
        status,
        durationSeconds: 0.002,
        requestBytes: 10,
        responseBytes: 3,
      });
    }
    metrics.requestFinished({
      model: "",
      route: "ping",
      status: 200,
      durationSeconds: 0.00005,
      requestBytes: 0,
      responseBytes: 25,
    });
    const text = await metrics.render();
    const labels = { model: "m", route: "invocations" };
    expect(sampleValue(text, "sagemaker_serve_requests_total", { ...labels, status_class: "2xx" })).toBe(3);
    expect(sampleValue(text, "sagemaker_serve_requests_total", { ...labels, status_class: "4xx" })).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_requests_total", { ...labels, status_class: "5xx" })).toBe(3);
    expect(
      sampleValue(text, "sagemaker_serve_requests_total", { model: "", route: "ping", status_class: "2xx" }),
    ).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_request_latency_seconds_count", labels)).toBe(7);
    expect(
      sampleValue(text, "sagemaker_serve_request_latency_seconds_bucket", { ...labels, le: "0.001" }),
    ).toBe(0);
    expect(
      sampleValue(text, "sagemaker_serve_request_latency_seconds_bucket", { ...labels, le: "0.0025" }),
    ).toBe(7);
    expect(
      sampleValue(text, "sagemaker_serve_request_latency_seconds_bucket", {
        model: "",
        route: "ping",
        le: "0.0001",
      }),
    ).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_request_bytes_total", labels)).toBe(70);
    expect(sampleValue(text, "sagemaker_serve_response_bytes_total", labels)).toBe(21);
  });

  it("records queue and inference latency, restarts by cause and load times per model", async () => {
    const metrics = metricsWith([]);
    metrics.queueWait({ model: "m", seconds: 0.0002 });
    metrics.queueWait({ model: "m", seconds: 45 });
    metrics.inference({ model: "m", seconds: 0.02 });
    metrics.workerRestart({ model: "m", cause: "timeout" });
    metrics.workerRestart({ model: "m", cause: "oom" });
    metrics.workerRestart({ model: "m", cause: "oom" });
    metrics.modelLoaded({ model: "m", seconds: 1.5 });
    const text = await metrics.render();
    expect(sampleValue(text, "sagemaker_serve_queue_latency_seconds_count", { model: "m" })).toBe(2);
    expect(
      sampleValue(text, "sagemaker_serve_queue_latency_seconds_bucket", { model: "m", le: "0.00025" }),
    ).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_queue_latency_seconds_bucket", { model: "m", le: "30" })).toBe(
      1,
    );
    expect(sampleValue(text, "sagemaker_serve_queue_latency_seconds_bucket", { model: "m", le: "60" })).toBe(
      2,
    );
    expect(sampleValue(text, "sagemaker_serve_inference_latency_seconds_sum", { model: "m" })).toBe(0.02);
    expect(sampleValue(text, "sagemaker_serve_worker_restarts_total", { model: "m", cause: "crash" })).toBe(
      0,
    );
    expect(sampleValue(text, "sagemaker_serve_worker_restarts_total", { model: "m", cause: "timeout" })).toBe(
      1,
    );
    expect(sampleValue(text, "sagemaker_serve_worker_restarts_total", { model: "m", cause: "oom" })).toBe(2);
    expect(sampleValue(text, "sagemaker_serve_model_load_seconds_count", { model: "m" })).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_model_load_seconds_sum", { model: "m" })).toBe(1.5);
  });

  it("reads gauges and the workers' RSS from the server at scrape time", async () => {
    const gone = await deadPid();
    const snapshots: ModelSnapshot[] = [
      {
        model: "a",
        inFlight: 2,
        queued: 5,
        workers: { busy: 2, restarting: 1 },
        workerPids: [process.pid, gone],
      },
      { model: "b", inFlight: 0, queued: 0, workers: { idle: 1 }, workerPids: [gone] },
    ];
    const metrics = metricsWith(snapshots);
    let text = await metrics.render();
    expect(sampleValue(text, "sagemaker_serve_requests_in_flight", { model: "a" })).toBe(2);
    expect(sampleValue(text, "sagemaker_serve_requests_queued", { model: "a" })).toBe(5);
    expect(sampleValue(text, "sagemaker_serve_workers", { model: "a", state: "busy" })).toBe(2);
    expect(sampleValue(text, "sagemaker_serve_workers", { model: "a", state: "idle" })).toBe(0);
    expect(sampleValue(text, "sagemaker_serve_workers", { model: "a", state: "restarting" })).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_worker_resident_memory_bytes", { model: "a" })).toBeGreaterThan(
      10 * 1024 * 1024,
    );
    expect(sampleValue(text, "sagemaker_serve_worker_resident_memory_bytes", { model: "b" })).toBe(0);
    // Node's default metrics carry the prefix.
    expect(sampleValue(text, "sagemaker_serve_process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(text).toContain("sagemaker_serve_nodejs_eventloop_lag_seconds ");

    snapshots.pop();
    text = await metrics.render();
    expect(sampleValue(text, "sagemaker_serve_requests_in_flight", { model: "b" })).toBeUndefined();
  });

  it("forgets an unloaded model's series", async () => {
    const metrics = metricsWith([]);
    metrics.requestFinished({
      model: "m",
      route: "invocations",
      status: 200,
      durationSeconds: 0.1,
      requestBytes: 1,
      responseBytes: 1,
    });
    metrics.queueWait({ model: "m", seconds: 0.1 });
    metrics.handlerMetrics("m", [{ name: "Hits", kind: "counter", unit: "count", value: 1, dimensions: [] }]);
    metrics.removeModel("m");
    const text = await metrics.render();
    expect(text).not.toMatch(/model="m"/);
  });

  it("passes promtool check metrics", async () => {
    const metrics = metricsWith([
      { model: "m", inFlight: 1, queued: 0, workers: { busy: 1 }, workerPids: [process.pid] },
    ]);
    metrics.requestFinished({
      model: "m",
      route: "invocations",
      status: 200,
      durationSeconds: 0.01,
      requestBytes: 5,
      responseBytes: 5,
    });
    metrics.queueWait({ model: "m", seconds: 0.001 });
    metrics.inference({ model: "m", seconds: 0.005 });
    metrics.workerRestart({ model: "m", cause: "crash" });
    metrics.modelLoaded({ model: "m", seconds: 0.7 });
    metrics.handlerMetrics("m", [
      {
        name: "InferenceTime",
        kind: "time",
        unit: "ms",
        value: 12,
        dimensions: [{ name: "Variant", value: "a" }],
      },
      { name: "ImageSize", kind: "size", unit: "kB", value: 3, dimensions: [] },
      { name: "GpuUtil", kind: "percent", unit: "percent", value: 40, dimensions: [] },
      { name: "LoopCount", kind: "counter", unit: "count", value: 2, dimensions: [] },
      { name: "Bad", kind: "error", unit: "", value: "boom", dimensions: [] },
      { name: "DistanceInKM", kind: "metric", unit: "km", value: 7, dimensions: [] },
    ]);
    const { code, output } = await promtoolCheck(await metrics.render());
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("keeps separate registries for separate servers", async () => {
    const one = metricsWith([]);
    const two = metricsWith([]);
    one.requestFinished({
      model: "m",
      route: "invocations",
      status: 200,
      durationSeconds: 0.1,
      requestBytes: 0,
      responseBytes: 0,
    });
    expect(
      sampleValue(await two.render(), "sagemaker_serve_requests_total", {
        model: "m",
        route: "invocations",
        status_class: "2xx",
      }),
    ).toBeUndefined();
  });
});

describe("NO_METRICS", () => {
  it("is off and renders nothing", async () => {
    expect(NO_METRICS.enabled).toBe(false);
    NO_METRICS.requestFinished({
      model: "m",
      route: "x",
      status: 200,
      durationSeconds: 1,
      requestBytes: 1,
      responseBytes: 1,
    });
    expect(await NO_METRICS.render()).toBe("");
  });
});
