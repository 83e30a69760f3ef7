import { TS_CONFIG_FILE, TS_MAIN_CLASS, renderTorchServeConfig } from "@sagemaker-serve/env-config";
import { isHealthyStatusBody, type Backend } from "./backend.ts";

/** TorchServe, started the way the PyTorch inference toolkit starts it (plus `--foreground`). */
export const torchServeBackend: Backend = {
  name: "torchserve",
  launcher: "torchserve",
  logConfigFile: "log4j2-torchserve.xml",
  defaultConfigPath: TS_CONFIG_FILE,
  renderConfig: (settings, handler) => renderTorchServeConfig(settings, { handler }),
  mainClass: TS_MAIN_CLASS,
  // TorchServe < 0.8 answered 200 "Unhealthy"; newer ones answer 500. Checking the body covers both.
  isHealthy: isHealthyStatusBody,
  usesPidFile: true,
};
