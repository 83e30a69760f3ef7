/** Prefix of every series this server exposes. */
export const METRIC_PREFIX = "sagemaker_serve_";

/**
 * A handler's metric name (`InferenceTime`, `my-metric.count`) as the snake_case middle of a Prometheus metric
 * name: camel-case humps split, anything outside `[a-z0-9_]` becomes `_`, runs of `_` collapse.
 */
export function snakeCaseMetricName(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  return snake === "" ? "unnamed" : snake;
}

/** Label names this package sets itself, or that Prometheus reserves for histograms and summaries. */
const RESERVED_LABELS: ReadonlySet<string> = new Set(["model", "le", "quantile"]);

/**
 * A dimension name as a valid Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`). Names that
 * would clash with the server's own labels (`model`) or the reserved `le`/`quantile` get a `dim_` prefix.
 */
export function sanitizeLabelName(name: string): string {
  let label = name.replace(/[^a-zA-Z0-9_]/g, "_");
  if (label === "" || /^[0-9]/.test(label)) label = `_${label}`;
  if (label.startsWith("__") || RESERVED_LABELS.has(label)) label = `dim_${label.replace(/^_+/, "")}`;
  return label;
}
