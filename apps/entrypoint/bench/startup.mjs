// Start-up, discovery, readiness, memory and stop of `sagemaker-serve serve` against the fake MMS launcher,
// compared in the same run with a bare `node -e ""`. Run: pnpm --filter @sagemaker-serve/entrypoint bench
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import console from "node:console";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { URL, fileURLToPath } from "node:url";
import { freePort } from "./free-port.mjs";

const BUNDLE = fileURLToPath(new URL("../dist/sagemaker-serve.js", import.meta.url));
const FAKE_MMS = fileURLToPath(
  new URL("../../../packages/test-utils/src/fake-launchers/bin/multi-model-server", import.meta.url),
);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function bareNode() {
  const started = performance.now();
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return performance.now() - started;
}

/** Pids whose environment names `dir` (every process of one run has TMPDIR=dir), zombies excluded. */
async function processesOf(dir) {
  const found = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, "latin1").catch(() => "");
    if (!environ.includes(dir)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    if (stat !== "" && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z") found.push(Number(name));
  }
  return found;
}

async function serveOnce({ crashAfterMs } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "sagemaker-serve-bench-"));
  await mkdir(join(dir, "bin"));
  await mkdir(join(dir, "ml", "model", "code"), { recursive: true });
  await symlink(FAKE_MMS, join(dir, "bin", "multi-model-server"));
  const port = await freePort();
  const env = {
    PATH: [join(dir, "bin"), dirname(process.execPath), "/usr/bin", "/bin"].join(":"),
    HOME: dir,
    TMPDIR: dir,
    SAGEMAKER_BASE_DIR: join(dir, "ml"),
    SAGEMAKER_BIND_TO_PORT: String(port),
    SAGEMAKER_SERVE_CONFIG_PATH: join(dir, "mms.properties"),
    FAKE_MMS_STARTUP_DELAY_MS: "0",
    FAKE_MMS_RECORD: join(dir, "record.jsonl"),
    ...(crashAfterMs === undefined ? {} : { FAKE_MMS_CRASH_AFTER_MS: String(crashAfterMs) }),
  };
  const marks = {};
  const startedWall = Date.now();
  const started = performance.now();
  const child = spawn(process.execPath, [BUNDLE, "serve"], {
    env,
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let buffer = "";
  const lineTimes = {};
  child.stderr.on("data", (chunk) => {
    const now = performance.now();
    buffer += chunk;
    for (const [key, pattern] of [
      ["spawned", /launcher spawned/],
      ["found", /server process found/],
      ["ready", /ready in \d+ ms/],
    ]) {
      if (marks[key] === undefined && pattern.test(buffer)) {
        marks[key] = now - started;
        lineTimes[key] = Date.parse(
          buffer
            .split("\n")
            .find((line) => pattern.test(line))
            .slice(0, 24),
        );
      }
    }
  });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  while (marks.ready === undefined) {
    if (child.exitCode !== null) throw new Error(`serve exited early:\n${buffer}`);
    await sleep(5);
  }
  const records = (await readFile(env.FAKE_MMS_RECORD, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const server = records.find((r) => r.role === "server");
  const listening = records.find((r) => r.role === "listening");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, "utf8"))[1]);
  if (crashAfterMs !== undefined) {
    const code = await exited;
    const exitedAt = Date.now();
    const crash = (await readFile(env.FAKE_MMS_RECORD, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((r) => r.role === "crash");
    await rm(dir, { recursive: true, force: true });
    return { crashToExitMs: exitedAt - crash.time, code };
  }

  const stopStarted = performance.now();
  child.kill("SIGTERM");
  while ((await processesOf(dir)).length > 0) await sleep(2);
  const stopMs = performance.now() - stopStarted;
  const code = await exited;
  await rm(dir, { recursive: true, force: true });
  return {
    spawnedMs: marks.spawned,
    readyMs: marks.ready,
    // Wall-clock stamps (ms resolution) from the log lines and the fake's records.
    discoveryMs: lineTimes.found - server.timeOrigin,
    readyAfterListenMs: lineTimes.ready - listening.time,
    rssMb: rssKb / 1024,
    stopMs,
    code,
    startedWall,
  };
}

const bare = [];
const serve = [];
const crashes = [];
await bareNode(); // warm the page cache
for (let i = 0; i < RUNS; i += 1) {
  bare.push(await bareNode());
  serve.push(await serveOnce());
  crashes.push(await serveOnce({ crashAfterMs: 200 }));
}
const row = (name, value, goal, unit = "ms") =>
  `${name.padEnd(44)} ${value.toFixed(1).padStart(8)} ${unit}   goal ${goal}`;
const bareMs = median(bare);
const spawned = median(serve.map((r) => r.spawnedMs));
console.log(`sagemaker-serve start-up bench, ${RUNS} runs, medians (fake MMS, no start-up delay)`);
console.log(row('bare `node -e ""` (spawn to exit)', bareMs, "baseline"));
console.log(row("serve start -> launcher spawned", spawned, `<= bare + 30 ms (${(bareMs + 30).toFixed(1)})`));
console.log(row("  over bare node", spawned - bareMs, "<= 30 ms"));
console.log(row("server start -> discovered", median(serve.map((r) => r.discoveryMs)), "<= 100 ms"));
console.log(
  row("server listening -> `ready in` logged", median(serve.map((r) => r.readyAfterListenMs)), "<= 300 ms"),
);
console.log(row("serve start -> `ready in`", median(serve.map((r) => r.readyMs)), "-"));
console.log(row("supervisor RSS while serving", median(serve.map((r) => r.rssMb)), "< 62 MB", "MB"));
console.log(row("SIGTERM -> every process gone", median(serve.map((r) => r.stopMs)), "< 300 ms"));
console.log(row("server crash -> serve exited", median(crashes.map((r) => r.crashToExitMs)), "< 1000 ms"));
console.log(`exit codes after a crash: ${[...new Set(crashes.map((r) => r.code))].join(", ")}`);
console.log(`exit codes after SIGTERM: ${[...new Set(serve.map((r) => r.code))].join(", ")}`);
