import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { formatError } from "@sagemaker-serve/errors";
import { parseBuiltinServerConfig, startModelServer } from "@sagemaker-serve/model-server";
import { EXIT } from "../exit-codes.ts";
import { createLogger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { checkWorkerFiles } from "../start-checks.ts";
import type { CommandIo } from "./command-io.ts";

/**
 * The hidden `sagemaker-serve model-server --config <path>`: the built-in server as its own process, which
 * `serve` starts and supervises like a Java server. The first SIGTERM drains it gracefully (the config's
 * `stopGraceMs`), a second one closes it at once.
 */
export async function runModelServerCommand(
  argv: string[],
  io: CommandIo,
  runtime: Pick<Runtime, "pythonDir" | "escalation">,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: "string" } }, strict: true }));
  } catch (error) {
    io.stderr(`sagemaker-serve model-server: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  if (values.config === undefined) {
    io.stderr("sagemaker-serve model-server: --config <path> is required\n");
    return EXIT.usage;
  }
  let config;
  try {
    config = parseBuiltinServerConfig(await readFile(values.config, "utf8"));
  } catch (error) {
    io.stderr(`${formatError(error)}\n`);
    return EXIT.usage;
  }
  const log = createLogger({ write: io.stderr, format: config.logFormat });
  // Without this the first worker fails to start and the error blames the handler.
  const workerProblem = await checkWorkerFiles(runtime.pythonDir);
  if (workerProblem !== undefined) {
    log.error(formatError(workerProblem));
    return EXIT.startup;
  }
  let handle;
  try {
    handle = await startModelServer(config, {
      signal: io.signal,
      pythonDir: runtime.pythonDir,
      env: io.env,
      logger: { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) },
    });
  } catch (error) {
    if (io.signal.aborted) return EXIT.ok;
    log.error(formatError(error));
    return EXIT.startup;
  }
  const server = handle;
  runtime.escalation.addEventListener("abort", () => void server.close(0), { once: true });
  if (io.signal.aborted) await server.close();
  await server.closed;
  return io.signal.aborted ? EXIT.ok : EXIT.failure;
}
