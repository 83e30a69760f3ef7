import { execFile } from "node:child_process";
import { TS_DEFAULT_HANDLER_SERVICE, type ServeSettings } from "@sagemaker-serve/env-config";
import type { Check } from "./commands/doctor.ts";

/** Importing the handler imports torch, which takes seconds on a cold disk. */
const IMPORT_TIMEOUT_MS = 120_000;

export interface TorchServeHandlerCheckOptions {
  settings: Pick<ServeSettings, "handlerServiceSet">;
  backend: "mms" | "torchserve" | "builtin";
  /** The Python the launcher's workers run (doctor's `python` check). */
  python: string;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
}

/**
 * With TorchServe and no handler set, the workers load the PyTorch toolkit's handler service; when that module
 * does not import with the configured Python, every worker fails after the server is up. Empty when the check
 * does not apply (another backend, or a handler is set).
 */
export async function torchServeHandlerChecks(options: TorchServeHandlerCheckOptions): Promise<Check[]> {
  const { settings, backend, python, env, signal } = options;
  if (backend !== "torchserve" || settings.handlerServiceSet) return [];
  const failure = await new Promise<string | undefined>((resolve) => {
    execFile(
      python,
      ["-c", `import ${TS_DEFAULT_HANDLER_SERVICE}`],
      { env: env as NodeJS.ProcessEnv, timeout: IMPORT_TIMEOUT_MS, signal },
      (error, _stdout, stderr) => {
        if (error === null) return resolve(undefined);
        const lastLine = stderr.trim().split("\n").pop();
        resolve(lastLine || (error.killed ? `no answer in ${IMPORT_TIMEOUT_MS / 1000} s` : error.message));
      },
    );
  });
  const name = "torchserve handler";
  if (failure === undefined) {
    return [{ name, status: "ok", detail: `${TS_DEFAULT_HANDLER_SERVICE} imports with ${python}` }];
  }
  return [
    {
      name,
      status: "fail",
      detail: `${TS_DEFAULT_HANDLER_SERVICE} (the PyTorch toolkit's default handler service) does not import with ${python}: ${failure}`,
      fix: `pip install sagemaker-pytorch-inference into that Python, or set SAGEMAKER_SERVE_HANDLER to your handler service`,
    },
  ];
}
