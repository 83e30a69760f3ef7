// The fake Java server (`java ... com.amazonaws.ml.mms.ModelServer ...` or `org.pytorch.serve.ModelServer`):
// ConfigManager-style config, startup-model registration before bind, JVM signal exit codes, worker grandchildren,
// and the /ping, /models, invoke routes with MMS's or TorchServe's shapes (server-and-archive.md §2–§5).
import { setTimeout, setInterval } from "node:timers";
import { Buffer } from "node:buffer";
import process from "node:process";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { basename, isAbsolute, join, resolve } from "node:path";
import { URL, fileURLToPath } from "node:url";
import { FLAVORS, knob, numberKnob, record } from "./common.mjs";
import { parseAddress, parseJavaProperties, substituteEnv } from "./properties.mjs";

const flavor = process.env.FAKE_MMS_FLAVOR === "torchserve" ? "torchserve" : "mms";
const F = FLAVORS[flavor];
const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const say = (text) => process.stdout.write(`${text}\n`);

// --- signals first, like a JVM: they work from the first instant --------------------------------------------------
const sigintInheritedIgnored = (() => {
  try {
    const line = readFileSync("/proc/self/status", "utf8").match(/^SigIgn:\s*([0-9a-f]+)/m);
    return line !== null && (BigInt(`0x${line[1]}`) & 2n) !== 0n;
  } catch {
    return false;
  }
})();
const workers = new Map(); // model name -> [{ child, ready }]
let stopping = false;

async function exitLikeJvm(code, signal) {
  if (knob("IGNORE_SIGTERM", "") === "1") {
    // Recorded so a test can wait for the signal to have arrived instead of sleeping and hoping it did; a record
    // file already removed by a test's cleanup must not turn the ignored signal into a crash.
    try {
      record("signal", { signal, ignored: true });
    } catch {
      // ignored like the signal
    }
    return;
  }
  if (stopping) return;
  stopping = true;
  await sleep(numberKnob("STOP_DELAY_MS", 0));
  if (flavor === "torchserve") {
    // TorchServe's shutdown hook stops the workers; MMS has none and its workers notice the server is gone.
    for (const list of workers.values()) for (const w of list) w.child.kill("SIGTERM");
  }
  process.exit(code);
}
process.on("SIGTERM", () => void exitLikeJvm(143, "SIGTERM"));
process.on("SIGHUP", () => void exitLikeJvm(129, "SIGHUP"));
if (!sigintInheritedIgnored) process.on("SIGINT", () => void exitLikeJvm(130, "SIGINT"));
// A listener also keeps node's defaults (SIGUSR1: the inspector, SIGUSR2: exit) away, so forwarding is observable.
for (const name of ["SIGUSR1", "SIGUSR2"]) process.on(name, () => say(`received ${name}`));
process.on("SIGQUIT", () => {
  say(
    `Full thread dump OpenJDK 64-Bit Server VM (17.0.13+11-Debian-2 mixed mode, sharing):\n\n"main" #1 prio=5 os_prio=0 tid=0x1 nid=0x1 waiting on condition\n   java.lang.Thread.State: WAITING (parking)`,
  );
});

// --- the java command line ---------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const jvmProps = {};
for (const arg of argv.slice(0, argv.indexOf(F.mainClass))) {
  if (arg.startsWith("-D")) {
    const [key, ...rest] = arg.slice(2).split("=");
    jvmProps[key] = rest.join("=");
  }
}
const cli = { models: [] };
{
  const rest = argv.slice(argv.indexOf(F.mainClass) + 1);
  const single = {
    "-f": "config",
    "--mms-config-file": "config",
    "--python": "python",
    "-e": "python",
    "-s": "store",
  };
  if (flavor === "torchserve")
    Object.assign(single, { "-w": "workflowStore", "-clog": "cppLog", "--ts-config-file": "config" });
  const flags =
    flavor === "torchserve"
      ? { "-ncs": "ncs", "--disable-token-auth": "disableTokenAuth", "--enable-model-api": "enableModelApi" }
      : {};
  for (let i = 0; i < rest.length; i += 1) {
    const token = rest[i];
    if (single[token] !== undefined) cli[single[token]] = rest[++i];
    else if (flags[token] !== undefined) cli[flags[token]] = true;
    else if (token === "-m" || token === "--models") {
      while (i + 1 < rest.length && !rest[i + 1].startsWith("-")) cli.models.push(rest[++i]);
    } else {
      say(
        `Unrecognized option: ${token}\nusage: model-server.sh [options] [-f <config-file>] [-m <models>] [-s <model-store>]`,
      );
      process.exit(1);
    }
  }
}

