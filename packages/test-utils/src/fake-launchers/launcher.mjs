// The fake `multi-model-server` / `torchserve` launcher: argparse-style flags, the pid file, the java-shaped command,
// daemonising by default and staying in the foreground with --foreground (server-and-archive.md §2.1, §2.2, §5.3).
import { clearInterval, setInterval } from "node:timers";
import process from "node:process";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { URL, fileURLToPath } from "node:url";
import { FLAVORS, cmdlineOf, isAlive, knob, pidFilePath, record } from "./common.mjs";
import { parseLauncherProperties } from "./properties.mjs";

const HOME = fileURLToPath(new URL("./home/", import.meta.url)).replace(/\/$/, "");
const SERVER = fileURLToPath(new URL("./server.mjs", import.meta.url));

function optionTable(flavor) {
  const common = {
    "--start": { dest: "start", flag: true },
    "--stop": { dest: "stop", flag: true },
    "--model-store": { dest: "modelStore" },
    "--models": { dest: "models", many: true },
    "--log-config": { dest: "logConfig" },
    "--foreground": { dest: "foreground", flag: true },
    "-h": { dest: "help", flag: true },
    "--help": { dest: "help", flag: true },
  };
  if (flavor === "mms") return { ...common, "--mms-config": { dest: "config" } };
  return {
    ...common,
    "-v": { dest: "version", flag: true },
    "--version": { dest: "version", flag: true },
    "--ts-config": { dest: "config" },
    "--workflow-store": { dest: "workflowStore" },
    "--cpp-log-config": { dest: "cppLogConfig" },
    "--no-config-snapshots": { dest: "ncs", flag: true },
    "--ncs": { dest: "ncs", flag: true },
    "--plugins-path": { dest: "pluginsPath" },
    "--ppath": { dest: "pluginsPath" },
    "--disable-token-auth": { dest: "disableTokenAuth", flag: true },
    "--dt": { dest: "disableTokenAuth", flag: true },
    "--enable-model-api": { dest: "enableModelApi", flag: true },
  };
}

function usage(flavor) {
  const f = FLAVORS[flavor];
  return flavor === "mms"
    ? `usage: ${f.launcher} [-h] [--start | --stop] [--mms-config MMS_CONFIG] [--model-store MODEL_STORE]\n` +
        `                          [--models MODEL_PATH1 MODEL_NAME=MODEL_PATH2... [MODEL_PATH1 MODEL_NAME=MODEL_PATH2... ...]]\n` +
        `                          [--log-config LOG_CONFIG] [--foreground]\n`
    : `usage: ${f.launcher} [-h] [-v | --start | --stop] [--ts-config TS_CONFIG] [--model-store MODEL_STORE]\n` +
        `                  [--workflow-store WORKFLOW_STORE] [--models MODEL_PATH1 MODEL_NAME=MODEL_PATH2... ...]\n` +
        `                  [--log-config LOG_CONFIG] [--cpp-log-config CPP_LOG_CONFIG] [--foreground]\n` +
        `                  [--no-config-snapshots] [--plugins-path PLUGINS_PATH] [--disable-token-auth] [--enable-model-api]\n`;
}

function argparseError(flavor, message) {
  process.stderr.write(`${usage(flavor)}${FLAVORS[flavor].launcher}: error: ${message}\n`);
  process.exit(2);
}

