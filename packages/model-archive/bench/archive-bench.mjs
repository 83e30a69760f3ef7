/* global process, console, performance */
// Benchmark: one 2 GiB random file plus small files. Ours (default/auto .mar, tgz, no-archive) against
// Python's zipfile ZIP_DEFLATED (what model-archiver does), `cp -r`, and the libraries we decided against
// (archiver's zip with the same store/deflate choice; node-tar with gzip), in the same run. Then a compressible
// model (a large JSON-like text file) that both ours and Python deflate: like for like.
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
const textMiB = Number(process.env.BENCH_TEXT_MIB ?? 256);
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

/** Numbers in text, about 3:1 under deflate: what a JSON or CSV dump of weights looks like. */
async function writeCompressible(path, mib) {
  const out = createWriteStream(path);
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let written = 0;
  for (let row = 0; written < mib * 2 ** 20; row += 1) {
    const line = `{"layer": ${row % 96}, "w": [${Array.from({ length: 16 }, () => next().toFixed(4)).join(", ")}]}\n`;
    written += line.length;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

function child(script, args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(here, script), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.on("error", reject);
    proc.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${script} ${args[0]} exited ${code}`)),
    );
  });
}

function ours(index, format, model, exportDir, linkMode) {
  return child("run-one.mjs", [index, format, model, exportDir, ...(linkMode ? [linkMode] : [])]);
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
    print(" ".join(f"{i.filename}:{i.compress_type}:{i.flag_bits}" for i in z.infolist()))
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
    // Before each timed run: flush what earlier runs left dirty, so no run pays for another's writeback.
    const fresh = async (name) => {
      const dir = join(root, name);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      await run("sync");
      return dir;
    };

    const cpDir = await fresh("cp");
    const cp = await timed(() => run("cp", ["-r", model, join(cpDir, "model")]));
    results.push({ name: "cp -r", ms: cp.ms });
    await rm(cpDir, { recursive: true, force: true });

    /** Runs one archiver child into a fresh directory, has Python read the output back, records the numbers. */
    const archived = async (label, dirName, file, runChild) => {
      const dir = await fresh(dirName);
      const measured = await timed(() => runChild(join(dir, file), dir));
      const size = (await stat(join(dir, file))).size;
      const check = await run("python3", ["-c", PY_VERIFY, join(dir, file)], { maxBuffer: 1 << 20 });
      results.push({
        name: label(measured.value),
        ms: measured.ms,
        inner: measured.value.durationMs,
        rss: measured.value.maxRssBytes,
        size,
      });
      await rm(dir, { recursive: true, force: true });
      return { ...measured, size, check: check.stdout.trim() };
    };
    const oursFor = (format, from) => (_output, dir) => ours(index, format, from, dir);
    const libraryFor = (name) => (output) => child("run-library.mjs", [name, model, output]);
    const mar = await archived(() => "ours .mar (auto)", "mar", "model.mar", oursFor("default", model));
    const tgz = await archived(() => "ours .tar.gz (auto)", "tgz", "model.tar.gz", oursFor("tgz", model));

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

    // The libraries we decided against, each in its own process like ours.
    const archiverZip = await archived(
      () => "archiver zip (store .bin)",
      "lib-zip",
      "model.mar",
      libraryFor("archiver-zip"),
    );
    const nodeTar = await archived(
      () => "node-tar + gzip",
      "lib-tgz",
      "model.tar.gz",
      libraryFor("tar-gzip"),
    );

    // Like for like: a compressible model that both ours (auto picks deflate) and Python deflate.
    const textModel = join(root, "text-model");
    await mkdir(join(textModel, "code"), { recursive: true });
    await writeCompressible(join(textModel, "weights.json"), textMiB);
    await writeFile(join(textModel, "code", "handler.py"), "def handle(data, context):\n    return data\n");
    const textIn = (await stat(join(textModel, "weights.json"))).size;
    const textOurs = await archived(
      (value) => `ours .mar, ${textMiB} MiB text (stored members: ${value.storedFiles})`,
      "text-ours",
      "model.mar",
      oursFor("default", textModel),
    );
    const textPyDir = await fresh("text-py");
    const textPy = await timed(() => run("python3", ["-c", PY_ZIP, textModel, join(textPyDir, "model.mar")]));
    const textPySize = (await stat(join(textPyDir, "model.mar"))).size;
    results.push({
      name: `python zipfile ZIP_DEFLATED, ${textMiB} MiB text`,
      ms: textPy.ms,
      size: textPySize,
    });
    await rm(textPyDir, { recursive: true, force: true });

    const mib = (b) => (b / 2 ** 20).toFixed(1);
    console.log(
      `\nmodel: ${sizeMiB} MiB random weights.bin + 4 small files; text model: ${mib(textIn)} MiB weights.json\n`,
    );
    console.log("| run | wall ms | in-process ms | peak RSS MiB | output MiB |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.ms.toFixed(0)} | ${r.inner === undefined ? "" : r.inner.toFixed(1)} | ${r.rss === undefined ? "" : mib(r.rss)} | ${r.size === undefined ? "" : mib(r.size)} |`,
      );
    }
    console.log(`\n.mar vs cp -r: ${(mar.ms / cp.ms).toFixed(2)}x (goal <= 1.5x)`);
    console.log(
      `python deflate vs .mar (random .bin: we store it, Python deflates it): ${(py.ms / mar.ms).toFixed(1)}x`,
    );
    console.log(
      `archiver zip vs .mar: ${(archiverZip.ms / mar.ms).toFixed(2)}x the time; vs cp -r: ${(archiverZip.ms / cp.ms).toFixed(2)}x`,
    );
    console.log(
      `node-tar + gzip vs our .tar.gz: ${(nodeTar.ms / tgz.ms).toFixed(2)}x the time; vs cp -r: ${(nodeTar.ms / cp.ms).toFixed(2)}x`,
    );
    console.log(`python reads archiver's zip: ${archiverZip.check}`);
    console.log(
      `text model, both deflate: python ${(textPy.ms / textOurs.ms).toFixed(2)}x our time; sizes ours ${mib(textOurs.size)} MiB, python ${mib(textPySize)} MiB; python reads ours: ${textOurs.check}`,
    );
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
