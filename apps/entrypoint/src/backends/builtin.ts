import { BUILTIN_CONFIG_FILE, renderBuiltinConfig } from "@sagemaker-serve/env-config";
import type { Backend } from "./backend.ts";

/**
 * The built-in server (`@sagemaker-serve/model-server`), run as a child process of our own bundle
 * (`sagemaker-serve model-server --config <path>`), so it is supervised exactly like the Java servers.
 */
export const builtinBackend: Backend = {
  name: "builtin",
  launcher: undefined,
  logConfigFile: undefined,
  defaultConfigPath: BUILTIN_CONFIG_FILE,
  renderConfig: (settings, handler) => renderBuiltinConfig(settings, { handler }),
  mainClass: undefined,
  isHealthy: (status) => status === 200,
  usesPidFile: false,
};
