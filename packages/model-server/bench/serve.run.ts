import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { it } from "vitest";
import { startModelServer, type ModelServerHandle } from "../src/index.ts";
import { echoConfig, rssKb, waitHealthy, withBaseline } from "./bench-helpers.ts";
import { wrk, type WrkResult } from "./wrk.ts";

// `pnpm --filter @sagemaker-serve/model-server bench`: the echo handler with 2 workers under our server, under
// gunicorn + Flask (AWS's bring-your-own-container way) and in-process behind ThreadingHTTPServer, driven by wrk.
// BENCH_SECONDS sets each run's length (default 5); BENCH_ONLY=builtin skips the baselines.

const run = promisify(execFile);
const BENCH = fileURLToPath(new URL(".", import.meta.url));
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = [1, 8, 64];
const WORKERS = 2;

type Table = Record<string, Record<number, WrkResult>>;

async function measure(name: string, base: string, table: Table): Promise<void> {
  table[name] = {};
  await wrk(`${base}/invocations`, 8, 1, `${BENCH}post.lua`); // warm-up
  for (const c of CONCURRENCY) {
    table[name]![c] = await wrk(`${base}/invocations`, c, DURATION_S, `${BENCH}post.lua`);
    const r = table[name]![c]!;
    console.log(
      `${name.padEnd(22)} c=${String(c).padEnd(3)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${r.requests} requests)`,
    );
  }
}

async function pingWhileSaturated(base: string): Promise<WrkResult> {
  const load = wrk(`${base}/invocations`, 64, DURATION_S + 2, `${BENCH}post.lua`);
  await sleep(1000);
  const ping = await wrk(`${base}/ping`, 1, DURATION_S);
  await load;
  return ping;
}

it("benchmarks the built-in server against gunicorn + Flask and ThreadingHTTPServer", async () => {
  const table: Table = {};
  const config = echoConfig({ workers: WORKERS, queueSize: 1000 });
  const quiet = { info: () => {}, warn: () => {}, error: (m: string) => console.error(m) };

  const nodeStart = Date.now();
  await run(process.execPath, ["-e", ""]);
  const nodeBootMs = Date.now() - nodeStart;
  const coldStart = Date.now();
  let server: ModelServerHandle = await startModelServer(config, {
    logger: quiet,
    env: { PATH: process.env.PATH },
  });
  await waitHealthy(`http://127.0.0.1:${server.port}/ping`);
  const coldMs = Date.now() - coldStart;
  await server.close();

  const pids: number[] = [];
  server = await startModelServer(config, {
    logger: {
      ...quiet,
      info: (m) => void (/ loaded \(pid (\d+)\)/.exec(m) && pids.push(Number(/pid (\d+)/.exec(m)![1]))),
    },
    env: { PATH: process.env.PATH },
  });
  const ours = `http://127.0.0.1:${server.port}`;
  await measure("sagemaker-serve builtin", ours, table);
  const oursPing = await pingWhileSaturated(ours);
  const workersRss = (await Promise.all(pids.map(rssKb))).reduce((a, b) => a + b, 0);
  const frontRss = Math.round(process.memoryUsage().rss / 1024);
  await server.close();

  if (process.env.BENCH_ONLY === "builtin") {
    console.log(`/ping p99 while saturated ${oursPing.p99.toFixed(2)} ms; cold start ${coldMs} ms`);
    return;
  }
  const gPing = await withBaseline("gunicorn", WORKERS, async (base) => {
    await measure("gunicorn + Flask", base, table);
    return pingWhileSaturated(base);
  });
  await withBaseline("threading", WORKERS, (base) => measure("ThreadingHTTPServer", base, table));

  console.log("\nratios (builtin / other): req/s and p99");
  for (const other of ["gunicorn + Flask", "ThreadingHTTPServer"]) {
    for (const c of CONCURRENCY) {
      const a = table["sagemaker-serve builtin"]![c]!;
      const b = table[other]![c]!;
      console.log(
        `  vs ${other.padEnd(20)} c=${String(c).padEnd(3)} throughput x${(a.rps / b.rps).toFixed(2)}  p99 x${(a.p99 / b.p99).toFixed(2)}`,
      );
    }
  }
  console.log(
    `\n/ping while /invocations is saturated (c=64): builtin p50 ${oursPing.p50.toFixed(2)} ms p99 ${oursPing.p99.toFixed(2)} ms; gunicorn + Flask p50 ${gPing.p50.toFixed(2)} ms p99 ${gPing.p99.toFixed(2)} ms`,
  );
  console.log(
    `cold start, startModelServer() to first healthy /ping with one model (${WORKERS} workers): ${coldMs} ms (+ ${nodeBootMs} ms for a bare node process to start)`,
  );
  console.log(
    `RSS: ${WORKERS} Python workers ${Math.round(workersRss / 1024)} MB; Node front end (inside the bench runner) ${Math.round(frontRss / 1024)} MB`,
  );
});
