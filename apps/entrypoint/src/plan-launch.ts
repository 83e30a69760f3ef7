import { join } from "node:path";
import { buildLauncherCommand, handlerServiceFor, type ServeSettings } from "@sagemaker-serve/env-config";
import type { Backend } from "./backends/backend.ts";
import { selectBackend } from "./backends/select-backend.ts";
import type { CommandIo } from "./commands/command-io.ts";
import { findOnPath } from "./find-on-path.ts";
import type { Runtime } from "./runtime.ts";

/** The paths and argv `serve` would use, shared with the `config` command. */
export interface LaunchPlan {
  backend: Backend;
  launcherPath: string | undefined;
  reason: string;
  configPath: string;
  configText: string;
  command: string;
  args: string[];
  envChanges: Record<string, string>;
  /** The `--log-config` file: the backend's own log4j2 XML next to the bundle; undefined for the built-in server. */
  logConfigPath: string | undefined;
  /** A directory that must exist before the launcher starts (TorchServe's model store). */
  modelStore: string | undefined;
}

/** Works out backend, config and command for `settings` without side effects. */
export async function planLaunch(
  settings: ServeSettings,
  io: Pick<CommandIo, "env" | "cwd">,
  runtime: Pick<Runtime, "execPath" | "bundlePath" | "assetsDir">,
): Promise<LaunchPlan> {
  const choice = await selectBackend(settings.backend, (name) => findOnPath(name, io.env.PATH));
  const { backend } = choice;
  const configPath = settings.configPath ?? backend.defaultConfigPath;
  const handler = handlerServiceFor(settings, backend.name);
  const configText = backend.renderConfig(settings, handler);
  if (backend.name === "builtin") {
    return {
      ...choice,
      configPath,
      configText,
      command: runtime.execPath,
      args: [
        ...(runtime.bundlePath === undefined ? [] : [runtime.bundlePath]),
        "model-server",
        "--config",
        configPath,
      ],
      envChanges: {},
      logConfigPath: undefined,
      modelStore: undefined,
    };
  }
  const logConfigPath = join(runtime.assetsDir, backend.logConfigFile!);
  const launch = buildLauncherCommand(settings, {
    backend: backend.name,
    configPath,
    logConfigPath,
    handler,
    cwd: io.cwd,
  });
  return {
    ...choice,
    configPath,
    configText,
    command: choice.launcherPath ?? launch.command,
    args: launch.args,
    envChanges: launch.envChanges,
    logConfigPath,
    modelStore: launch.modelStore === "/" ? undefined : launch.modelStore,
  };
}
