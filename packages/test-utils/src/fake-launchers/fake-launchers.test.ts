import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { useTempDir } from "../temp-dir.ts";
import { waitFor } from "../wait-for.ts";
import {
  FAKE_MAIN_CLASS,
  findProcesses,
  freePort,
  installFakeLaunchers,
  type FakeLaunchers,
} from "./fake-launchers.ts";

const SERVER = fileURLToPath(new URL("./server.mjs", import.meta.url));
// Waits that include starting the launcher and server node processes: generous for a loaded CI machine.
const STARTUP_MS = 30_000;
const started: ChildProcess[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  for (const dir of tempDirs.splice(0)) {
    // Kill on every pass: a launcher killed mid-spawn can still leave a child that appears a moment later.
    // Zombies are left to whoever reaps them (PID 1 here reaps orphans late): they run nothing.
    await waitFor(
      async () => {
        const live = (await findProcesses(dir)).filter((proc) => proc.state !== "Z");
        for (const proc of live) {
          try {
            process.kill(proc.pid, "SIGKILL");
          } catch {
            // gone
          }
        }
        return live.length === 0;
      },
      { description: "no fake process left", timeoutMs: 15_000, intervalMs: 50 },
    );
  }
  started.splice(0);
});

interface Setup {
  dir: string;
  fakes: FakeLaunchers;
  port: number;
  config: string;
  logConfig: string;
  modelDir: string;
  env: Record<string, string>;
}

async function setup(configLines: string[] = [], knobs = {}): Promise<Setup> {
  const dir = await useTempDir();
  tempDirs.push(dir);
  const fakes = await installFakeLaunchers({ dir });
  const port = await freePort();
  const config = join(dir, "server.properties");
  await writeFile(
    config,
    [
      "enable_envvars_config=true",
      "load_models=ALL",
      `inference_address=http://127.0.0.1:${port}`,
      `management_address=http://127.0.0.1:${port}`,
      ...configLines,
      "",
    ].join("\n"),
  );
  const logConfig = join(dir, "log4j2.xml");
  await writeFile(logConfig, "<Configuration/>\n");
  const modelDir = join(dir, "model");
  await mkdir(modelDir);
  return { dir, fakes, port, config, logConfig, modelDir, env: { TMPDIR: dir, ...fakes.env(knobs) } };
}

