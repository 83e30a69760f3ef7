import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { HandlerMetricRecord } from "./handler-metric-record.ts";
import { LATENCY_BUCKETS_SECONDS } from "./buckets.ts";
import { METRIC_PREFIX, sanitizeLabelName, snakeCaseMetricName } from "./prometheus-names.ts";

/** Why a handler metric did not become a sample (the `reason` label of the drop counter). */
export type HandlerMetricDropReason =
  "series_limit" | "metric_limit" | "label_names" | "type_conflict" | "invalid" | "negative_counter";

type SeriesType = "counter" | "gauge" | "histogram";

interface Conversion {
  name: string;
  type: SeriesType;
  value: number;
  help: string;
}

interface HandlerSeries {
  type: SeriesType;
  metric: Counter<string> | Gauge<string> | Histogram<string>;
  labelNames: readonly string[];
  seen: Set<string>;
  warned: boolean;
}

const SIZE_FACTORS: Readonly<Record<string, number>> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
/** A longer dimension value is cut: label values are held in memory for every series. */
const MAX_LABEL_VALUE_LENGTH = 200;

/** The Prometheus series a record becomes, or why it cannot become one. */
function convert(record: HandlerMetricRecord): Conversion | HandlerMetricDropReason {
  const base = `${METRIC_PREFIX}handler_${snakeCaseMetricName(record.name)}`;
  const origin = `Handler metric ${JSON.stringify(record.name)} (context.metrics.add_${record.kind})`;
  if (record.kind === "error") {
    return { name: `${base}_errors_total`, type: "counter", value: 1, help: `${origin}: errors recorded` };
  }
  const value = record.value;
  if (typeof value !== "number" || !Number.isFinite(value)) return "invalid";
  switch (record.kind) {
    case "counter":
      if (value < 0) return "negative_counter";
      return { name: `${base}_total`, type: "counter", value, help: origin };
    case "time":
      if (record.unit !== "ms" && record.unit !== "s") return "invalid";
      return {
        name: `${base}_seconds`,
        type: "histogram",
        value: record.unit === "ms" ? value / 1000 : value,
        help: `${origin}, in seconds`,
      };
    case "size": {
      const factor = SIZE_FACTORS[record.unit];
      if (factor === undefined) return "invalid";
      return { name: `${base}_bytes`, type: "gauge", value: value * factor, help: `${origin}, in bytes` };
    }
    case "percent":
      return { name: `${base}_ratio`, type: "gauge", value: value / 100, help: `${origin}, percent / 100` };
    case "metric": {
      const unit = record.unit === "" ? "" : snakeCaseMetricName(record.unit);
      const name = unit === "" || base.endsWith(`_${unit}`) ? base : `${base}_${unit}`;
      return { name, type: "gauge", value, help: `${origin}, unit ${JSON.stringify(record.unit)}` };
    }
  }
}

export interface HandlerMetricsOptions {
  registry: Registry;
  /** Distinct label sets one handler metric may have, across models; more are dropped and counted. */
  maxSeriesPerMetric: number;
  /** Distinct handler metric names; more are dropped and counted. */
  maxMetrics: number;
  warn: (message: string) => void;
}

/**
 * Turns handlers' `context.metrics` records into labelled Prometheus series (`model` plus the dimensions), with
 * bounded memory: past `maxSeriesPerMetric` label sets or `maxMetrics` names, records are dropped, counted in
 * `sagemaker_serve_handler_metrics_dropped_total` and warned about once.
 */
export class HandlerMetrics {
  readonly #options: HandlerMetricsOptions;
  readonly #series = new Map<string, HandlerSeries>();
  readonly #dropped: Counter<"model" | "reason">;
  readonly #warnedReasons = new Set<HandlerMetricDropReason>();

