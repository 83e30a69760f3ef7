import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { sampleValue } from "../../test/prometheus-text.ts";
import type { HandlerMetricRecord } from "./handler-metric-record.ts";
import { HandlerMetrics } from "./handler-metrics.ts";

function setup(maxSeriesPerMetric = 100, maxMetrics = 100) {
  const registry = new Registry();
  const warnings: string[] = [];
  const handler = new HandlerMetrics({
    registry,
    maxSeriesPerMetric,
    maxMetrics,
    warn: (message) => warnings.push(message),
  });
  return { handler, warnings, render: () => registry.metrics() };
}

const record = (overrides: Partial<HandlerMetricRecord>): HandlerMetricRecord => ({
  name: "LoopCount",
  kind: "counter",
  unit: "count",
  value: 1,
  dimensions: [],
  ...overrides,
});

describe("HandlerMetrics", () => {
  it("maps each add_* kind to a series in base units, labelled with the model and the dimensions", async () => {
    const { handler, render } = setup();
    const dims = [{ name: "Variant", value: "blue" }];
    handler.record("m", [
      record({ name: "LoopCount", value: 2, dimensions: dims }),
      record({ name: "LoopCount", value: 3, dimensions: dims }),
      record({ name: "InferenceTime", kind: "time", unit: "ms", value: 250, dimensions: dims }),
      record({ name: "PostTime", kind: "time", unit: "s", value: 2 }),
      record({ name: "SizeOfImage", kind: "size", unit: "MB", value: 2 }),
      record({ name: "Small", kind: "size", unit: "kB", value: 1.5 }),
      record({ name: "MemoryUtilization", kind: "percent", unit: "percent", value: 42 }),
      record({ name: "Failure", kind: "error", unit: "", value: "CUDA out of memory" }),
      record({ name: "Failure", kind: "error", unit: "", value: "another text" }),
      record({ name: "DistanceInKM", kind: "metric", unit: "km", value: 12.5 }),
      record({ name: "Temperature", kind: "metric", unit: "celsius", value: 30 }),
    ]);
    const text = await render();
    const labels = { model: "m", Variant: "blue" };
    expect(sampleValue(text, "sagemaker_serve_handler_loop_count_total", labels)).toBe(5);
    expect(sampleValue(text, "sagemaker_serve_handler_inference_time_seconds_sum", labels)).toBe(0.25);
    expect(
      sampleValue(text, "sagemaker_serve_handler_inference_time_seconds_bucket", { ...labels, le: "0.25" }),
    ).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_handler_post_time_seconds_sum", { model: "m" })).toBe(2);
    expect(sampleValue(text, "sagemaker_serve_handler_size_of_image_bytes", { model: "m" })).toBe(
      2 * 1024 * 1024,
    );
    expect(sampleValue(text, "sagemaker_serve_handler_small_bytes", { model: "m" })).toBe(1536);
    expect(sampleValue(text, "sagemaker_serve_handler_memory_utilization_ratio", { model: "m" })).toBe(0.42);
    expect(sampleValue(text, "sagemaker_serve_handler_failure_errors_total", { model: "m" })).toBe(2);
    expect(sampleValue(text, "sagemaker_serve_handler_distance_in_km", { model: "m" })).toBe(12.5);
    expect(sampleValue(text, "sagemaker_serve_handler_temperature_celsius", { model: "m" })).toBe(30);
    expect(text).not.toContain("CUDA");
  });

  it("sanitises dimension names to Prometheus label rules and keeps `model` for the model", async () => {
    const { handler, render } = setup();
    handler.record("m", [
      record({
        dimensions: [
          { name: "model", value: "theirs" },
          { name: "9lives", value: "a" },
          { name: "my-dim.x", value: 'quote " and \\ and\nnewline' },
          { name: "__meta", value: "b" },
          { name: "le", value: "c" },
        ],
      }),
    ]);
    const text = await render();
    expect(text).toContain(
      'sagemaker_serve_handler_loop_count_total{model="m",dim_model="theirs",_9lives="a",my_dim_x="quote \\" and \\\\ and\\nnewline",dim_meta="b",dim_le="c"} 1',
    );
  });

  it("caps the label sets per metric: over the cap records are dropped, counted and warned about once", async () => {
    const { handler, warnings, render } = setup(3);
    for (let i = 0; i < 10; i++)
      handler.record("m", [record({ dimensions: [{ name: "id", value: String(i) }] })]);
    // Known label sets keep counting after the cap is reached.
    handler.record("m", [record({ dimensions: [{ name: "id", value: "0" }] })]);
    const text = await render();
    expect(sampleValue(text, "sagemaker_serve_handler_loop_count_total", { model: "m", id: "0" })).toBe(2);
    expect(sampleValue(text, "sagemaker_serve_handler_loop_count_total", { model: "m", id: "2" })).toBe(1);
    expect(
      sampleValue(text, "sagemaker_serve_handler_loop_count_total", { model: "m", id: "3" }),
    ).toBeUndefined();
    expect(text.match(/^sagemaker_serve_handler_loop_count_total\{/gm)).toHaveLength(3);
    expect(
      sampleValue(text, "sagemaker_serve_handler_metrics_dropped_total", {
        model: "m",
        reason: "series_limit",
      }),
    ).toBe(7);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("sagemaker_serve_handler_loop_count_total reached 3 label sets");
  });

  it("caps the number of metric names", async () => {
    const { handler, warnings, render } = setup(100, 2);
    handler.record(
      "m",
      ["A", "B", "C", "D"].map((name) => record({ name })),
    );
    const text = await render();
    expect(sampleValue(text, "sagemaker_serve_handler_b_total", { model: "m" })).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_handler_c_total", { model: "m" })).toBeUndefined();
    expect(
      sampleValue(text, "sagemaker_serve_handler_metrics_dropped_total", {
        model: "m",
        reason: "metric_limit",
      }),
    ).toBe(2);
    expect(warnings).toHaveLength(1);
  });

  it("drops what cannot be a sample: changed dimension names, kind conflicts, bad units and negative counters", async () => {
    const { handler, warnings, render } = setup();
    handler.record("m", [
      record({ dimensions: [{ name: "a", value: "1" }] }),
      record({ dimensions: [{ name: "b", value: "1" }] }),
      record({ name: "X", kind: "counter" }),
      record({ name: "X", kind: "metric", unit: "total", value: 1 }),
      record({ name: "T", kind: "time", unit: "minutes", value: 1 }),
      record({ name: "S", kind: "size", unit: "TB", value: 1 }),
      record({ name: "N", kind: "counter", value: -1 }),
      record({ name: "V", kind: "metric", unit: "", value: "text" }),
      record({ name: "MetricsDropped", kind: "counter" }),
    ]);
    const text = await render();
    const dropped = (reason: string) =>
      sampleValue(text, "sagemaker_serve_handler_metrics_dropped_total", { model: "m", reason });
    expect(dropped("label_names")).toBe(1);
    expect(dropped("type_conflict")).toBe(2);
    expect(dropped("invalid")).toBe(3);
    expect(dropped("negative_counter")).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_handler_loop_count_total", { model: "m", a: "1" })).toBe(1);
    expect(warnings.length).toBe(4);
  });

  it("forgets a model's series but keeps the others'", async () => {
    const { handler, render } = setup(2);
    handler.record("a", [record({})]);
    handler.record("b", [record({})]);
    handler.removeModel("a");
    handler.record("c", [record({})]);
    const text = await render();
    expect(sampleValue(text, "sagemaker_serve_handler_loop_count_total", { model: "a" })).toBeUndefined();
    expect(sampleValue(text, "sagemaker_serve_handler_loop_count_total", { model: "b" })).toBe(1);
    expect(sampleValue(text, "sagemaker_serve_handler_loop_count_total", { model: "c" })).toBe(1);
  });
});
