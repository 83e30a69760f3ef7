/* global process, performance */
// Child process of the benchmark: archives a model directory with a library we decided against and prints
// {durationMs, maxRssBytes} as JSON, so it is measured like ours (run-one.mjs).
//   archiver-zip: archiver's ZipArchive, members stored for .bin (our auto policy), deflated otherwise
//   tar-gzip:     node-tar `create` with gzip (one stream, default level: it cannot store one member and deflate
//                 another)
// Usage: node run-library.mjs <archiver-zip|tar-gzip> <model dir> <output file>
import { createReadStream, createWriteStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { once } from "node:events";
import { extname, join, relative } from "node:path";
import { ZipArchive } from "archiver";
import { create as createTar } from "tar";

const [library, modelDir, output] = process.argv.slice(2);

async function listFiles(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return files.sort();
}

async function archiverZip() {
  const zip = new ZipArchive({ zlib: { level: 6 } });
  const out = createWriteStream(output);
  zip.pipe(out);
  for (const file of await listFiles(modelDir)) {
    const { mode, mtime } = await stat(file);
    zip.append(createReadStream(file), {
      name: relative(modelDir, file),
      mode,
      date: mtime,
      store: extname(file) === ".bin",
    });
  }
  await zip.finalize();
  if (!out.writableFinished) await once(out, "finish");
}

async function tarGzip() {
  await createTar({ gzip: true, file: output, cwd: join(modelDir, ".."), portable: true }, [
    relative(join(modelDir, ".."), modelDir),
  ]);
}

const started = performance.now();
await (library === "archiver-zip" ? archiverZip() : tarGzip());
const durationMs = performance.now() - started;
process.stdout.write(JSON.stringify({ durationMs, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
