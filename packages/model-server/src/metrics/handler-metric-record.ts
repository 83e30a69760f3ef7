/** Which `context.metrics.add_*` call made a record (MMS's `MetricsStore` API). */
export type HandlerMetricKind = "counter" | "time" | "size" | "percent" | "error" | "metric";

/**
 * One metric a handler recorded for a batch, as the worker sends it with the response (written by
 * `python/sagemaker_serve_worker/metrics_export.py`). Like MMS's store, repeated calls with the same name, unit
 * and dimensions within one batch are already folded into one record: counters summed, the others last value.
 */
export interface HandlerMetricRecord {
  name: string;
  kind: HandlerMetricKind;
  /**
   * The unit as the handler gave it: `count`, `ms`/`s`, `kB`/`MB`/`GB`, `percent`, `""` for errors, anything for
   * `add_metric`.
   */
  unit: string;
  /** A number; `add_error` records carry the error text. */
  value: number | string;
  /** The handler's dimensions in call order (MMS's `Dimension(name, value)`). */
  dimensions: Array<{ name: string; value: string }>;
}

const KINDS: ReadonlySet<string> = new Set(["counter", "time", "size", "percent", "error", "metric"]);

/** Narrows untrusted JSON (a worker's frame) to records; anything malformed is left out and counted. */
export function parseHandlerMetricRecords(value: unknown): {
  records: HandlerMetricRecord[];
  invalid: number;
} {
  if (!Array.isArray(value)) return { records: [], invalid: value === undefined || value === null ? 0 : 1 };
  const records: HandlerMetricRecord[] = [];
  let invalid = 0;
  for (const item of value) {
    const record = item as Partial<HandlerMetricRecord> | null;
    const valid =
      typeof record === "object" &&
      record !== null &&
      typeof record.name === "string" &&
      typeof record.kind === "string" &&
      KINDS.has(record.kind) &&
      typeof record.unit === "string" &&
      (typeof record.value === "number" || typeof record.value === "string") &&
      Array.isArray(record.dimensions) &&
      record.dimensions.every(
        (d) =>
          typeof d === "object" && d !== null && typeof d.name === "string" && typeof d.value === "string",
      );
    if (valid) records.push(record as HandlerMetricRecord);
    else invalid += 1;
  }
  return { records, invalid };
}