function run(command: string, args: string[], env: Record<string, string>, cwd: string, detached = false) {
  const child = spawn(command, args, { env, cwd, detached, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on("exit", (code, signal) => done({ code, signal })),
  );
  return { child, exit, output: () => output };
}

function mmsArgs(s: Setup, extra: string[] = []): string[] {
  return [
    "--start",
    "--model-store",
    "/",
    "--mms-config",
    s.config,
    "--log-config",
    s.logConfig,
    "--models",
    `model=${s.modelDir}`,
    ...extra,
  ];
}

async function ping(port: number): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/ping`);
  return { status: response.status, body: await response.text() };
}

describe("fake multi-model-server launcher", () => {
  it("daemonises: exits 0, leaves the server orphaned with its pid in the pid file", async () => {
    const s = await setup([], { WORKERS: 2 });
    const launcher = run(join(s.fakes.binDir, "multi-model-server"), mmsArgs(s), s.env, s.dir);
    expect((await launcher.exit).code).toBe(0);
    const server = await waitFor(async () => (await s.fakes.records()).find((r) => r.role === "server"), {
      timeoutMs: STARTUP_MS,
    });
    const pidText = await readFile(join(s.dir, ".model_server.pid"), "utf8");
    expect(pidText).toBe(String(server.pid));
    expect(server.ppid).not.toBe(launcher.child.pid);
    const main = server.cmdline.indexOf(FAKE_MAIN_CLASS.mms);
    expect(server.cmdline[0]).toBe("java");
    expect(server.cmdline.slice(main + 1)).toEqual([
      "--python",
      "/usr/bin/python3",
      "-f",
      s.config,
      "-s",
      "/",
      "-m",
      `model=${s.modelDir}`,
    ]);
    expect(server.cmdline).toContain(`-Dlog4j.configurationFile=file://${s.logConfig}`);
    await waitFor(async () => (await ping(s.port)).status === 200, { timeoutMs: STARTUP_MS });
    expect(JSON.parse((await ping(s.port)).body)).toEqual({ status: "Healthy" });
    const workers = await waitFor(
      async () => {
        const found = (await s.fakes.records()).filter((r) => r.role === "worker");
        return found.length === 2 ? found : undefined;
      },
      { timeoutMs: STARTUP_MS },
    );
    for (const worker of workers) {
      expect(worker.ppid).toBe(server.pid);
      expect(worker.cmdline).not.toContain(FAKE_MAIN_CLASS.mms);
      expect(worker.cmdline.some((arg) => arg.endsWith("mms/model_service_worker.py"))).toBe(true);
    }
    process.kill(server.pid, "SIGKILL");
    await waitFor(async () => (await findProcesses(s.dir)).filter((p) => p.state !== "Z").length === 0, {
      description: "workers exit once the server is gone",
    });
  });

  it("with --foreground stays the server's parent and dies alone on SIGTERM", async () => {
    const s = await setup();
    const launcher = run(
      join(s.fakes.binDir, "multi-model-server"),
      mmsArgs(s, ["--foreground"]),
      s.env,
      s.dir,
    );
    const server = await waitFor(async () => (await s.fakes.records()).find((r) => r.role === "server"), {
      timeoutMs: STARTUP_MS,
    });
    expect(server.ppid).toBe(launcher.child.pid);
    launcher.child.kill("SIGTERM");
    expect(await launcher.exit).toEqual({ code: null, signal: "SIGTERM" });
    expect((await findProcesses(s.dir)).map((p) => p.pid)).toContain(server.pid);
  });

  it("exits 0 whatever the server's code was, in the foreground", async () => {
    const s = await setup([], { CRASH_AFTER_MS: 50, CRASH_EXIT_CODE: 3 });
    const launcher = run(
      join(s.fakes.binDir, "multi-model-server"),
      mmsArgs(s, ["--foreground"]),
      s.env,
      s.dir,
    );
    expect((await launcher.exit).code).toBe(0);
    expect(launcher.output()).toContain("Model server started.");
  });

  it("refuses to start while the pid file names any live process, and removes an orphan pid file", async () => {
    const s = await setup();
    await writeFile(join(s.dir, ".model_server.pid"), String(process.pid));
    const refused = run(join(s.fakes.binDir, "multi-model-server"), mmsArgs(s), s.env, s.dir);
    expect((await refused.exit).code).toBe(1);
    expect(refused.output()).toContain(
      "Model server is already running, please use multi-model-server --stop to stop MMS.",
    );
    await writeFile(join(s.dir, ".model_server.pid"), "999999999");
    const ok = run(join(s.fakes.binDir, "multi-model-server"), mmsArgs(s), s.env, s.dir);
    expect((await ok.exit).code).toBe(0);
    expect(ok.output()).toContain("Removing orphan pid file.");
  });

  it("reports argparse and file errors like the Python launcher", async () => {
    const s = await setup();
    const both = run(join(s.fakes.binDir, "multi-model-server"), ["--start", "--stop"], s.env, s.dir);
    expect((await both.exit).code).toBe(2);
    expect(both.output()).toContain("error: argument --stop: not allowed with argument --start");
    const missing = run(
      join(s.fakes.binDir, "multi-model-server"),
      ["--start", "--log-config", join(s.dir, "nope.xml")],
      s.env,
      s.dir,
    );
    expect((await missing.exit).code).toBe(1);
    expect(missing.output()).toContain(`--log-config file not found: ${join(s.dir, "nope.xml")}`);
  });

  it("prints the bind failure and exits 1 when the port is taken", async () => {
    const s = await setup();
    const blocker = createServer().listen(s.port, "127.0.0.1");
    await once(blocker, "listening");
    try {
      const launcher = run(
        join(s.fakes.binDir, "multi-model-server"),
        mmsArgs(s, ["--foreground"]),
        s.env,
        s.dir,
      );
      await launcher.exit;
      await waitFor(() => launcher.output().includes("Failed to bind to address"));
      expect(launcher.output()).toContain(
        `java.io.IOException: Failed to bind to address: http://127.0.0.1:${s.port}`,
      );
    } finally {
      blocker.close();
    }
  });

  it("answers 200 with Unhealthy until the workers are ready", async () => {
    const s = await setup([], { WORKER_READY_DELAY_MS: 60_000 });
    run(join(s.fakes.binDir, "multi-model-server"), mmsArgs(s, ["--foreground"]), s.env, s.dir);
    await waitFor(async () => (await ping(s.port)).status === 200, { timeoutMs: STARTUP_MS });
    expect(JSON.parse((await ping(s.port)).body)).toEqual({ status: "Unhealthy" });
  });
});

