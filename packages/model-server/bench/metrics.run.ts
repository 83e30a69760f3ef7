import { closeSync, openSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { it } from "vitest";
import { startModelServer, type BuiltinServerConfig, type ModelServerHandle } from "../src/index.ts";
import { echoConfig, waitHealthy } from "./bench-helpers.ts";
import { wrk } from "./wrk.ts";

// `pnpm --filter @sagemaker-serve/model-server bench:metrics`: the cost of metrics + access log. Two servers (echo
// handler, 2 workers each) run side by side in this process, one with metrics and the access log on, one with both
// off; wrk alternates between them at c=1 and c=8 (BENCH_ROUNDS rounds of BENCH_SECONDS each, defaults 5 and 3), and
// the medians are compared: throughput, and the front end's CPU time per request (this process's CPU time over the
// run; the workers are other processes), which a loaded machine disturbs far less than throughput. The access log is
// written with a synchronous write per event-loop turn to /dev/null (stderr is a pipe in a container, which Node
// writes synchronously on Linux), and /metrics is scraped every second.

const BENCH = fileURLToPath(new URL(".", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function config(telemetry: boolean): BuiltinServerConfig {
  return echoConfig({ queueSize: 1000, metricsPort: telemetry ? 0 : null, accessLog: telemetry });
}

it("measures metrics + access log against neither, at c=1 and c=8", async () => {
  const devNull = openSync("/dev/null", "w");
  let accessLogBytes = 0;
  const quiet = { info: () => {}, warn: () => {}, error: (m: string) => console.error(m) };
  const start = (telemetry: boolean) =>
    startModelServer(config(telemetry), {
      logger: quiet,
      env: { PATH: process.env.PATH },
      accessLogWrite: (chunk) => {
        accessLogBytes += chunk.length;
        writeSync(devNull, chunk);
      },
    });
  const servers: Record<"off" | "on", ModelServerHandle> = { off: await start(false), on: await start(true) };
  const scraper = setInterval(() => {
    void fetch(`http://127.0.0.1:${servers.on.metricsPort}/metrics`).then((r) => r.text());
  }, 1000);
  try {
    for (const server of Object.values(servers)) await waitHealthy(`http://127.0.0.1:${server.port}/ping`);
    const url = (name: "off" | "on") => `http://127.0.0.1:${servers[name].port}/invocations`;
    for (const name of ["off", "on"] as const) await wrk(url(name), 8, 1, `${BENCH}post.lua`); // warm-up
    for (const c of [1, 8]) {
      const rps: Record<"off" | "on", number[]> = { off: [], on: [] };
      const p50: Record<"off" | "on", number[]> = { off: [], on: [] };
      const cpuUs: Record<"off" | "on", number[]> = { off: [], on: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which goes first, so a drift in the machine's load hits both alike.
        for (const name of round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
          const before = process.cpuUsage();
          const result = await wrk(url(name), c, SECONDS, `${BENCH}post.lua`);
          const cpu = process.cpuUsage(before);
          rps[name].push(result.rps);
          p50[name].push(result.p50);
          cpuUs[name].push((cpu.user + cpu.system) / result.requests);
        }
      }
      const off = median(rps.off);
      const on = median(rps.on);
      const cpuOff = median(cpuUs.off);
      const cpuOn = median(cpuUs.on);
      const percent = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;
      const list = (values: number[]) => values.map((v) => v.toFixed(0)).join(", ");
      console.log(
        `c=${c}: off ${off.toFixed(0)} req/s (p50 ${median(p50.off).toFixed(2)} ms, front end ${cpuOff.toFixed(1)} µs CPU/request); ` +
          `metrics + access log ${on.toFixed(0)} req/s (p50 ${median(p50.on).toFixed(2)} ms, ${cpuOn.toFixed(1)} µs CPU/request): ` +
          `throughput ${percent(off, on)}, CPU/request ${percent(cpuOff, cpuOn)}; rounds req/s off [${list(rps.off)}] on [${list(rps.on)}], µs off [${list(cpuUs.off)}] on [${list(cpuUs.on)}]`,
      );
    }
    console.log(`access log written: ${(accessLogBytes / 1024 / 1024).toFixed(1)} MiB`);
  } finally {
    clearInterval(scraper);
    await Promise.all(Object.values(servers).map((server) => server.close()));
    closeSync(devNull);
  }
});
