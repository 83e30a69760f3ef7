import { DEFAULT_MODEL_NAME } from "./constants.ts";
import { handlerServiceFor } from "./handler-service.ts";
import { checkedHandler } from "./properties-lines.ts";
import type { ServeSettings } from "./settings.ts";

export interface BuildLauncherCommandOptions {
  /** Which launcher: `multi-model-server` or `torchserve`. */
  backend: "mms" | "torchserve";
  /** The config file written for it (`--mms-config` / `--ts-config`). */
  configPath: string;
  /** The log4j2 config (`--log-config`). */
  logConfigPath: string;
  /** The handler service; default `handlerServiceFor(settings, backend)`. */
  handler?: string;
  /** TorchServe single-model store; default `<cwd>/.sagemaker/ts/models` as in the PyTorch toolkit. */
  torchServeModelStore?: string;
  /** The directory the default TorchServe store is under; default `/` (a container's usual cwd). */
  cwd?: string;
}

export interface LauncherCommand {
  command: string;
  args: string[];
  /** Environment variables to set for the launcher (on top of the inherited environment). */
  envChanges: Record<string, string>;
  /** The `--model-store` directory; it must exist before the launcher starts. */
  modelStore: string;
}

function requireString(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`buildLauncherCommand: ${name} must be a non-empty string, got ${String(value)}`);
  }
  return value;
}

/**
 * The launcher command line the toolkits run, as data, with `--foreground` added so the launcher stays our
 * child: `multi-model-server --start --model-store / --mms-config <cfg> --log-config <log>
 * [--models model=<modelDir>] --foreground`, or the PyTorch toolkit's `torchserve --start --model-store
 * <store> --ts-config <cfg> --log-config <log> [--models model=<modelDir>] --foreground`. `envChanges`
 * holds the toolkit's environment edits: `PYTHONPATH` with the code dir prepended (MMS: always with a
 * trailing colon; TorchServe: `code:old`, or just `code`) and, in multi-model mode, `SAGEMAKER_HANDLER`
 * set to the handler (MMS: when it is unset or empty; TorchServe: only when it is absent).
 */
export function buildLauncherCommand(
  settings: ServeSettings,
  options: BuildLauncherCommandOptions,
): LauncherCommand {
  const { backend, cwd = "/" } = options;
  if (backend !== "mms" && backend !== "torchserve") {
    throw new TypeError(
      `buildLauncherCommand: backend must be "mms" or "torchserve", got ${String(backend)}`,
    );
  }
  const handler = options.handler ?? handlerServiceFor(settings, backend);
  const configPath = requireString("configPath", options.configPath);
  const logConfigPath = requireString("logConfigPath", options.logConfigPath);
  const envChanges: Record<string, string> = {};

  if (backend === "mms") {
    envChanges.PYTHONPATH = `${settings.codeDir}:${settings.pythonPath ?? ""}`;
  } else {
    envChanges.PYTHONPATH =
      settings.pythonPath === undefined ? settings.codeDir : `${settings.codeDir}:${settings.pythonPath}`;
  }
  // The inference toolkit replaces an empty SAGEMAKER_HANDLER; the PyTorch toolkit only sets an absent one.
  const setsHandler =
    backend === "mms" ? !settings.sagemakerHandler : settings.sagemakerHandler === undefined;
  if (settings.multiModel && setsHandler) {
    envChanges.SAGEMAKER_HANDLER = checkedHandler(backend === "mms" ? "MMS" : "TorchServe", handler);
  }

  const models = settings.multiModel ? [] : ["--models", `${DEFAULT_MODEL_NAME}=${settings.modelDir}`];
  const defaultTorchServeStore = `${cwd.endsWith("/") ? cwd : `${cwd}/`}.sagemaker/ts/models`;
  const modelStore =
    backend === "mms" || settings.multiModel ? "/" : (options.torchServeModelStore ?? defaultTorchServeStore);
  const [command, configFlag] =
    backend === "mms" ? ["multi-model-server", "--mms-config"] : ["torchserve", "--ts-config"];
  return {
    command,
    args: [
      "--start",
      "--model-store",
      modelStore,
      configFlag,
      configPath,
      "--log-config",
      logConfigPath,
      ...models,
      "--foreground",
    ],
    envChanges,
    modelStore,
  };
}