  constructor(options: HandlerMetricsOptions) {
    this.#options = options;
    this.#dropped = new Counter({
      name: `${METRIC_PREFIX}handler_metrics_dropped_total`,
      help: "Handler metric records not exposed, by reason (series_limit, metric_limit, label_names, type_conflict, invalid, negative_counter)",
      labelNames: ["model", "reason"],
      registers: [options.registry],
    });
  }

  /** Records one batch's metrics of `model`. */
  record(model: string, records: readonly HandlerMetricRecord[]): void {
    for (const record of records) this.#recordOne(model, record);
  }

  /** Counts records that could not even be read (a malformed frame entry). */
  dropInvalid(model: string, count: number): void {
    if (count > 0) this.#drop(model, "invalid", `${count} malformed handler metric record(s)`, count);
  }

  /** Forgets every series of an unloaded model (the names stay registered). */
  removeModel(model: string): void {
    for (const series of this.#series.values()) {
      for (const key of [...series.seen]) {
        const values = key.split("\u0000");
        if (values[0] !== model) continue;
        series.metric.remove(Object.fromEntries(series.labelNames.map((name, i) => [name, values[i]!])));
        series.seen.delete(key);
      }
    }
    this.#dropped.remove({ model, reason: "series_limit" });
  }

  #drop(model: string, reason: HandlerMetricDropReason, detail: string, count = 1): void {
    this.#dropped.inc({ model, reason }, count);
    if (reason === "series_limit" || this.#warnedReasons.has(reason)) return;
    this.#warnedReasons.add(reason);
    this.#options.warn(
      `handler metrics: dropping records (${reason}): ${detail}; further drops are only counted`,
    );
  }

  #recordOne(model: string, record: HandlerMetricRecord): void {
    const conversion = convert(record);
    if (typeof conversion === "string") {
      this.#drop(model, conversion, `metric ${JSON.stringify(record.name)}`);
      return;
    }
    const labels: Record<string, string> = { model };
    for (const { name, value } of record.dimensions) {
      labels[sanitizeLabelName(name)] = value.slice(0, MAX_LABEL_VALUE_LENGTH);
    }
    const series = this.#seriesFor(model, conversion, Object.keys(labels));
    if (series === undefined) return;
    if (series.type !== conversion.type) {
      this.#drop(model, "type_conflict", `${conversion.name} is a ${series.type}, not a ${conversion.type}`);
      return;
    }
    if (Object.keys(labels).some((name) => !series.labelNames.includes(name))) {
      this.#drop(
        model,
        "label_names",
        `${conversion.name} has dimensions ${series.labelNames.slice(1).join(", ") || "(none)"}; got ${Object.keys(labels).slice(1).join(", ") || "(none)"}`,
      );
      return;
    }
    const key = series.labelNames.map((name) => labels[name] ?? "").join("\u0000");
    if (!series.seen.has(key)) {
      if (series.seen.size >= this.#options.maxSeriesPerMetric) {
        this.#drop(model, "series_limit", conversion.name);
        if (!series.warned) {
          series.warned = true;
          this.#options.warn(
            `handler metrics: ${conversion.name} reached ${this.#options.maxSeriesPerMetric} label sets; new ones are dropped and counted in ${METRIC_PREFIX}handler_metrics_dropped_total`,
          );
        }
        return;
      }
      series.seen.add(key);
    }
    if (series.metric instanceof Counter) series.metric.inc(labels, conversion.value);
    else if (series.metric instanceof Gauge) series.metric.set(labels, conversion.value);
    else series.metric.observe(labels, conversion.value);
  }

  #seriesFor(model: string, conversion: Conversion, labelNames: string[]): HandlerSeries | undefined {
    const existing = this.#series.get(conversion.name);
    if (existing !== undefined) return existing;
    if (this.#series.size >= this.#options.maxMetrics) {
      this.#drop(model, "metric_limit", `more than ${this.#options.maxMetrics} handler metric names`);
      return undefined;
    }
    const registry = this.#options.registry;
    if (registry.getSingleMetric(conversion.name) !== undefined) {
      this.#drop(model, "type_conflict", `${conversion.name} is one of the server's own metrics`);
      return undefined;
    }
    const config = { name: conversion.name, help: conversion.help, labelNames, registers: [registry] };
    const metric =
      conversion.type === "counter"
        ? new Counter(config)
        : conversion.type === "gauge"
          ? new Gauge(config)
          : new Histogram({ ...config, buckets: [...LATENCY_BUCKETS_SECONDS] });
    const series: HandlerSeries = {
      type: conversion.type,
      metric,
      labelNames,
      seen: new Set(),
      warned: false,
    };
    this.#series.set(conversion.name, series);
    return series;
  }
}
