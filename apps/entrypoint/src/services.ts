import { clearStalePidFile, startServer } from "@sagemaker-serve/process-lifecycle";
import { source as codeArtifactSource } from "lazy-chunk:codeartifact";
import { source as pipSource } from "lazy-chunk:pip";
import { loadChunk } from "./lazy/load-chunk.ts";
import type { ServeServices } from "./runtime.ts";

type CodeArtifactChunk = typeof import("./lazy/codeartifact-chunk.ts");
type PipChunk = typeof import("./lazy/pip-chunk.ts");

/** The real packages behind `serve`; pip-install and the AWS SDK are evaluated only when needed. */
export function realServices(bundleUrl: string): ServeServices {
  return {
    startServer,
    clearStalePidFile,
    resolvePipIndex: async (arn, signal, durationSeconds) => {
      const { resolvePipIndex } = await loadChunk<CodeArtifactChunk>(
        "codeartifact",
        codeArtifactSource,
        bundleUrl,
      );
      return resolvePipIndex({ arn, signal, durationSeconds });
    },
    installRequirements: async (options) => {
      const { installRequirementsWithPip } = await loadChunk<PipChunk>("pip", pipSource, bundleUrl);
      return installRequirementsWithPip(options);
    },
  };
}