// --- ConfigManager ----------------------------------------------------------------------------------------------
function loadConfig() {
  const file =
    process.env[F.configEnv] ||
    cli.config ||
    (existsSync("config.properties") ? "config.properties" : undefined);
  const text = file !== undefined && existsSync(file) ? readFileSync(file, "utf8") : "";
  let props;
  try {
    props = substituteEnv(parseJavaProperties(text), process.env);
  } catch (error) {
    say(`Invalid configuration: ${error.message}`);
    process.exit(1);
  }
  if (cli.store !== undefined) props.set("model_store", cli.store);
  if (cli.models.length > 0) props.set("load_models", cli.models.join(","));
  if (cli.disableTokenAuth) props.set("disable_token_authorization", "true");
  if (cli.enableModelApi) props.set("enable_model_api", "true");
  if (props.get("enable_envvars_config") === "true") {
    for (const [name, value] of Object.entries(process.env)) {
      if (!name.startsWith(F.envPrefix) || name === F.configEnv) continue;
      props.set(name.slice(F.envPrefix.length).toLowerCase(), value);
    }
  }
  return { file, text, props };
}

// --- models and workers -----------------------------------------------------------------------------------------
const models = new Map(); // name -> { name, url, startup, minWorkers }
let nextWorkerPort = 9000;

function defaultWorkers(props) {
  const fromKnob = knob("WORKERS", undefined);
  if (fromKnob !== undefined) return Number(fromKnob);
  const configured = Number(props.get("default_workers_per_model") ?? "0");
  return configured > 0 ? configured : 1;
}

function startWorkers(name, count) {
  const list = [];
  const readyDelay = numberKnob("WORKER_READY_DELAY_MS", 0);
  for (let i = 0; i < count; i += 1) {
    const port = nextWorkerPort++;
    const child = spawn(
      process.execPath,
      [
        WORKER,
        `${jvmProps.model_server_home ?? "."}/${F.workerScript}`,
        "--sock-type",
        "tcp",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--model-name",
        name,
      ],
      { argv0: "python3", stdio: "inherit" },
    );
    const worker = { child, ready: false, port };
    setTimeout(() => (worker.ready = true), readyDelay).unref();
    child.on("exit", () => (worker.ready = false));
    list.push(worker);
  }
  workers.set(name, list);
}

function stopWorkers(name) {
  for (const w of workers.get(name) ?? []) w.child.kill("SIGKILL");
  workers.delete(name);
}

function readyWorkers(name) {
  return (workers.get(name) ?? []).filter((w) => w.ready && w.child.exitCode === null).length;
}

function pingStatus() {
  const forced = knob("PING_STATUS", undefined);
  if (forced !== undefined) return forced;
  if (models.size === 0) return "Healthy";
  let healthy = 0;
  for (const model of models.values())
    if (readyWorkers(model.name) >= Math.max(1, model.minWorkers)) healthy += 1;
  if (healthy === models.size) return "Healthy";
  return healthy === 0 ? "Unhealthy" : "Partial Healthy";
}

function resolveInStore(store, url) {
  return store === undefined ? resolve(url) : join(store, url);
}

