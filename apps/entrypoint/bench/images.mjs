// Sizes of the example images and the time from `podman run` to the first healthy /ping of each, with the echo
// model. Baseline: the Python toolkit's image cannot be built here (no PyPI, no MMS), so the Node image (the JS
// bundle, today's path) is the baseline of the no-Node image, and a bare `podman run <base> true` is the floor
// podman itself costs. Needs the images the image test builds:
//   pnpm --filter @sagemaker-serve/entrypoint test:image && pnpm --filter @sagemaker-serve/entrypoint bench:images
import { execFile, spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import console from "node:console";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { URL, fileURLToPath } from "node:url";
import { freePort } from "./free-port.mjs";

const run = promisify(execFile);
const { fetch } = globalThis;
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SINGLE_EXECUTABLE = fileURLToPath(new URL("../dist/sagemaker-serve", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PODMAN = ["--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"];
const IMAGES = [
  { name: "node (JS bundle, baseline)", tag: "localhost/sagemaker-serve-example:node" },
  { name: "no-node (single executable)", tag: "localhost/sagemaker-serve-example:no-node" },
];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

async function podman(...args) {
  return (await run("podman", args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
}

async function healthy(port) {
  try {
    return (await fetch(`http://127.0.0.1:${port}/ping`)).status === 200;
  } catch {
    return false;
  }
}

/** ms from spawning `podman run` to the first /ping answering 200; then stops the container. */
async function startToPing(tag, index) {
  const port = await freePort();
  const name = `sagemaker-serve-bench-${process.pid}-${index}`;
  const started = performance.now();
  const child = spawn(
    "podman",
    [
      "run",
      "--rm",
      "--name",
      name,
      ...PODMAN,
      "--network",
      "host",
      "--env",
      `SAGEMAKER_BIND_TO_PORT=${port}`,
      "--env",
      "SAGEMAKER_MODEL_SERVER_WORKERS=1",
      "--volume",
      `${join(ROOT, "examples", "echo", "model")}:/opt/ml/model:ro`,
      tag,
      "serve",
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise((resolve) => child.on("exit", resolve));
  while (!(await healthy(port))) {
    if (child.exitCode !== null) throw new Error(`${tag} exited ${child.exitCode} before /ping answered`);
    await sleep(10);
  }
  const ms = performance.now() - started;
  await podman("stop", "--time", "2", name);
  const code = await exited;
  if (code !== 0) throw new Error(`${tag}: podman stop ended it with ${code}`);
  return ms;
}

async function bareRun(base) {
  const started = performance.now();
  await podman("run", "--rm", ...PODMAN, "--network", "host", base, "true");
  return performance.now() - started;
}

const base = (
  await podman("images", "--format", "{{.Repository}}:{{.Tag}}", "localhost/sagemaker-serve-test-base")
)
  .split("\n")
  .filter(Boolean)
  .sort()
  .at(-1);
if (base === undefined)
  throw new Error("no test base image: run the image test first (see the top of this file)");
for (const image of IMAGES) {
  if ((await run("podman", ["image", "exists", image.tag]).catch(() => undefined)) === undefined) {
    throw new Error(`${image.tag} is missing: run the image test first (see the top of this file)`);
  }
}

const sizes = [
  [`base (${base.split(":")[1]})`, Number(await podman("image", "inspect", "--format", "{{.Size}}", base))],
];
for (const image of IMAGES) {
  sizes.push([image.name, Number(await podman("image", "inspect", "--format", "{{.Size}}", image.tag))]);
}
const binary = await readFile(SINGLE_EXECUTABLE);

const floor = [];
const times = IMAGES.map(() => []);
await bareRun(base); // warm the page cache
for (let i = 0; i < RUNS; i += 1) {
  floor.push(await bareRun(base));
  for (const [n, image] of IMAGES.entries()) times[n].push(await startToPing(image.tag, `${n}-${i}`));
}

console.log(
  `example images, ${RUNS} runs, medians (podman ${await podman("--version")}, runc, host network)`,
);
for (const [name, bytes] of sizes) console.log(`${`image ${name}`.padEnd(62)} ${mb(bytes).padStart(10)}`);
console.log(
  `${"dist/sagemaker-serve (single executable)".padEnd(62)} ${mb((await stat(SINGLE_EXECUTABLE)).size).padStart(10)}   gzip ${mb(gzipSync(binary, { level: 6 }).length)}`,
);
console.log(
  `${"`podman run <base> true` (podman's floor)".padEnd(62)} ${`${median(floor).toFixed(0)} ms`.padStart(10)}`,
);
for (const [n, image] of IMAGES.entries()) {
  console.log(
    `${`podman run -> first healthy /ping: ${image.name}`.padEnd(62)} ${`${median(times[n]).toFixed(0)} ms`.padStart(10)}   (runs: ${times[n].map((t) => t.toFixed(0)).join(", ")})`,
  );
}
