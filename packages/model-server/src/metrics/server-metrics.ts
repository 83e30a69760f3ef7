import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { LATENCY_BUCKETS_SECONDS, LOAD_BUCKETS_SECONDS } from "./buckets.ts";
import { CellCounter, CellHistogram, type CounterCell, type HistogramCell } from "./cell-series.ts";
import { parseHandlerMetricRecords } from "./handler-metric-record.ts";
import { HandlerMetrics } from "./handler-metrics.ts";
import { METRIC_PREFIX } from "./prometheus-names.ts";
import { residentBytes } from "./worker-rss.ts";

/** What a model's worker slots are doing, for `sagemaker_serve_workers{state}`. */
export type WorkerState = "starting" | "idle" | "busy" | "restarting" | "unloading";
export const WORKER_STATES: readonly WorkerState[] = ["starting", "idle", "busy", "restarting", "unloading"];

/** Why a worker was replaced: it exited, it missed the request timeout, or the kernel OOM-killed it. */
export type RestartCause = "crash" | "timeout" | "oom";
const RESTART_CAUSES: readonly RestartCause[] = ["crash", "timeout", "oom"];

/** One model's state at scrape time, supplied by the server. */
export interface ModelSnapshot {
  model: string;
  /** Requests a worker is running. */
  inFlight: number;
  /** Requests waiting (queue plus those handed to a busy worker ahead of time). */
  queued: number;
  workers: Partial<Record<WorkerState, number>>;
  /** Process ids of the live workers, for their summed RSS. */
  workerPids: readonly number[];
}

/** One answered HTTP request. `model` is `""` for routes without a model (`/ping`, `/models`, 404s). */
export interface FinishedRequest {
  model: string;
  /** A fixed route name (`invocations`, `ping`, ...), never the raw path. */
  route: string;
  status: number;
  durationSeconds: number;
  requestBytes: number;
  responseBytes: number;
}

/** The recording API the server calls. `NO_METRICS` implements it with empty methods. */
export interface ServerMetrics {
  readonly enabled: boolean;
  requestFinished(request: FinishedRequest): void;
  /** Time a request waited before a worker started it. */
  queueWait(sample: { model: string; seconds: number }): void;
  /** Time a worker took for a batch (front end → worker → front end). */
  inference(sample: { model: string; seconds: number }): void;
  workerRestart(event: { model: string; cause: RestartCause }): void;
  /** One worker finished loading the model (startup, scale-up or restart). */
  modelLoaded(sample: { model: string; seconds: number }): void;
  /** The `metrics` array of a worker's response (untrusted JSON; validated here). */
  handlerMetrics(model: string, records: unknown): void;
  /** Forgets the series of an unloaded model. */
  removeModel(model: string): void;
  readonly contentType: string;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
}

/** Metrics off: every call is an empty function. */
export const NO_METRICS: ServerMetrics = {
  enabled: false,
  requestFinished: () => undefined,
  queueWait: () => undefined,
  inference: () => undefined,
  workerRestart: () => undefined,
  modelLoaded: () => undefined,
  handlerMetrics: () => undefined,
  removeModel: () => undefined,
  contentType: "text/plain; version=0.0.4; charset=utf-8",
  render: () => Promise.resolve(""),
};

export interface CreateServerMetricsOptions {
  /** The loaded models' state, read at each scrape. */
  models: () => Iterable<ModelSnapshot>;
  /** Distinct label sets per handler metric (default 100). */
  maxHandlerSeries?: number;
  /** Distinct handler metric names (default 100). */
  maxHandlerMetrics?: number;
  warn: (message: string) => void;
  /** Node's default process metrics (event loop lag, heap, RSS, ...); default true. */
  processMetrics?: boolean;
}

const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/** The cells of one (model, route), bound once so a request costs no label hashing. */
interface RouteSeries {
  byClass: Array<CounterCell | undefined>;
  latency: HistogramCell;
  requestBytes: CounterCell;
  responseBytes: CounterCell;
  labels: { model: string; route: string };
}

class PrometheusServerMetrics implements ServerMetrics {
  readonly enabled = true;
  readonly registry = new Registry();
  readonly #requests: CellCounter;
  readonly #requestLatency: CellHistogram;
  readonly #requestBytes: CellCounter;
  readonly #responseBytes: CellCounter;
  readonly #queueLatency: CellHistogram;
  readonly #inferenceLatency: CellHistogram;
  readonly #restarts: Counter<"model" | "cause">;
  readonly #loadTime: Histogram<"model">;
  readonly #handler: HandlerMetrics;
  readonly #routes = new Map<string, Map<string, RouteSeries>>();
  readonly #perModel = new Map<string, { queue: HistogramCell; inference: HistogramCell }>();

