import { MMS_CONFIG_FILE, MMS_MAIN_CLASS, renderMmsConfig } from "@sagemaker-serve/env-config";
import { isHealthyStatusBody, type Backend } from "./backend.ts";

/** AWS Multi Model Server, started the way the inference toolkit starts it (plus `--foreground`). */
export const mmsBackend: Backend = {
  name: "mms",
  launcher: "multi-model-server",
  logConfigFile: "log4j2-mms.xml",
  defaultConfigPath: MMS_CONFIG_FILE,
  renderConfig: (settings, handler) => renderMmsConfig(settings, { handler }),
  mainClass: MMS_MAIN_CLASS,
  // MMS answers 200 even when no worker is up, with "Unhealthy" in the body.
  isHealthy: isHealthyStatusBody,
  usesPidFile: true,
};
