import type { BuiltinServerConfig } from "@sagemaker-serve/env-config";
import { modelServerError } from "./errors.ts";

export type { BuiltinServerConfig };

type Kind = "number" | "string" | "boolean" | "string|null" | "number|null" | "logFormat";

const FIELDS: Record<keyof BuiltinServerConfig, Kind> = {
  port: "number",
  bindAddress: "string",
  multiModel: "boolean",
  modelDir: "string",
  modelName: "string",
  handlerService: "string",
  workers: "number|null",
  requestTimeoutMs: "number",
  maxRequestBytes: "number",
  startupTimeoutMs: "number",
  defaultInvocationsAccept: "string|null",
  program: "string|null",
  python: "string",
  batchSize: "number",
  maxBatchDelayMs: "number",
  queueSize: "number",
  stopGraceMs: "number",
  logFormat: "logFormat",
  bodyTimeoutMs: "number",
  maxConnections: "number",
  maxBufferedBytes: "number|null",
  metricsPort: "number|null",
  metricsAddress: "string",
  accessLog: "boolean",
  accessLogPingSample: "number",
  handlerMetricsMaxSeries: "number",
};

const POSITIVE: ReadonlySet<string> = new Set([
  "requestTimeoutMs",
  "maxRequestBytes",
  "startupTimeoutMs",
  "batchSize",
  "queueSize",
  "bodyTimeoutMs",
  "maxConnections",
  "maxBufferedBytes",
  "handlerMetricsMaxSeries",
]);

function problem(key: string, kind: Kind, value: unknown): string | undefined {
  const shown = JSON.stringify(value) ?? String(value);
  if (kind === "logFormat")
    return value === "text" || value === "json"
      ? undefined
      : `${key}: expected "text" or "json" (got ${shown})`;
  if (value === null && kind.endsWith("|null")) return undefined;
  const base = kind.replace("|null", "");
  if (base === "number") {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
      return `${key}: expected a non-negative integer (got ${shown})`;
    if (POSITIVE.has(key) && value === 0) return `${key}: expected a positive integer (got 0)`;
    if ((key === "port" || key === "metricsPort") && value > 65535)
      return `${key}: expected a port number 0-65535 (got ${shown})`;
    return undefined;
  }
  if (typeof value !== base) return `${key}: expected a ${base} (got ${shown})`;
  if (
    base === "string" &&
    value === "" &&
    (key === "modelDir" || key === "python" || key === "modelName" || key === "metricsAddress")
  )
    return `${key}: must not be empty`;
  return undefined;
}

/**
 * Parses and validates the built-in server's JSON config text. Throws ServeError `MODEL_SERVER_CONFIG_INVALID`
 * listing every problem (missing, unknown or mistyped keys).
 */
export function parseBuiltinServerConfig(text: string): BuiltinServerConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw modelServerError(
      "MODEL_SERVER_CONFIG_INVALID",
      `Built-in server config is not valid JSON: ${(error as Error).message}`,
      "Regenerate it with `sagemaker-serve config --backend builtin`.",
      error,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw modelServerError(
      "MODEL_SERVER_CONFIG_INVALID",
      `Built-in server config must be a JSON object (got ${Array.isArray(parsed) ? "an array" : JSON.stringify(parsed)})`,
      "Regenerate it with `sagemaker-serve config --backend builtin`.",
    );
  }
  const record = parsed as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, kind] of Object.entries(FIELDS)) {
    if (!(key in record)) problems.push(`${key}: missing`);
    else {
      const found = problem(key, kind, record[key]);
      if (found !== undefined) problems.push(found);
    }
  }
  for (const key of Object.keys(record)) if (!(key in FIELDS)) problems.push(`${key}: unknown key`);
  if (problems.length > 0) {
    throw modelServerError(
      "MODEL_SERVER_CONFIG_INVALID",
      `Built-in server config is invalid: ${problems.join("; ")}`,
      "Fix the listed keys or regenerate the file with `sagemaker-serve config --backend builtin`.",
    );
  }
  return record as unknown as BuiltinServerConfig;
}
