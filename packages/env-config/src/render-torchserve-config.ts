import { DEFAULT_MODEL_NAME } from "./constants.ts";
import { handlerServiceFor } from "./handler-service.ts";
import {
  checkedHandler,
  commonServerEntries,
  configValueError,
  renderPropertiesLines,
} from "./properties-lines.ts";
import type { RenderConfigOptions } from "./render-mms-config.ts";
import type { ServeSettings, TorchServeSettings } from "./settings.ts";
import { DEFAULT_TS_TEMPLATE, MME_TS_TEMPLATE } from "./templates.ts";

/**
 * The PyTorch toolkit's `models=` value: JSON spread over lines joined by backslash continuations (Java
 * strips each continuation line's leading white space), with its exact indentation.
 */
export function torchServeModelsValue(ts: TorchServeSettings): string {
  const name = DEFAULT_MODEL_NAME;
  return [
    "{\\",
    `        "${name}": {\\`,
    `            "1.0": {\\`,
    `                "defaultVersion": true,\\`,
    `                "marName": "${name}.mar",\\`,
    `                "minWorkers": ${ts.minWorkers},\\`,
    `                "maxWorkers": ${ts.maxWorkers},\\`,
    `                "batchSize": ${ts.batchSize},\\`,
    `                "maxBatchDelay": ${ts.maxBatchDelayMs},\\`,
    `                "responseTimeout": ${ts.responseTimeoutSeconds}\\`,
    "                }\\",
    "            }\\",
    "        }",
  ].join("\n");
}

/** TorchServe's `metrics_address` for `SAGEMAKER_SERVE_METRICS_PORT`; undefined (TorchServe's default) when unset. */
function metricsAddress({ metricsPort, metricsAddress: host }: ServeSettings): string | undefined {
  if (metricsPort === undefined) return undefined;
  return `http://${host.includes(":") ? `[${host}]` : host}:${metricsPort}`;
}

/** `<handler>:handle`, unless the handler already names its function. */
function handlerEntryPoint(handler: string): string {
  return /:[A-Za-z_][A-Za-z0-9_]*$/.test(handler) ? handler : `${handler}:handle`;
}

/**
 * The PyTorch toolkit's `/etc/sagemaker-ts.properties` text: its template, then the timeout, workers,
 * addresses and `default_service_handler=<handler>:handle` (also in multi-model mode, where it overrides
 * the template's line), `metrics_address` when `SAGEMAKER_SERVE_METRICS_PORT` is set, then `models=` when any `SAGEMAKER_TS_*` is set outside multi-model mode. The handler
 * defaults to the PyTorch toolkit's `sagemaker_pytorch_serving_container.handler_service` unless one is set.
 * Deliberate fix: the toolkit's templates end without a newline, so its output glues the template's last
 * line to the first key (`enable_model_api=truedefault_response_timeout=60`); we write the newline.
 */
export function renderTorchServeConfig(
  settings: ServeSettings,
  { handler = handlerServiceFor(settings, "torchserve") }: RenderConfigOptions = {},
): string {
  const lines = renderPropertiesLines("TorchServe", [
    ...commonServerEntries("TorchServe", settings),
    ["default_service_handler", handlerEntryPoint(checkedHandler("TorchServe", handler))],
    ["metrics_address", metricsAddress(settings)],
  ]);
  for (const [key, value] of Object.entries(settings.torchServe)) {
    if (key !== "fromEnv" && (!Number.isSafeInteger(value) || (value as number) < 0)) {
      throw configValueError("TorchServe", `models ${key}`, "not a whole number", String(value));
    }
  }
  const models =
    settings.torchServe.fromEnv && !settings.multiModel
      ? `models=${torchServeModelsValue(settings.torchServe)}\n`
      : "";
  return `${settings.multiModel ? MME_TS_TEMPLATE : DEFAULT_TS_TEMPLATE}\n${lines}${models}`;
}
