import { join } from "node:path";
import { parseArgs } from "node:util";
import { redact } from "@sagemaker-serve/errors";
import { EXIT } from "../exit-codes.ts";
import type { Runtime } from "../runtime.ts";
import type { CommandIo } from "./command-io.ts";
import { readSettings } from "./environment.ts";
import { planLaunch } from "../plan-launch.ts";
import { BACKENDS_BY_NAME } from "../backends/select-backend.ts";

export const CONFIG_HELP = `usage: sagemaker-serve config [--backend auto|mms|torchserve|builtin] [--format text|json]

Prints what \`serve\` would do, without doing it. text: exactly the config file's contents. json: one object
{ "backend", "configPath", "configText", "command": [argv...], "env": { changed variables }, "logConfigPath"
(the backend's --log-config; null for builtin), "logConfigPaths": { "mms", "torchserve" }, "settings" }.
`;

/** `sagemaker-serve config`: the config `serve` would write, or the whole plan as JSON (secrets redacted). */
export async function runConfigCommand(
  argv: string[],
  io: CommandIo,
  runtime: Pick<Runtime, "execPath" | "bundlePath" | "assetsDir">,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        backend: { type: "string" },
        format: { type: "string", default: "text" },
        handler: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(`sagemaker-serve config: ${(error as Error).message}\n${CONFIG_HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(CONFIG_HELP);
    return EXIT.ok;
  }
  if (values.format !== "text" && values.format !== "json") {
    io.stderr(
      `sagemaker-serve config: --format must be text or json, got ${JSON.stringify(values.format)}\n`,
    );
    return EXIT.usage;
  }
  const result = readSettings(io.env, { backend: values.backend, handler: values.handler });
  if (!result.ok) {
    io.stderr(result.text);
    return EXIT.usage;
  }
  const plan = await planLaunch(result.settings, io, runtime);
  if (values.format === "text") {
    io.stdout(plan.configText);
    return EXIT.ok;
  }
  const { warnings: _warnings, ...settings } = result.settings;
  const out = {
    backend: plan.backend.name,
    configPath: plan.configPath,
    configText: plan.configText,
    command: [plan.command, ...plan.args],
    env: plan.envChanges,
    logConfigPath: plan.logConfigPath ?? null,
    logConfigPaths: {
      mms: join(runtime.assetsDir, BACKENDS_BY_NAME.mms.logConfigFile!),
      torchserve: join(runtime.assetsDir, BACKENDS_BY_NAME.torchserve.logConfigFile!),
    },
    settings,
  };
  io.stdout(`${redact(JSON.stringify(out, null, 2))}\n`);
  return EXIT.ok;
}
