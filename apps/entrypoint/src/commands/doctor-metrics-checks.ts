import type { ServeSettings } from "@sagemaker-serve/env-config";
import type { Backend } from "../backends/backend.ts";
import { probePort } from "../port-check.ts";
import type { Check } from "./doctor.ts";

/** Variables only the built-in server reads. */
const BUILTIN_ONLY = [
  "SAGEMAKER_SERVE_ACCESS_LOG",
  "SAGEMAKER_SERVE_ACCESS_LOG_PING_SAMPLE",
  "SAGEMAKER_SERVE_HANDLER_METRICS_MAX_SERIES",
];
/** Variables TorchServe gets as `metrics_address`. */
const LISTENER = ["SAGEMAKER_SERVE_METRICS_PORT", "SAGEMAKER_SERVE_METRICS_ADDRESS"];

function notApplying(names: string[], backend: string, why: string): Check {
  return {
    name: "metrics",
    status: "warn",
    detail: `${names.join(", ")} ${names.length === 1 ? "does" : "do"} not apply to ${backend} (${why})`,
    fix: `unset ${names.length === 1 ? "it" : "them"}, or set SAGEMAKER_SERVE_BACKEND=builtin`,
  };
}

/** The metrics listener's port can be bound on its address (a port equal to the inference port shares it). */
async function listenerCheck(settings: ServeSettings, server: string): Promise<Check> {
  const port = settings.metricsPort!;
  const address = settings.metricsAddress;
  if (port === settings.bindPort) {
    return { name: "metrics", status: "ok", detail: `GET /metrics on the inference port ${port}` };
  }
  const probe = await probePort(port, address);
  if (probe.free) return { name: "metrics", status: "ok", detail: `${server} on ${address}:${port} (free)` };
  return {
    name: "metrics",
    status: "fail",
    detail: `SAGEMAKER_SERVE_METRICS_PORT ${port} cannot be bound on ${address}: ${probe.errno}`,
    fix:
      probe.errno === "EADDRNOTAVAIL"
        ? "set SAGEMAKER_SERVE_METRICS_ADDRESS to an address of this machine (127.0.0.1, 0.0.0.0)"
        : "stop the process holding the port, or set SAGEMAKER_SERVE_METRICS_PORT to a free port",
  };
}

/**
 * What the metrics and access-log variables do with this backend: the built-in server's metrics port must be
 * free; TorchServe gets the listener as `metrics_address`; MMS has no equivalent for any of them.
 */
export async function metricsChecks(
  settings: ServeSettings,
  backend: Backend["name"],
  env: Readonly<Record<string, string | undefined>>,
): Promise<Check[]> {
  const present = (names: string[]) => names.filter((name) => (env[name] ?? "") !== "");
  if (backend === "mms") {
    const set = present([...LISTENER, ...BUILTIN_ONLY]);
    return set.length === 0
      ? []
      : [
          notApplying(
            set,
            "MMS",
            "it writes [METRICS] lines and its access log through log4j, with no metrics API",
          ),
        ];
  }
  const checks: Check[] = [];
  if (backend === "torchserve") {
    const set = present(BUILTIN_ONLY);
    if (set.length > 0) checks.push(notApplying(set, "TorchServe", "its access log and metrics are its own"));
    if (settings.metricsPort !== undefined)
      checks.push(await listenerCheck(settings, "TorchServe metrics API"));
    return checks;
  }
  if (settings.metricsPort === undefined) {
    return [{ name: "metrics", status: "ok", detail: "off (SAGEMAKER_SERVE_METRICS_PORT is unset)" }];
  }
  return [await listenerCheck(settings, "GET /metrics")];
}
