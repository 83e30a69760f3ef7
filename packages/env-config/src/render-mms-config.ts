import { checkedHandler, commonServerEntries, renderPropertiesLines } from "./properties-lines.ts";
import type { ServeSettings } from "./settings.ts";
import { DEFAULT_MMS_TEMPLATE, MME_MMS_TEMPLATE } from "./templates.ts";

export interface RenderConfigOptions {
  /** The handler service; default `settings.handlerService`. */
  handler?: string;
}

/**
 * The exact text the inference toolkit writes to `/etc/sagemaker-mms.properties` for these settings: the
 * single- or multi-model template, then `key=value` lines in the toolkit's order, skipping falsy values.
 * In multi-model mode there is no handler line: the template's `$$SAGEMAKER_HANDLER$$` carries it.
 * Throws `CONFIG_VALUE_INVALID` for a value that would not read back from the file as itself.
 */
export function renderMmsConfig(
  settings: ServeSettings,
  { handler = settings.handlerService }: RenderConfigOptions = {},
): string {
  const lines = renderPropertiesLines("MMS", [
    ...commonServerEntries("MMS", settings),
    ["vmargs", settings.vmargs],
    ["max_request_size", settings.maxRequestBytes],
    ["default_service_handler", settings.multiModel ? undefined : checkedHandler("MMS", handler)],
    ["default_response_timeout_seconds", settings.defaultResponseTimeoutSeconds],
  ]);
  return (settings.multiModel ? MME_MMS_TEMPLATE : DEFAULT_MMS_TEMPLATE) + lines;
}
