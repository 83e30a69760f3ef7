// The only module that touches process globals: argv, env, signals, exit.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { formatError } from "@sagemaker-serve/errors";
import { installSignalRouter } from "@sagemaker-serve/process-lifecycle";
import { runCli } from "./cli.ts";
import type { CommandIo } from "./commands/command-io.ts";
import { buildCommands } from "./commands/commands.ts";
import { installCrashGuard } from "./crash-guard.ts";
import { EXIT } from "./exit-codes.ts";
import type { Runtime } from "./runtime.ts";
import { realServices } from "./services.ts";

declare const __SAGEMAKER_SERVE_VERSION__: string;

// Children get the environment as it came in; only our own process silences the AWS SDK's Node 20 notice,
// a multi-line stderr block that would break JSON log lines when CA_REPOSITORY_ARN is set.
const env = { ...process.env };
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// A log reader that went away (EPIPE) must not take the supervisor down in the middle of a stop: the
// lines are lost, supervision goes on.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
const crashGuard = installCrashGuard({
  target: process,
  write: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
  exitCode: EXIT.failure,
});

const escalation = new AbortController();
let forward: ((signal: NodeJS.Signals) => void) | undefined;
const router = installSignalRouter({
  target: process,
  onStop: () => undefined,
  onEscalate: (signal) => escalation.abort(signal),
  onForward: (signal) => forward?.(signal),
});

const bundlePath = fileURLToPath(import.meta.url);
const here = dirname(bundlePath);
const runtime: Runtime = {
  version: typeof __SAGEMAKER_SERVE_VERSION__ === "string" ? __SAGEMAKER_SERVE_VERSION__ : "0.0.0-dev",
  pid: process.pid,
  execPath: process.execPath,
  bundlePath,
  bundleUrl: import.meta.url,
  assetsDir: here,
  pythonDir: fileURLToPath(new URL("./python/", import.meta.url)),
  uptimeMs: () => performance.now(),
  escalation: escalation.signal,
  stopSignal: () => router.stopSignal,
  setForwardTarget: (target) => {
    forward = target;
  },
  onCrash: (cleanup) => crashGuard.onCrash(cleanup),
  services: realServices(import.meta.url),
};

const io: CommandIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  cwd: process.cwd(),
  env,
  signal: router.signal,
  isTTY: process.stdout.isTTY === true,
};

let code: number;
try {
  code = await runCli(process.argv.slice(2), io, {
    version: runtime.version,
    commands: buildCommands(runtime),
  });
} catch (error) {
  process.stderr.write(`${formatError(error)}\n`);
  code = EXIT.failure;
}
router.dispose();
process.exit(code);
