import { DEFAULT_HANDLER_SERVICE, TS_DEFAULT_HANDLER_SERVICE } from "./constants.ts";
import type { ServeSettings } from "./settings.ts";

/** The handler service each backend's toolkit starts when none is given: TorchServe's is the PyTorch toolkit's. */
export function defaultHandlerService(backend: "mms" | "torchserve" | "builtin"): string {
  return backend === "torchserve" ? TS_DEFAULT_HANDLER_SERVICE : DEFAULT_HANDLER_SERVICE;
}

/** The handler service for `backend`: the one set (`SAGEMAKER_SERVE_HANDLER`, `--handler`), else the backend's default. */
export function handlerServiceFor(
  settings: Pick<ServeSettings, "handlerService" | "handlerServiceSet">,
  backend: "mms" | "torchserve" | "builtin",
): string {
  return settings.handlerServiceSet ? settings.handlerService : defaultHandlerService(backend);
}
