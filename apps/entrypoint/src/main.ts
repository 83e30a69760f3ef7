// The only module that touches process globals: argv, env, signals, exit.
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { formatError } from "@sagemaker-serve/errors";
import { installSignalRouter } from "@sagemaker-serve/process-lifecycle";
import { runCli } from "./cli.ts";
import type { CommandIo } from "./commands/command-io.ts";
import { buildCommands } from "./commands/commands.ts";
import { installCrashGuard } from "./crash-guard.ts";
import { EXIT } from "./exit-codes.ts";
import type { Runtime } from "./runtime.ts";
import { unpackSeaAssets, type UnpackedFiles } from "./sea-assets.ts";
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

// The single executable (dist/sagemaker-serve) is its own bundle: it runs the built-in server as
// `<itself> model-server` and carries the files that sit next to the JS bundle as embedded assets.
// Not a static import: on a Node without node:sea, linking would fail before the bundle's version check runs.
const sea = createRequire(import.meta.url)("node:sea") as typeof import("node:sea");
const singleExecutable = sea.isSea();
const bundleUrl = singleExecutable ? pathToFileURL(process.execPath).href : import.meta.url;
const bundlePath = fileURLToPath(bundleUrl);

async function main(): Promise<number> {
  const files: UnpackedFiles = singleExecutable
    ? await unpackSeaAssets({ getAsset: (key) => sea.getAsset(key), parentDir: tmpdir() })
    : { dir: dirname(bundlePath), remove: () => undefined };
  process.on("exit", files.remove);
  const here = files.dir;
  const runtime: Runtime = {
    version: typeof __SAGEMAKER_SERVE_VERSION__ === "string" ? __SAGEMAKER_SERVE_VERSION__ : "0.0.0-dev",
    pid: process.pid,
    execPath: process.execPath,
    bundlePath: singleExecutable ? undefined : bundlePath,
    bundleUrl,
    assetsDir: here,
    pythonDir: join(here, "python"),
    uptimeMs: () => performance.now(),
    escalation: escalation.signal,
    stopSignal: () => router.stopSignal,
    setForwardTarget: (target) => {
      forward = target;
    },
    onCrash: (cleanup) => crashGuard.onCrash(cleanup),
    services: realServices(bundleUrl),
  };

  const io: CommandIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env,
    signal: router.signal,
    isTTY: process.stdout.isTTY === true,
  };
  return runCli(process.argv.slice(2), io, {
    version: runtime.version,
    commands: buildCommands(runtime),
  });
}

// No top-level await: the single executable runs this bundle as CommonJS.
main().then(
  (code) => {
    router.dispose();
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    router.dispose();
    process.exit(EXIT.failure);
  },
);
