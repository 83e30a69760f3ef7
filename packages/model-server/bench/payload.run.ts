import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { it } from "vitest";
import { startModelServer } from "../src/index.ts";
import { echoConfig, groupRssKb, waitHealthy, withBaseline } from "./bench-helpers.ts";

// `pnpm --filter @sagemaker-serve/model-server bench:payload`: the echo handler with 2 workers under our server,
// gunicorn + Flask and ThreadingHTTPServer, with bodies of 64 KiB to 32 MiB at concurrency 1 and 4. Each run sends
// a bounded number of requests from a separate client process, checks every response byte for byte, and times
// /ping on its own connection meanwhile. BENCH_SCALE multiplies the request counts (default 1).

const run = promisify(execFile);
const BENCH = fileURLToPath(new URL(".", import.meta.url));
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const MIB = 1024 * 1024;
const RUNS = [
  { bytes: 64 * 1024, concurrency: 1, requests: 2000 },
  { bytes: MIB, concurrency: 4, requests: 400 },
  { bytes: 6 * MIB, concurrency: 1, requests: 80 },
  { bytes: 6 * MIB, concurrency: 4, requests: 120 },
  { bytes: 32 * MIB, concurrency: 1, requests: 16 },
  { bytes: 32 * MIB, concurrency: 4, requests: 24 },
];

interface ClientResult {
  mibPerSecond: number;
  perRequestMs: number;
  p50: number;
  p99: number;
  pingP99: number | null;
}

interface Row extends ClientResult {
  peakRssMb: number;
}

async function drive(
  base: string,
  load: { bytes: number; concurrency: number; requests: number },
  rssKb: () => Promise<number>,
): Promise<Row> {
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssKb());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const options = {
    url: `${base}/invocations`,
    bytes: load.bytes,
    concurrency: load.concurrency,
    requests: Math.max(load.concurrency, Math.round(load.requests * SCALE)),
    pingUrl: load.bytes >= 6 * MIB ? `${base}/ping` : undefined,
  };
  try {
    const { stdout } = await run(process.execPath, [`${BENCH}load-client.mjs`, JSON.stringify(options)], {
      maxBuffer: 1 << 20,
    });
    return { ...(JSON.parse(stdout) as ClientResult), peakRssMb: peak / 1024 };
  } finally {
    sampling = false;
    await sampler;
  }
}

function label(load: { bytes: number; concurrency: number }): string {
  const size = load.bytes >= MIB ? `${load.bytes / MIB} MiB` : `${load.bytes / 1024} KiB`;
  return `${size.padStart(7)} c=${load.concurrency}`;
}

function print(name: string, load: { bytes: number; concurrency: number }, row: Row): void {
  const ping = row.pingP99 === null ? "" : `  /ping p99 ${row.pingP99.toFixed(1)} ms`;
  console.log(
    `${name.padEnd(20)} ${label(load)}  ${row.mibPerSecond.toFixed(0).padStart(5)} MiB/s  p50 ${row.p50.toFixed(1)} ms  p99 ${row.p99.toFixed(1)} ms  peak RSS ${row.peakRssMb.toFixed(0)} MB${ping}`,
  );
}

async function measure(
  name: string,
  base: string,
  rssKb: () => Promise<number>,
  table: Map<string, Row[]>,
): Promise<void> {
  const rows: Row[] = [];
  for (const load of RUNS) {
    const row = await drive(base, load, rssKb);
    print(name, load, row);
    rows.push(row);
  }
  table.set(name, rows);
}

it("benchmarks real-sized payloads against gunicorn + Flask and ThreadingHTTPServer", async () => {
  const table = new Map<string, Row[]>();
  const config = echoConfig({ requestTimeoutMs: 120_000, maxRequestBytes: 40 * MIB });
  const quiet = { info: () => {}, warn: () => {}, error: (m: string) => console.error(m) };
  const frontEndRss = async () => Math.round(process.memoryUsage.rss() / 1024);

  const server = await startModelServer(config, { logger: quiet, env: { PATH: process.env.PATH } });
  const ours = `http://127.0.0.1:${server.port}`;
  await waitHealthy(`${ours}/ping`);
  const idleMb = (await frontEndRss()) / 1024;
  console.log(`front end idle RSS (inside the bench runner): ${idleMb.toFixed(0)} MB`);
  await measure("sagemaker-serve", ours, frontEndRss, table);
  await server.close();

  const printing = await startModelServer(
    { ...config, handlerService: "printing_handler" },
    { logger: quiet, env: { PATH: process.env.PATH } },
  );
  const printingBase = `http://127.0.0.1:${printing.port}`;
  await waitHealthy(`${printingBase}/ping`);
  const printed = await drive(printingBase, { bytes: 6 * MIB, concurrency: 2, requests: 40 }, frontEndRss);
  print("  printing 8 MiB/req", { bytes: 6 * MIB, concurrency: 2 }, printed);
  await printing.close();

  if (process.env.BENCH_ONLY !== "builtin") {
    await withBaseline("gunicorn", 2, (base, g) =>
      measure("gunicorn + Flask", base, () => groupRssKb(g.pid!), table),
    );
    await withBaseline("threading", 2, (base, t) =>
      measure("ThreadingHTTPServer", base, () => groupRssKb(t.pid!), table),
    );
  }

  const oursRows = table.get("sagemaker-serve")!;
  console.log("\nratios, same run (sagemaker-serve / other): MiB/s, p50");
  for (const [name, rows] of table) {
    if (name === "sagemaker-serve") continue;
    RUNS.forEach((load, index) => {
      const a = oursRows[index]!;
      const b = rows[index]!;
      console.log(
        `  vs ${name.padEnd(20)} ${label(load)}  throughput x${(a.mibPerSecond / b.mibPerSecond).toFixed(2)}  p50 x${(a.p50 / b.p50).toFixed(2)}`,
      );
    });
  }
  const six = oursRows[2]!;
  const thirtyTwo = oursRows[4]!;
  console.log(
    `\nlinearity: 32 MiB time per request / 6 MiB time per request at c=1 = ${(thirtyTwo.perRequestMs / six.perRequestMs).toFixed(2)} (body ratio 5.33)`,
  );
  console.log(
    `front-end peak RSS over idle at 32 MiB c=4: ${(oursRows[5]!.peakRssMb - idleMb).toFixed(0)} MB (body × concurrency = 128 MB)`,
  );
});