describe("fake launcher --stop and the MME API", () => {
  it("--stop kills the daemonised server tree and removes the pid file", async () => {
    const s = await setup([], { WORKERS: 2 });
    const launcher = run(join(s.fakes.binDir, "multi-model-server"), mmsArgs(s), s.env, s.dir);
    expect((await launcher.exit).code).toBe(0);
    await waitFor(async () => (await s.fakes.records()).filter((r) => r.role === "worker").length === 2, {
      timeoutMs: STARTUP_MS,
    });
    const stop = run(join(s.fakes.binDir, "multi-model-server"), ["--stop"], s.env, s.dir);
    expect((await stop.exit).code).toBe(0);
    expect(stop.output()).toBe("Model server stopped.\n");
    await expect(readFile(join(s.dir, ".model_server.pid"), "utf8")).rejects.toThrow();
    await waitFor(async () => (await findProcesses(s.dir)).filter((p) => p.state !== "Z").length === 0);
    const again = run(join(s.fakes.binDir, "multi-model-server"), ["--stop"], s.env, s.dir);
    expect((await again.exit).code).toBe(0);
    expect(again.output()).toBe("Model server is not currently running.\n");
  });

  it("answers the multi-model API with MMS's statuses and shapes", async () => {
    const s = await setup(["model_store=/", "default_workers_per_model=1"], { OOM_MODEL: "huge" });
    await writeFile(s.config, (await readFile(s.config, "utf8")).replace("load_models=ALL\n", ""));
    run(
      join(s.fakes.binDir, "multi-model-server"),
      ["--start", "--mms-config", s.config, "--foreground"],
      s.env,
      s.dir,
    );
    await waitFor(async () => (await ping(s.port).catch(() => ({ status: 0 }))).status === 200, {
      timeoutMs: STARTUP_MS,
    });
    const api = async (method: string, path: string, body?: object) => {
      const response = await fetch(`http://127.0.0.1:${s.port}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await api("GET", "/models")).toEqual({ status: 200, body: { models: [] } });
    expect(await api("POST", "/models", { model_name: "m1", url: s.modelDir })).toEqual({
      status: 200,
      body: { status: "Workers scaled" },
    });
    expect((await api("POST", "/models", { model_name: "m1", url: s.modelDir })).status).toBe(409);
    expect((await api("POST", "/models", { model_name: "m2", url: join(s.dir, "nope") })).status).toBe(404);
    expect((await api("POST", "/models", { model_name: "huge", url: s.modelDir })).status).toBe(507);
    expect((await api("GET", "/models?limit=1")).body).toEqual({
      nextPageToken: "1",
      models: [{ modelName: "huge", modelUrl: s.modelDir }],
    });
    await waitFor(async () => (await api("POST", "/models/m1/invoke", { x: 1 })).status === 200);
    expect((await api("POST", "/models/zzz/invoke", {})).status).toBe(404);
    expect(await api("DELETE", "/models/m1")).toEqual({
      status: 200,
      body: { status: 'Model "m1" unregistered' },
    });
    expect((await api("DELETE", "/models/m1")).status).toBe(404);
  });
});

describe("fake server (the JVM)", () => {
  function startServer(s: Setup, env: Record<string, string> = {}) {
    return run(
      process.execPath,
      [SERVER, "-cp", ".", FAKE_MAIN_CLASS.mms, "--python", "python3", "-f", s.config, "-s", s.dir],
      { ...s.env, ...env },
      s.dir,
    );
  }

  it.each([
    ["SIGTERM", 143],
    ["SIGHUP", 129],
    ["SIGINT", 130],
  ] as const)("exits like a JVM on %s (%i)", async (signal, code) => {
    const s = await setup();
    const server = startServer(s);
    await waitFor(() => server.output().includes("Model server started."), {
      description: "started",
      timeoutMs: STARTUP_MS,
    }).catch((e) => {
      throw new Error(`${e.message}: ${server.output()} ${server.child.exitCode}`);
    });
    server.child.kill(signal);
    expect((await server.exit).code).toBe(code);
  });

  it("prints a thread dump on SIGQUIT and keeps running; ignores SIGTERM when told to", async () => {
    const s = await setup([], { IGNORE_SIGTERM: "1" });
    const server = startServer(s);
    await waitFor(() => server.output().includes("Model server started."), { timeoutMs: STARTUP_MS });
    server.child.kill("SIGQUIT");
    await waitFor(() => server.output().includes("Full thread dump"));
    server.child.kill("SIGTERM");
    await waitFor(
      async () => (await s.fakes.records()).some((r) => r.role === "signal" && r.signal === "SIGTERM"),
      { description: "the server received SIGTERM" },
    );
    expect((await ping(s.port)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });

  it("parses the config like java.util.Properties and substitutes $$VAR$$", async () => {
    const s = await setup([
      "default_service_handler = $$MY_HANDLER$$",
      "job_queue_size : 7",
      "! a bang comment",
      "vmargs=-Xmx1g \\",
      "    -Xms1g",
    ]);
    const server = startServer(s, { MY_HANDLER: "pkg.handler:handle", MMS_JOB_QUEUE_SIZE: "9" });
    await waitFor(() => server.output().includes("Model server started."), { timeoutMs: STARTUP_MS });
    const record = (await s.fakes.records()).find((r) => r.role === "server")!;
    expect(record.properties).toMatchObject({
      default_service_handler: "pkg.handler:handle",
      job_queue_size: "9",
      vmargs: "-Xmx1g -Xms1g",
      model_store: s.dir,
    });
    expect(Object.keys(record.properties!)).not.toContain("!");
  });

  it("fails with MMS's message when a $$VAR$$ is unset", async () => {
    const s = await setup(["default_service_handler=$$SAGEMAKER_HANDLER$$"]);
    const server = startServer(s);
    expect((await server.exit).code).toBe(1);
    expect(server.output()).toContain(
      "Invalid configuration: Invalid Environment Variable SAGEMAKER_HANDLER",
    );
  });
});

describe("fake torchserve", () => {
  it("requires --model-store, answers 500 Unhealthy and needs a token unless disabled", async () => {
    const s = await setup([], { WORKER_READY_DELAY_MS: 60_000 });
    const bin = join(s.fakes.binDir, "torchserve");
    const noStore = run(bin, ["--start", "--ts-config", s.config], s.env, s.dir);
    expect((await noStore.exit).code).toBe(1);
    expect(noStore.output()).toContain("Missing mandatory parameter --model-store");

    const ts = run(
      bin,
      [
        "--start",
        "--model-store",
        "/",
        "--ts-config",
        s.config,
        "--models",
        `model=${s.modelDir}`,
        "--foreground",
      ],
      s.env,
      s.dir,
    );
    await waitFor(async () => (await ping(s.port).catch(() => ({ status: 0 }))).status !== 0, {
      timeoutMs: STARTUP_MS,
    });
    expect(await ping(s.port)).toMatchObject({ status: 400 });
    const key = JSON.parse(await readFile(join(s.dir, "key_file.json"), "utf8")).inference.key;
    const response = await fetch(`http://127.0.0.1:${s.port}/ping`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ status: "Unhealthy" });
    const server = (await s.fakes.records()).find((r) => r.role === "server")!;
    expect(server.cmdline).toContain(FAKE_MAIN_CLASS.torchserve);
    ts.child.kill("SIGTERM");
    await ts.exit;
  });
});