function parseArgs(flavor, argv) {
  const table = optionTable(flavor);
  const args = { models: undefined };
  const unknown = [];
  for (let i = 0; i < argv.length; i += 1) {
    let token = argv[i];
    let inline;
    if (token.startsWith("--") && token.includes("=")) {
      inline = token.slice(token.indexOf("=") + 1);
      token = token.slice(0, token.indexOf("="));
    }
    const option = table[token];
    if (!option) {
      unknown.push(argv[i]);
      continue;
    }
    if (option.flag) {
      args[option.dest] = true;
    } else if (option.many) {
      const values = inline === undefined ? [] : [inline];
      while (i + 1 < argv.length && !argv[i + 1].startsWith("-")) values.push(argv[++i]);
      if (values.length === 0) argparseError(flavor, `argument ${token}: expected at least one argument`);
      args[option.dest] = values;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("-")))
        argparseError(flavor, `argument ${token}: expected one argument`);
      args[option.dest] = value;
    }
  }
  if (unknown.length > 0) argparseError(flavor, `unrecognized arguments: ${unknown.join(" ")}`);
  const exclusive = ["version", "start", "stop"].filter((name) => args[name]);
  if (exclusive.length > 1) {
    const flagOf = { version: "-v/--version", start: "--start", stop: "--stop" };
    argparseError(
      flavor,
      `argument ${flagOf[exclusive[1]]}: not allowed with argument ${flagOf[exclusive[0]]}`,
    );
  }
  return args;
}

function fail(message) {
  process.stdout.write(`${message}\n`);
  process.exit(1);
}

