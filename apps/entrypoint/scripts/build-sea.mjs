// Builds dist/sagemaker-serve, the single executable (Node's SEA): this Node binary with the CLI bundle and the
// files beside it (python/, the log4j2 XML) injected, so it runs copied anywhere with no Node and no other file.
// Needs dist/ from scripts/build.mjs. Linux x64 only (the platform of the Node running this script).
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import console from "node:console";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const bundle = join(dist, "sagemaker-serve.js");
const output = join(dist, "sagemaker-serve");
// Must match src/sea-assets.ts SEA_MANIFEST_ASSET.
const MANIFEST = "sagemaker-serve-files.json";
// Not embedded: the bundle itself (it is the SEA's main script), its package.json, and this script's output.
const NOT_ASSETS = new Set(["sagemaker-serve.js", "package.json", "sagemaker-serve"]);

if (process.platform !== "linux" || process.arch !== "x64") {
  throw new Error(`build-sea: builds for linux-x64 only, this Node is ${process.platform}-${process.arch}`);
}

async function listFiles(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name === "__pycache__" || entry.name.endsWith(".pyc")) continue;
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

const work = await mkdtemp(join(tmpdir(), "sagemaker-serve-sea-build-"));
try {
  // Node 20's SEA runs a CommonJS script; the ES module bundle (no top-level await) converts as it is. Its
  // import.meta.url only matters outside the SEA (main.ts uses the executable's path inside it).
  const main = join(work, "sagemaker-serve.cjs");
  await build({
    entryPoints: [bundle],
    outfile: main,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
    banner: {
      js: 'const __sagemakerServeSeaUrl = require("node:url").pathToFileURL(process.execPath).href;',
    },
    define: { "import.meta.url": "__sagemakerServeSeaUrl" },
  });

  const assets = {};
  const files = [];
  for (const path of await listFiles(dist)) {
    const key = relative(dist, path);
    if (NOT_ASSETS.has(key)) continue;
    assets[key] = path;
    files.push(key);
  }
  if (!files.some((key) => key.startsWith("python/")) || !files.some((key) => key.endsWith(".xml"))) {
    throw new Error(
      `build-sea: dist/ lacks python/ or the log4j2 XML (found ${files.join(", ")}); run build first`,
    );
  }
  const manifest = join(work, MANIFEST);
  await writeFile(manifest, JSON.stringify({ files }));
  assets[MANIFEST] = manifest;

  const blob = join(work, "sea.blob");
  const seaConfig = join(work, "sea-config.json");
  await writeFile(
    seaConfig,
    JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }),
  );
  await run(process.execPath, ["--experimental-sea-config", seaConfig], { cwd: work });

  const binary = join(work, "sagemaker-serve");
  await copyFile(process.execPath, binary);
  await chmod(binary, 0o755);
  // Debug symbols are most of a distribution's node binary; without strip (binutils) it stays about 100 MB.
  await run("strip", [binary]).catch((error) => {
    if (error.code !== "ENOENT") throw error;
    console.warn("build-sea: strip not found (binutils); the executable keeps its debug symbols");
  });
  const postject = fileURLToPath(import.meta.resolve("postject/dist/cli.js"));
  await run(process.execPath, [
    postject,
    binary,
    "NODE_SEA_BLOB",
    blob,
    "--sentinel-fuse",
    "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
  ]);
  await copyFile(binary, output);
  await chmod(output, 0o755);
  const { size } = await stat(output);
  console.log(
    `build-sea: ${relative(process.cwd(), output)} (${(size / 1e6).toFixed(1)} MB, ${files.length} files embedded)`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
