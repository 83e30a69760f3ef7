import { ServeError } from "@sagemaker-serve/errors";
import { describeReceived } from "./describe-value.ts";
import { parseHandler } from "./rules.ts";
import type { ServeSettings } from "./settings.ts";
import { propertiesValueProblem } from "./text-rules.ts";

/** A config value as the toolkit holds it; `undefined`, `null`, `0` and `""` produce no line (Python truthiness). */
export type PropertiesValue = string | number | undefined | null;

/** The error for a value the renderer refuses to write. */
export function configValueError(
  server: string,
  key: string,
  problem: string,
  value: string,
): ServeError<"CONFIG_VALUE_INVALID"> {
  return new ServeError(
    "CONFIG_VALUE_INVALID",
    `cannot write ${key} to the ${server} config: ${problem} ${describeReceived(value)}`,
    {
      hint: "settings passed to the renderer must come from parseServeEnvironment or pass the same checks",
    },
  );
}

/**
 * Renders `key=value\n` lines the way the toolkits do (falsy values skipped, numbers in decimal), after
 * checking that each value reads back from a Java properties file as exactly itself.
 */
export function renderPropertiesLines(
  server: string,
  entries: ReadonlyArray<readonly [string, PropertiesValue]>,
): string {
  let text = "";
  for (const [key, value] of entries) {
    if (value === undefined || value === null || value === 0 || value === "") continue;
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value) || value < 0)
        throw configValueError(server, key, "not a whole number", String(value));
    } else {
      const problem = propertiesValueProblem(value);
      if (problem !== undefined) throw configValueError(server, key, problem, value);
    }
    text += `${key}=${value}\n`;
  }
  return text;
}

/** `http://0.0.0.0:<port>` after checking the port. */
export function bindAddress(server: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw configValueError(server, "inference_address", "not a port number 1-65535", String(port));
  }
  return `http://0.0.0.0:${port}`;
}

/** The handler to write, checked like `SAGEMAKER_SERVE_HANDLER`. */
export function checkedHandler(server: string, handler: string): string {
  const outcome = parseHandler(handler);
  if (!outcome.ok) throw configValueError(server, "default_service_handler", outcome.problem, handler);
  return outcome.value;
}

/** The keys both toolkits write first, in their order: timeout, workers, and the two addresses on one port. */
export function commonServerEntries(
  server: string,
  settings: ServeSettings,
): Array<[string, PropertiesValue]> {
  const address = bindAddress(server, settings.bindPort);
  return [
    ["default_response_timeout", settings.defaultResponseTimeout],
    ["default_workers_per_model", settings.modelServerWorkers],
    ["inference_address", address],
    ["management_address", address],
  ];
}