async function registerStartupModels(props) {
  const store = props.get("model_store");
  const load = props.get("load_models");
  if (!load) return;
  const entries = [];
  if (load === "ALL") {
    if (store !== undefined && existsSync(store)) {
      for (const name of readdirSync(store)) {
        if (name.startsWith(".")) continue;
        const full = join(store, name);
        if (statSync(full).isDirectory() || name.endsWith(".mar") || name.endsWith(".model"))
          entries.push({ name: name.replace(/\.(mar|model)$/, ""), url: name });
      }
    }
  } else {
    for (const item of load.split(",")) {
      const eq = item.indexOf("=");
      const url = eq >= 0 ? item.slice(eq + 1) : item;
      entries.push({ name: eq >= 0 ? item.slice(0, eq) : basename(url).replace(/\.(mar|model)$/, ""), url });
    }
  }
  for (const entry of entries) {
    await sleep(numberKnob("MODEL_LOAD_DELAY_MS", 0));
    const path = isAbsolute(entry.url) && store === undefined ? entry.url : resolveInStore(store, entry.url);
    if (!existsSync(path)) {
      say(
        `${new Date().toISOString()} [WARN ] main com.amazonaws.ml.mms.ModelServer - Failed to load model: ${entry.url}`,
      );
      continue;
    }
    const count = defaultWorkers(props);
    models.set(entry.name, { name: entry.name, url: entry.url, startup: true, minWorkers: count });
    startWorkers(entry.name, count);
  }
}

// --- HTTP -------------------------------------------------------------------------------------------------------
function send(res, status, body) {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    "content-type": "application/json",
    "x-request-id": randomUUID(),
    "cache-control": "no-cache, no-store, must-revalidate",
    pragma: "no-cache",
    ...(status >= 400 ? { connection: "close" } : {}),
  });
  res.end(text);
}

function errorBody(code, type, message) {
  return { code, type, message };
}

function readBody(req) {
  return new Promise((done, failed) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => done(Buffer.concat(chunks)));
    req.on("error", failed);
  });
}

