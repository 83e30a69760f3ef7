import type { ServeSettings } from "@sagemaker-serve/env-config";
import type { Backend } from "./backend.ts";
import { builtinBackend } from "./builtin.ts";
import { mmsBackend } from "./mms.ts";
import { torchServeBackend } from "./torchserve.ts";

export const BACKENDS_BY_NAME = {
  mms: mmsBackend,
  torchserve: torchServeBackend,
  builtin: builtinBackend,
} as const;

export interface BackendChoice {
  backend: Backend;
  /** Absolute path of the launcher found on PATH, when there is one. */
  launcherPath: string | undefined;
  /** One sentence: which backend and why. */
  reason: string;
}

/**
 * DESIGN decision 4: an explicit backend is used as is; `auto` is MMS if `multi-model-server` is on PATH, else
 * TorchServe if `torchserve` is, else the built-in server.
 */
export async function selectBackend(
  requested: ServeSettings["backend"],
  findOnPath: (name: string) => Promise<string | undefined>,
): Promise<BackendChoice> {
  if (requested !== "auto") {
    const backend = BACKENDS_BY_NAME[requested];
    const launcherPath = backend.launcher === undefined ? undefined : await findOnPath(backend.launcher);
    return { backend, launcherPath, reason: `SAGEMAKER_SERVE_BACKEND or --backend is ${requested}` };
  }
  for (const backend of [mmsBackend, torchServeBackend]) {
    const launcherPath = await findOnPath(backend.launcher!);
    if (launcherPath !== undefined) {
      return { backend, launcherPath, reason: `auto: ${backend.launcher} found at ${launcherPath}` };
    }
  }
  return {
    backend: builtinBackend,
    launcherPath: undefined,
    reason: "auto: neither multi-model-server nor torchserve is on PATH",
  };
}
