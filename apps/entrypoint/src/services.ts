import { clearStalePidFile, startServer } from "@sagemaker-serve/process-lifecycle";
import type { ServeServices } from "./runtime.ts";
import { installRequirementsWithPip } from "./install-requirements.ts";

/** The real packages behind `serve`. The AWS SDK is imported only when a CodeArtifact index is needed. */
export const realServices: ServeServices = {
  startServer,
  clearStalePidFile,
  resolvePipIndex: async (arn, signal, durationSeconds) => {
    const { resolvePipIndex } = await import("@sagemaker-serve/codeartifact-auth");
    return resolvePipIndex({ arn, signal, durationSeconds });
  },
  installRequirements: installRequirementsWithPip,
};
