import type { ServeSettings } from "@sagemaker-serve/env-config";

/** What `serve` needs to start one kind of model server: plain data plus pure functions, no classes. */
export interface Backend {
  name: "mms" | "torchserve" | "builtin";
  /** The launcher looked up on PATH (undefined for the built-in server, which is our own bundle). */
  launcher: string | undefined;
  /**
   * The log4j2 XML shipped next to the bundle that the launcher gets as `--log-config`: MMS gets the inference
   * toolkit's routing, TorchServe the PyTorch toolkit's. Undefined for the built-in server, which has no JVM.
   */
  logConfigFile: string | undefined;
  /** Where the config goes when `SAGEMAKER_SERVE_CONFIG_PATH` is unset. */
  defaultConfigPath: string;
  /** The config text for these settings. */
  renderConfig: (settings: ServeSettings, handler: string) => string;
  /** The argv element that identifies the real server process; undefined = the launcher is the server. */
  mainClass: string | undefined;
  /** Whether a `/ping` answer means ready. */
  isHealthy: (status: number, body: string) => boolean;
  /** True when the launcher keeps a pid file in the temp dir that a stale copy of would block a start. */
  usesPidFile: boolean;
}

/** MMS and TorchServe answer `{"status": "Healthy" | "Partial Healthy" | "Unhealthy"}`; only Healthy is ready. */
export function isHealthyStatusBody(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const parsed = JSON.parse(body) as { status?: unknown };
    return parsed.status === "Healthy";
  } catch {
    return false;
  }
}
