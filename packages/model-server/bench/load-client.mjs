// A bounded load client for the payload benchmark: `node load-client.mjs <json options>`. Sends `requests` POSTs of a
// random body of `bytes` to `url` over `concurrency` keep-alive connections, checks every response byte for byte,
// and, when `pingUrl` is set, times GET /ping on a connection of its own every 10 ms meanwhile. Prints one JSON line.
import { Buffer } from "node:buffer";
import console from "node:console";
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import process from "node:process";
import { Worker } from "node:worker_threads";

const { url, bytes, concurrency, requests, pingUrl } = JSON.parse(process.argv[2]);
const body = randomBytes(bytes);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function post() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/octet-stream", "content-length": String(body.length) },
      },
      (res) => {
        const size = Number(res.headers["content-length"] ?? -1);
        const received = size >= 0 ? Buffer.allocUnsafe(size) : undefined;
        const chunks = [];
        let at = 0;
        res.on("data", (chunk) => {
          if (received && at + chunk.length <= size) chunk.copy(received, at);
          else chunks.push(chunk);
          at += chunk.length;
        });
        res.on("end", () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const got = received && at === size ? received : Buffer.concat(chunks);
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}: ${got.subarray(0, 300)}`));
          else if (!got.equals(body))
            reject(new Error(`response differs from the body sent (${got.length} bytes)`));
          else resolve(ms);
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

// /ping is timed on its own thread and connection, so the load this process generates (and checks) does not delay
// the measurement itself.
const PING_LOOP = `
const { parentPort, workerData } = require("node:worker_threads");
const { Agent, request } = require("node:http");
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const pings = [];
let running = true;
parentPort.on("message", () => (running = false));
(async () => {
  while (running) {
    const started = process.hrtime.bigint();
    await new Promise((resolve, reject) => {
      request(workerData, { agent }, (res) => {
        res.resume();
        res.on("end", resolve);
      }).on("error", reject).end();
    });
    pings.push(Number(process.hrtime.bigint() - started) / 1e6);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  agent.destroy();
  parentPort.postMessage(pings);
})();
`;

function startPinging() {
  if (!pingUrl) return () => Promise.resolve([]);
  const worker = new Worker(PING_LOOP, { eval: true, workerData: pingUrl });
  const done = new Promise((resolve, reject) => {
    worker.once("message", (pings) => void worker.terminate().then(() => resolve(pings), reject));
    worker.once("error", reject);
  });
  return () => {
    worker.postMessage("stop");
    return done;
  };
}

await post(); // warm-up: connections and worker buffers
const latencies = [];
let next = 0;
const stopPinging = startPinging();
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests) {
      next += 1;
      latencies.push(await post());
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const pings = await stopPinging();
agent.destroy();
latencies.sort((a, b) => a - b);
pings.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    mibPerSecond: (requests * bytes) / (1024 * 1024) / seconds,
    perRequestMs: (seconds * 1000) / requests,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    pingP99: pings.length ? percentile(pings, 99) : null,
    pingCount: pings.length,
  }),
);