function makeHandler(props, { inference, management }) {
  const token =
    props.get("disable_token_authorization") === "true" || flavor === "mms" ? undefined : randomUUID();
  if (token !== undefined) {
    writeFileSync(
      "key_file.json",
      JSON.stringify({ management: { key: token }, inference: { key: token } }, null, 2),
    );
  }
  const modelApi = flavor === "mms" || props.get("enable_model_api") === "true";
  const store = props.get("model_store");

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const body = await readBody(req);
    record("request", { method: req.method, path: url.pathname });
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      return send(
        res,
        400,
        errorBody(
          400,
          "InvalidKeyException",
          "Token Authorization failed. Token either incorrect, expired, or not provided correctly",
        ),
      );
    }
    const notFound = () =>
      send(
        res,
        404,
        errorBody(
          404,
          "ResourceNotFoundException",
          "Requested resource is not found, please refer to API document.",
        ),
      );
    const badMethod = () =>
      send(
        res,
        405,
        errorBody(
          405,
          "MethodNotAllowedException",
          "Requested method is not allowed, please refer to API document.",
        ),
      );

    if (inference && parts.length === 1 && parts[0] === "ping") {
      if (req.method !== "GET" && req.method !== "POST") return badMethod();
      const status = pingStatus();
      return send(res, flavor === "torchserve" && status !== "Healthy" ? 500 : 200, { status });
    }
    const invoke = (name) => {
      const model = models.get(name);
      if (!model) return send(res, 404, errorBody(404, "ModelNotFoundException", `Model not found: ${name}`));
      if (readyWorkers(name) === 0) {
        return send(
          res,
          503,
          errorBody(
            503,
            "ServiceUnavailableException",
            `No worker is available to serve request for model: ${name}. Consider increasing job queue size.`,
          ),
        );
      }
      return send(res, 200, {
        model: name,
        contentType: req.headers["content-type"] ?? null,
        body: body.toString("utf8"),
      });
    };
    if (inference && req.method === "POST" && parts.length === 1 && parts[0] === "invocations") {
      const name = url.searchParams.get("model_name");
      if (name !== null) return invoke(name);
      const startup = [...models.values()].filter((m) => m.startup);
      if (startup.length !== 1)
        return send(res, 400, errorBody(400, "BadRequestException", "Parameter model_name is required."));
      return invoke(startup[0].name);
    }
    if (inference && req.method === "POST" && parts.length === 2 && parts[0] === "predictions")
      return invoke(parts[1]);
    if (
      inference &&
      req.method === "POST" &&
      parts.length === 3 &&
      parts[0] === "models" &&
      parts[2] === "invoke"
    )
      return invoke(parts[1]);

    if (!management || parts[0] !== "models" || parts.length > 2) return notFound();
    if (parts.length === 1 && req.method === "GET") {
      const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? "100") || 100));
      const start = Number(url.searchParams.get("next_page_token") ?? "0") || 0;
      const sorted = [...models.values()].sort((a, b) => a.name.localeCompare(b.name));
      const page = sorted.slice(start, start + limit).map((m) => ({ modelName: m.name, modelUrl: m.url }));
      return send(res, 200, {
        ...(start + limit < sorted.length ? { nextPageToken: String(start + limit) } : {}),
        models: page,
      });
    }
    if (parts.length === 1 && req.method === "POST") {
      if (!modelApi) return badMethod();
      let params = Object.fromEntries(url.searchParams);
      if ((req.headers["content-type"] ?? "").startsWith("application/json") && body.length > 0) {
        try {
          params = { ...params, ...JSON.parse(body.toString("utf8")) };
        } catch {
          return send(res, 400, errorBody(400, "BadRequestException", "Invalid JSON body."));
        }
      }
      if (!params.url)
        return send(res, 400, errorBody(400, "BadRequestException", "Parameter url is required."));
      const name = params.model_name ?? basename(params.url).replace(/\.(mar|model)$/, "");
      if (params.url.split("/").includes(".."))
        return send(
          res,
          404,
          errorBody(404, "ModelNotFoundException", `Relative path is not allowed in url: ${params.url}`),
        );
      if (models.has(name))
        return send(
          res,
          409,
          errorBody(409, "ConflictStatusException", `Model ${name} is already registered.`),
        );
      if (!/^https?:\/\//.test(params.url) && !existsSync(resolveInStore(store, params.url))) {
        return send(
          res,
          404,
          errorBody(404, "ModelNotFoundException", `Model not found in model store: ${params.url}`),
        );
      }
      const initial =
        params.initial_workers !== undefined
          ? Number(params.initial_workers)
          : Number(props.get("default_workers_per_model") ?? "0");
      models.set(name, { name, url: params.url, startup: false, minWorkers: initial });
      if (name === knob("OOM_MODEL", "\0")) {
        return send(res, 507, errorBody(507, "InternalServerException", "Failed to start workers"));
      }
      if (initial <= 0) return send(res, 200, { status: `Model "${name}" registered` });
      startWorkers(name, initial);
      return send(res, 200, { status: "Workers scaled" });
    }
    if (parts.length === 2 && req.method === "GET") {
      const model = models.get(parts[1]);
      if (!model)
        return send(res, 404, errorBody(404, "ModelNotFoundException", `Model not found: ${parts[1]}`));
      const described = {
        modelName: model.name,
        modelVersion: "1.0",
        modelUrl: model.url,
        minWorkers: model.minWorkers,
        maxWorkers: model.minWorkers,
        batchSize: 1,
        maxBatchDelay: 100,
        loadedAtStartup: model.startup,
        workers: (workers.get(model.name) ?? []).map((w, i) => ({
          id: String(9000 + i),
          status: w.ready ? "READY" : "UNLOADING",
          gpu: false,
        })),
      };
      return send(res, 200, flavor === "torchserve" ? [described] : described);
    }
    if (parts.length === 2 && req.method === "DELETE") {
      if (!modelApi) return badMethod();
      if (!models.has(parts[1]))
        return send(res, 404, errorBody(404, "ModelNotFoundException", `Model not found: ${parts[1]}`));
      stopWorkers(parts[1]);
      models.delete(parts[1]);
      return send(res, 200, { status: `Model "${parts[1]}" unregistered` });
    }
    return badMethod();
  };
}