  constructor(options: CreateServerMetricsOptions) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    const registry = this.registry;
    this.#requests = new CellCounter(
      `${p}requests_total`,
      "HTTP requests answered, by model, route and status class (MMS/TorchServe Requests2XX/4XX/5XX)",
      registry,
    );
    this.#requestLatency = new CellHistogram(
      `${p}request_latency_seconds`,
      "Time from a request's arrival to its response (TorchServe ts_inference_latency_microseconds)",
      registry,
      LATENCY_BUCKETS_SECONDS,
    );
    this.#requestBytes = new CellCounter(`${p}request_bytes_total`, "Request body bytes received", registry);
    this.#responseBytes = new CellCounter(`${p}response_bytes_total`, "Response body bytes sent", registry);
    this.#queueLatency = new CellHistogram(
      `${p}queue_latency_seconds`,
      "Time a request waited for a worker (TorchServe QueueTime, ts_queue_latency_microseconds)",
      registry,
      LATENCY_BUCKETS_SECONDS,
    );
    this.#inferenceLatency = new CellHistogram(
      `${p}inference_latency_seconds`,
      "Time a worker took for a batch, front end to worker and back (TorchServe WorkerThreadTime + PredictionTime)",
      registry,
      LATENCY_BUCKETS_SECONDS,
    );
    this.#restarts = new Counter({
      name: `${p}worker_restarts_total`,
      help: "Workers replaced, by cause (crash, timeout, oom)",
      labelNames: ["model", "cause"],
      registers,
    });
    this.#loadTime = new Histogram({
      name: `${p}model_load_seconds`,
      help: "Time one worker took to load the model (TorchServe WorkerLoadTime)",
      labelNames: ["model"],
      buckets: [...LOAD_BUCKETS_SECONDS],
      registers,
    });
    const snapshots = () => [...options.models()];
    const perModelGauge = (name: string, help: string, read: (s: ModelSnapshot) => number) =>
      new Gauge({
        name: `${p}${name}`,
        help,
        labelNames: ["model"],
        registers,
        collect() {
          this.reset();
          for (const s of snapshots()) this.set({ model: s.model }, read(s));
        },
      });
    perModelGauge("requests_in_flight", "Requests a worker is running", (s) => s.inFlight);
    perModelGauge("requests_queued", "Requests waiting for a worker", (s) => s.queued);
    new Gauge({
      name: `${p}workers`,
      help: "Worker slots by state (starting, idle, busy, restarting, unloading)",
      labelNames: ["model", "state"],
      registers,
      collect() {
        this.reset();
        for (const s of snapshots()) {
          for (const state of WORKER_STATES) this.set({ model: s.model, state }, s.workers[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: `${p}worker_resident_memory_bytes`,
      help: "Resident memory of the model's live workers, summed",
      labelNames: ["model"],
      registers,
      async collect() {
        this.reset();
        for (const s of snapshots()) {
          const sizes = await Promise.all(s.workerPids.map((pid) => residentBytes(pid)));
          this.set(
            { model: s.model },
            sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0),
          );
        }
      },
    });
    this.#handler = new HandlerMetrics({
      registry: this.registry,
      maxSeriesPerMetric: options.maxHandlerSeries ?? 100,
      maxMetrics: options.maxHandlerMetrics ?? 100,
      warn: options.warn,
    });
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: p });
      // Gauges named `_total` fail `promtool check metrics`; the same counts are exposed by type without the suffix.
      for (const kind of ["handles", "requests", "resources"]) {
        this.registry.removeSingleMetric(`${p}nodejs_active_${kind}_total`);
      }
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #route(model: string, route: string): RouteSeries {
    let routes = this.#routes.get(model);
    if (routes === undefined) this.#routes.set(model, (routes = new Map()));
    let series = routes.get(route);
    if (series === undefined) {
      const labels = { model, route };
      series = {
        byClass: [],
        latency: this.#requestLatency.cell(labels),
        requestBytes: this.#requestBytes.cell(labels),
        responseBytes: this.#responseBytes.cell(labels),
        labels,
      };
      routes.set(route, series);
    }
    return series;
  }

  #model(model: string) {
    let series = this.#perModel.get(model);
    if (series === undefined) {
      series = {
        queue: this.#queueLatency.cell({ model }),
        inference: this.#inferenceLatency.cell({ model }),
      };
      this.#perModel.set(model, series);
      for (const cause of RESTART_CAUSES) this.#restarts.inc({ model, cause }, 0);
    }
    return series;
  }

  requestFinished({
    model,
    route,
    status,
    durationSeconds,
    requestBytes,
    responseBytes,
  }: FinishedRequest): void {
    const series = this.#route(model, route);
    const index = Math.min(Math.max(Math.floor(status / 100), 1), 5) - 1;
    let counter = series.byClass[index];
    if (counter === undefined) {
      counter = this.#requests.cell({ ...series.labels, status_class: STATUS_CLASSES[index]! });
      series.byClass[index] = counter;
    }
    counter.value += 1;
    series.latency.observe(durationSeconds);
    series.requestBytes.value += requestBytes;
    series.responseBytes.value += responseBytes;
  }

  queueWait({ model, seconds }: { model: string; seconds: number }): void {
    this.#model(model).queue.observe(seconds);
  }

  inference({ model, seconds }: { model: string; seconds: number }): void {
    this.#model(model).inference.observe(seconds);
  }

  workerRestart({ model, cause }: { model: string; cause: RestartCause }): void {
    this.#model(model);
    this.#restarts.inc({ model, cause });
  }

  modelLoaded({ model, seconds }: { model: string; seconds: number }): void {
    this.#model(model);
    this.#loadTime.observe({ model }, seconds);
  }

  handlerMetrics(model: string, records: unknown): void {
    const { records: valid, invalid } = parseHandlerMetricRecords(records);
    this.#handler.dropInvalid(model, invalid);
    this.#handler.record(model, valid);
  }

  removeModel(model: string): void {
    for (const series of [this.#requests, this.#requestLatency, this.#requestBytes, this.#responseBytes])
      series.removeWhere("model", model);
    this.#routes.delete(model);
    if (this.#perModel.delete(model)) {
      this.#queueLatency.removeWhere("model", model);
      this.#inferenceLatency.removeWhere("model", model);
      this.#loadTime.remove({ model });
      for (const cause of RESTART_CAUSES) this.#restarts.remove({ model, cause });
    }
    this.#handler.removeModel(model);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A metrics set on its own `prom-client` registry (never the global one), so several servers can coexist. */
export function createServerMetrics(options: CreateServerMetricsOptions): ServerMetrics {
  return new PrometheusServerMetrics(options);
}
