/* global process, console, setTimeout, URL, performance */
// pnpm --filter @sagemaker-serve/process-lifecycle bench
// Medians over 20 runs of (1) fake server prints its ready line → `ready` resolves and (2) `stop()` on a
// server that exits promptly on SIGTERM → `exited` resolves. Baseline: a plain supervisor that, like the
// toolkit's retry loop, looks once a second (probe /ping; after SIGTERM, check liveness). Not part of the test run.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { get } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleSource } from "../test/fixtures/bundle-source.mjs";

const RUNS = 20;
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const FAKE_SERVER = here("../test/fixtures/fake-server.mjs");
const now = () => performance.timeOrigin + performance.now();

const dir = await mkdtemp(join(tmpdir(), "process-lifecycle-bench-"));
const bundle = join(dir, "lib.mjs");
await bundleSource(bundle);
const { startServer, liveGroupMembers } = await import(pathToFileURL(bundle).href);

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function serverArgs(port, mainClass) {
  return [
    FAKE_SERVER,
    "launcher",
    "--mode",
    "foreground",
    "--",
    "--main-class",
    mainClass,
    "--port",
    String(port),
    "--ready-after",
    "300",
  ];
}
const isHealthy = (status, body) => status === 200 && JSON.parse(body).status === "Healthy";
const readyLine = (line) => /^Model server started\. at=([\d.]+)/.exec(line)?.[1];

async function ours() {
  const port = await freePort();
  const mainClass = `com.example.bench.ModelServer${Math.random().toString(16).slice(2)}`;
  let printedAt;
  const handle = startServer({
    command: process.execPath,
    args: serverArgs(port, mainClass),
    env: { PATH: process.env.PATH },
    mainClass,
    readiness: { url: `http://127.0.0.1:${port}/ping`, isHealthy },
    startupTimeoutMs: 30_000,
    stopGraceMs: 10_000,
    output: {
      onLine: (line) => {
        if (readyLine(line)) printedAt = Number(readyLine(line));
      },
    },
  });
  await handle.ready;
  const readyAt = now();
  while (printedAt === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
  const stopAt = now();
  const exit = await handle.stop();
  if (exit.kind !== "stopped") throw new Error(`unexpected exit ${JSON.stringify(exit)}`);
  return { ready: readyAt - printedAt, stop: now() - stopAt };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function probe(url) {
  return new Promise((resolve) => {
    const req = get(url, { timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(isHealthy(res.statusCode, body)));
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}
async function groupAlive(pgid) {
  return (await liveGroupMembers(pgid)).length > 0;
}

async function baseline() {
  const port = await freePort();
  const mainClass = `com.example.bench.ModelServer${Math.random().toString(16).slice(2)}`;
  const child = spawn(process.execPath, serverArgs(port, mainClass), {
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let printedAt;
  child.stdout.on("data", (chunk) => {
    for (const line of chunk.toString().split("\n")) if (readyLine(line)) printedAt = Number(readyLine(line));
  });
  while (!(await probe(`http://127.0.0.1:${port}/ping`))) await sleep(1000);
  const readyAt = now();
  while (printedAt === undefined) await sleep(1);
  const stopAt = now();
  process.kill(-child.pid, "SIGTERM");
  // A once-a-second poller's tick falls anywhere in the second after the SIGTERM.
  await sleep(Math.random() * 1000);
  while (await groupAlive(child.pid)) await sleep(1000);
  return { ready: readyAt - printedAt, stop: now() - stopAt };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const results = {};
for (const [label, run] of [
  ["process-lifecycle (defaults)", ours],
  ["baseline: 1 s polling", baseline],
]) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await run());
  results[label] = { ready: median(samples.map((s) => s.ready)), stop: median(samples.map((s) => s.stop)) };
}
await rm(dir, { recursive: true, force: true });

const mine = results["process-lifecycle (defaults)"];
const base = results["baseline: 1 s polling"];
console.log(`medians over ${RUNS} runs (ms)`);
for (const [label, r] of Object.entries(results)) {
  console.log(
    `${label.padEnd(30)} ready line → ready: ${r.ready.toFixed(1).padStart(7)}   stop() → exited: ${r.stop.toFixed(1).padStart(7)}`,
  );
}
console.log(
  `ratio (baseline / ours): ready ${(base.ready / mine.ready).toFixed(1)}x, stop ${(base.stop / mine.stop).toFixed(1)}x`,
);
console.log(
  `goal < 300 ms: ready ${mine.ready < 300 ? "met" : "MISSED"}, stop ${mine.stop < 300 ? "met" : "MISSED"}`,
);