function listen(address, handler) {
  return new Promise((done, failed) => {
    const server = createServer((req, res) => {
      handler(req, res).catch((error) =>
        send(res, 500, errorBody(500, "InternalServerException", String(error))),
      );
    });
    server.once("error", failed);
    const target = address.scheme === "unix" ? [address.path] : [address.port, address.host];
    server.listen(...target, () => done(server));
  });
}

function addressText(address) {
  return address.scheme === "unix"
    ? `unix:${address.path}`
    : `${address.scheme}://${address.host}:${address.port}`;
}

async function main() {
  await sleep(numberKnob("STARTUP_DELAY_MS", 1500));
  const { file, text, props } = loadConfig();
  record("server", {
    flavor,
    argv,
    jvmProps,
    configFile: file ?? null,
    configText: text,
    properties: Object.fromEntries(props),
  });
  if (process.env.FAKE_MMS_SECONDARY === "1") return void setInterval(() => {}, 1 << 30); // a second "server" for the multiple-servers case: exists, serves nothing
  let inference;
  let management;
  try {
    inference = parseAddress(props.get("inference_address") ?? "http://127.0.0.1:8080", {
      defaultPort: 80,
      flavor,
    });
    management = parseAddress(props.get("management_address") ?? "http://127.0.0.1:8081", {
      defaultPort: 8081,
      flavor,
    });
  } catch (error) {
    say(`Invalid configuration: ${error.message}`);
    process.exit(1);
  }
  say(
    `${new Date().toISOString()} [INFO ] main ${F.mainClass.replace(/\.ModelServer$/, "")}.ModelServer - Initialize Inference server with: ${addressText(inference)}`,
  );
  await registerStartupModels(props);
  const same = addressText(inference) === addressText(management);
  try {
    await listen(inference, makeHandler(props, { inference: true, management: same }));
  } catch {
    bindFailure(inference);
  }
  if (!same) {
    try {
      await listen(management, makeHandler(props, { inference: false, management: true }));
    } catch {
      bindFailure(management);
    }
  }
  say("Model server started.");
  record("listening", { inference: addressText(inference), management: addressText(management) });
  const crashAfter = numberKnob("CRASH_AFTER_MS", undefined);
  if (crashAfter !== undefined) {
    setTimeout(() => {
      say("java.lang.OutOfMemoryError: Java heap space (fake crash)");
      record("crash", {});
      process.exit(numberKnob("CRASH_EXIT_CODE", 1));
    }, crashAfter);
  }
  const zombies = numberKnob("ORPHAN_CHILDREN", 0);
  for (let i = 0; i < zombies; i += 1) spawn("/bin/sh", ["-c", "sleep 0.2 & exit 0"], { stdio: "ignore" });
}

function bindFailure(address) {
  say(
    `java.io.IOException: Failed to bind to address: ${addressText(address)}\n` +
      `\tat ${F.mainClass.replace(/ModelServer$/, "")}ModelServer.initializeServer(ModelServer.java:258)\n` +
      `\tat ${F.mainClass.replace(/ModelServer$/, "")}ModelServer.start(ModelServer.java:232)\n` +
      `\tat ${F.mainClass}.startAndWait(ModelServer.java:120)\n` +
      `\tat ${F.mainClass}.main(ModelServer.java:103)`,
  );
  process.exit(1);
}

main().catch((error) => {
  say(`Exception in thread "main" ${error.stack ?? error}`);
  process.exit(1);
});
