/* global process, console, performance */
// Benchmark: one 2 GiB random file plus small files. Ours (default/auto .mar, tgz, no-archive) against
// Python's zipfile ZIP_DEFLATED (what model-archiver does) and `cp -r`, in the same run.
// Usage: pnpm --filter @sagemaker-serve/model-archive bench   (BENCH_SIZE_MIB=2048 by default; data under $TMPDIR or /tmp)
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, stat, statfs, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildForBench, BUILD_DIR } from "./build-for-bench.mjs";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const sizeMiB = Number(process.env.BENCH_SIZE_MIB ?? 2048);
const parent = process.env.BENCH_TMPDIR ?? tmpdir();

async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function writeRandom(path, mib) {
  const out = createWriteStream(path);
  for (let i = 0; i < mib; i += 1) {
    if (!out.write(randomBytes(1024 * 1024))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

function ours(index, format, model, exportDir, linkMode) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, "run-one.mjs"), index, format, model, exportDir, ...(linkMode ? [linkMode] : [])],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`run-one ${format} exited ${code}`)),
    );
  });
}

const PY_ZIP = `
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(src):
        for f in files:
            p = os.path.join(root, f)
            z.write(p, os.path.relpath(p, src))
`;

const PY_VERIFY = `
import sys, zipfile, tarfile
p = sys.argv[1]
if p.endswith(".mar"):
    z = zipfile.ZipFile(p)
    bad = z.testzip()
    assert bad is None, bad
    print(" ".join(f"{i.filename}:{i.compress_type}" for i in z.infolist()))
else:
    with tarfile.open(p) as t:
        print(" ".join(m.name for m in t.getmembers()))
`;

async function main() {
  const fs = await statfs(parent);
  const freeGiB = (fs.bavail * fs.bsize) / 2 ** 30;
  const needGiB = (sizeMiB * 6) / 1024;
  console.log(`free space in ${parent}: ${freeGiB.toFixed(1)} GiB (need about ${needGiB.toFixed(1)} GiB)`);
  if (freeGiB < needGiB) throw new Error("not enough free space for the benchmark");
  const index = await buildForBench();
  const root = await mkdtemp(join(parent, "sagemaker-serve-bench-"));
  try {
    const model = join(root, "model");
    await mkdir(join(model, "code"), { recursive: true });
    await writeRandom(join(model, "weights.bin"), sizeMiB);
    await writeFile(join(model, "code", "handler.py"), "def handle(data, context):\n    return data\n");
    await writeFile(
      join(model, "config.json"),
      JSON.stringify({ hidden_size: 4096, layers: Array.from({ length: 200 }, (_, i) => ({ i })) }),
    );
    await writeFile(
      join(model, "tokenizer.json"),
      JSON.stringify(Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`tok${i}`, i]))),
    );
    await writeFile(
      join(model, "vocab.txt"),
      Array.from({ length: 30_000 }, (_, i) => `word${i}`).join("\n"),
    );
    await run("sh", ["-c", `cat "${join(model, "weights.bin")}" > /dev/null`]); // warm the page cache
    const results = [];
    const fresh = async (name) => {
      const dir = join(root, name);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      return dir;
    };

    const cpDir = await fresh("cp");
    const cp = await timed(() => run("cp", ["-r", model, join(cpDir, "model")]));
    results.push({ name: "cp -r", ms: cp.ms });
    await rm(cpDir, { recursive: true, force: true });

    /** Runs ours for an archive format, has Python read the output back, and records the numbers. */
    const archived = async (format, file, label) => {
      const dir = await fresh(format);
      const measured = await timed(() => ours(index, format, model, dir));
      const size = (await stat(join(dir, file))).size;
      const check = await run("python3", ["-c", PY_VERIFY, join(dir, file)], { maxBuffer: 1 << 20 });
      results.push({
        name: label,
        ms: measured.ms,
        inner: measured.value.durationMs,
        rss: measured.value.maxRssBytes,
        size,
        check: check.stdout.trim(),
      });
      await rm(dir, { recursive: true, force: true });
      return { ...measured, check: check.stdout.trim() };
    };
    const mar = await archived("default", "model.mar", "ours .mar (auto)");
    const tgz = await archived("tgz", "model.tar.gz", "ours .tar.gz (auto)");

    const dirDir = await fresh("dir");
    const dir = await timed(() => ours(index, "no-archive", model, dirDir));
    results.push({
      name: `ours no-archive (${dir.value.linkMode})`,
      ms: dir.ms,
      inner: dir.value.durationMs,
      rss: dir.value.maxRssBytes,
    });
    await rm(dirDir, { recursive: true, force: true });

    const pyDir = await fresh("py");
    const py = await timed(() => run("python3", ["-c", PY_ZIP, model, join(pyDir, "model.mar")]));
    results.push({
      name: "python zipfile ZIP_DEFLATED",
      ms: py.ms,
      size: (await stat(join(pyDir, "model.mar"))).size,
    });
    await rm(pyDir, { recursive: true, force: true });

    const mib = (b) => (b / 2 ** 20).toFixed(1);
    console.log(`\nmodel: ${sizeMiB} MiB random weights.bin + 4 small files\n`);
    console.log("| run | wall ms | in-process ms | peak RSS MiB | output MiB |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.ms.toFixed(0)} | ${r.inner === undefined ? "" : r.inner.toFixed(1)} | ${r.rss === undefined ? "" : mib(r.rss)} | ${r.size === undefined ? "" : mib(r.size)} |`,
      );
    }
    console.log(`\n.mar vs cp -r: ${(mar.ms / cp.ms).toFixed(2)}x (goal <= 1.5x)`);
    console.log(`python deflate vs .mar: ${(py.ms / mar.ms).toFixed(1)}x faster (goal >= 10x)`);
    console.log(`tgz vs cp -r: ${(tgz.ms / cp.ms).toFixed(2)}x`);
    console.log(`no-archive: ${dir.value.durationMs.toFixed(1)} ms in process (goal < 100 ms)`);
    console.log(
      `peak RSS: .mar ${mib(mar.value.maxRssBytes)} MiB, tgz ${mib(tgz.value.maxRssBytes)} MiB (goal < 100 MiB)`,
    );
    console.log(`python reads .mar: ${mar.check}`);
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(BUILD_DIR, { recursive: true, force: true });
  }
}

await main();
