import { createAccessLog, NO_ACCESS_LOG } from "./access-log.ts";
import { startMetricsListener, type MetricsListener } from "./metrics-listener.ts";
import type { RequestTelemetry } from "./observe-request.ts";
import { createServerMetrics, NO_METRICS, type ModelSnapshot } from "./server-metrics.ts";

/** The built-in server config's metrics and access-log keys. */
export interface TelemetryConfig {
  /** Port of the metrics listener; null = no metrics. Equal to the inference port: `/metrics` is served there. */
  metricsPort: number | null;
  metricsAddress: string;
  accessLog: boolean;
  accessLogPingSample: number;
  handlerMetricsMaxSeries: number;
  logFormat: "text" | "json";
}

export interface StartTelemetryOptions {
  config: TelemetryConfig;
  /** The inference listener's port (to tell whether `/metrics` shares it). */
  inferencePort: number;
  models: () => Iterable<ModelSnapshot>;
  /** Where access-log lines go (stderr's write). */
  write: (chunk: string) => void;
  warn: (message: string) => void;
}

export interface Telemetry extends RequestTelemetry {
  /** True when the inference listener must answer `GET /metrics` itself (metrics port = inference port). */
  metricsOnInferencePort: boolean;
  /** The metrics listener's port, when it has its own. */
  metricsPort: number | undefined;
  /** Flushes the access log and closes the metrics listener. */
  close(): Promise<void>;
}

/**
 * Creates the server's metrics (no-op when `metricsPort` is null) and access log (no-op when off) and starts the
 * metrics listener on its own port. Throws `MODEL_SERVER_LISTEN_FAILED` when that port cannot be bound.
 */
export async function startTelemetry({
  config,
  inferencePort,
  models,
  write,
  warn,
}: StartTelemetryOptions): Promise<Telemetry> {
  const accessLog = config.accessLog
    ? createAccessLog({ format: config.logFormat, pingSample: config.accessLogPingSample, write })
    : NO_ACCESS_LOG;
  const metrics =
    config.metricsPort === null
      ? NO_METRICS
      : createServerMetrics({ models, warn, maxHandlerSeries: config.handlerMetricsMaxSeries });
  // Port 0 (pick one) on both sides means two listeners, not one.
  const shared =
    config.metricsPort !== null && config.metricsPort !== 0 && config.metricsPort === inferencePort;
  let listener: MetricsListener | undefined;
  if (config.metricsPort !== null && !shared) {
    listener = await startMetricsListener({
      port: config.metricsPort,
      address: config.metricsAddress,
      metrics,
    });
  }
  return {
    metrics,
    accessLog,
    metricsOnInferencePort: shared,
    metricsPort: listener?.port,
    close: async () => {
      accessLog.flush();
      await listener?.close();
    },
  };
}