function descendantsOf(rootPid) {
  const children = new Map();
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  const out = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function stop(flavor, foreground) {
  const pidFile = pidFilePath();
  if (!existsSync(pidFile)) {
    process.stdout.write(
      flavor === "mms"
        ? "Model server is not currently running.\n"
        : "TorchServe is not currently running.\n",
    );
    process.exit(0);
  }
  const pid = Number(readFileSync(pidFile, "utf8"));
  if (flavor === "mms") {
    try {
      for (const child of descendantsOf(pid)) kill(child, "SIGTERM");
      for (const child of descendantsOf(pid)) kill(child, "SIGKILL");
      kill(pid, "SIGTERM");
      kill(pid, "SIGKILL");
      process.stdout.write("Model server stopped.\n");
    } catch {
      process.stdout.write("Model server already stopped.\n");
    }
    rmSync(pidFile, { force: true });
    process.exit(0);
  }
  kill(pid, "SIGTERM");
  rmSync(resolve("key_file.json"), { force: true });
  const finish = () => {
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  if (!foreground) {
    process.stdout.write("TorchServe has stopped.\n");
    finish();
  }
  const deadline = Date.now() + 60_000;
  const timer = setInterval(() => {
    if (!isAlive(pid)) {
      clearInterval(timer);
      process.stdout.write("TorchServe has stopped.\n");
      finish();
    } else if (Date.now() > deadline) {
      clearInterval(timer);
      process.stdout.write("Stopping TorchServe took too long.\n");
      finish();
    }
  }, 100);
}

function checkPidFile(flavor) {
  const pidFile = pidFilePath();
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  const running =
    Number.isInteger(pid) &&
    pid > 0 &&
    isAlive(pid) &&
    (flavor === "mms" || cmdlineOf(pid).includes(FLAVORS[flavor].mainClass));
  if (running) {
    fail(
      flavor === "mms"
        ? "Model server is already running, please use multi-model-server --stop to stop MMS."
        : "TorchServe is already running, please use torchserve --stop to stop TorchServe.",
    );
  }
  process.stdout.write("Removing orphan pid file.\n");
  rmSync(pidFile, { force: true });
}

/** Runs the launcher for `flavor` ("mms" or "torchserve") with `argv` (process.argv.slice(2)). */
export function runLauncher(flavor, argv) {
  const f = FLAVORS[flavor];
  const args = parseArgs(flavor, argv);
  record("launcher", { flavor, argv });
  if (args.help) {
    process.stdout.write(usage(flavor));
    process.exit(0);
  }
  if (args.version) {
    process.stdout.write("TorchServe Version is 0.12.0\n");
    process.exit(0);
  }
  if (args.stop) return stop(flavor, args.foreground);

  checkPidFile(flavor);

  let configFile = args.config;
  if (flavor === "torchserve" && process.env[f.configEnv]) configFile = process.env[f.configEnv];
  if (flavor === "mms" && configFile === "sagemaker")
    configFile = `${HOME}/mms/configs/sagemaker_config.properties`;
  const launcherProps =
    configFile !== undefined && existsSync(configFile)
      ? parseLauncherProperties(readFileSync(configFile, "utf8"))
      : new Map();

  const java = ["-Dmodel_server_home=" + HOME];
  if (args.logConfig !== undefined) java.push(`-Dlog4j.configurationFile=file://${resolve(args.logConfig)}`);
  if (process.env.TEMP) java.push(`-Djava.io.tmpdir=${process.env.TEMP}`);
  const vmargs = launcherProps.get("vmargs");
  if (vmargs) {
    process.stdout.write(`Warning: ${f.product} is using non-default JVM parameters: ${vmargs}\n`);
    for (const arg of vmargs.split(/\s+/).filter(Boolean)) {
      if (args.logConfig !== undefined && arg.startsWith("-Dlog4j.configurationFile=")) continue;
      java.push(arg);
    }
  }
  const pluginsPath = args.pluginsPath ?? launcherProps.get("plugins_path");
  java.push("-cp", `.:${HOME}/${f.frontend}${pluginsPath ? `:${pluginsPath}/*` : ""}`);
  java.push(f.mainClass, "--python", knob("PYTHON", "/usr/bin/python3"));

  if (args.logConfig !== undefined && !existsSync(args.logConfig))
    fail(`--log-config file not found: ${args.logConfig}`);
  if (process.env.TEMP && !(existsSync(process.env.TEMP) && statSync(process.env.TEMP).isDirectory())) {
    fail(`Invalid temp directory: ${process.env.TEMP}, please check TEMP environment variable.`);
  }
  if (configFile !== undefined) {
    if (!existsSync(configFile)) fail(`${f.configFlag} file not found: ${configFile}`);
    java.push("-f", configFile);
  } else if (flavor === "mms") {
    java.push("-f", "config.properties");
  }
  if (args.modelStore !== undefined) {
    if (!(existsSync(args.modelStore) && statSync(args.modelStore).isDirectory()))
      fail(`--model-store directory not found: ${args.modelStore}`);
    java.push("-s", args.modelStore);
  } else if (flavor === "torchserve" && !launcherProps.has("model_store")) {
    fail("Missing mandatory parameter --model-store");
  }
  if (flavor === "torchserve") {
    if (args.workflowStore !== undefined) java.push("-w", args.workflowStore);
    if (args.ncs) java.push("-ncs");
    if (args.disableTokenAuth) java.push("--disable-token-auth");
    if (args.enableModelApi) java.push("--enable-model-api");
  }
  if (args.models !== undefined) {
    for (const model of args.models) {
      const location = model.includes("=") ? model.slice(model.indexOf("=") + 1) : model;
      if (
        args.modelStore === undefined &&
        model !== "ALL" &&
        !/^https?:\/\//.test(location) &&
        !isAbsolute(location)
      ) {
        fail("--model-store is required to load model locally.");
      }
    }
    java.push("-m", ...args.models);
  }
  if (flavor === "torchserve" && args.cppLogConfig !== undefined) java.push("-clog", args.cppLogConfig);

  if (knob("NO_JAVA", "") === "1") {
    process.stdout.write("java not found, please make sure JAVA_HOME is set properly.\n");
    process.exit(0);
  }

  const startServer = (extraEnv) =>
    spawn(process.execPath, [SERVER, ...java], {
      argv0: "java",
      stdio: "inherit",
      env: { ...process.env, FAKE_MMS_FLAVOR: flavor, ...extraEnv },
    });
  // The idle second server starts first, so whoever sees the real one also sees two.
  if (knob("SECOND_SERVER", "") === "1") startServer({ FAKE_MMS_SECONDARY: "1" }).unref();
  const server = startServer({});
  writeFileSync(pidFilePath(), String(server.pid));

  if (!args.foreground) {
    server.unref();
    process.exit(0);
  }
  server.on("exit", () => process.exit(0));
}
