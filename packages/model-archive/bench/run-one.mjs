/* global process, performance */
// Child process of the benchmark: runs one createArchive and prints {durationMs, maxRssBytes} as JSON.
// Usage: node run-one.mjs <built index.js> <format> <model dir> <export dir> [linkMode]
import { pathToFileURL } from "node:url";

const [indexPath, archiveFormat, modelPath, exportPath, linkMode = "auto"] = process.argv.slice(2);
const { createArchive } = await import(pathToFileURL(indexPath).href);
const started = performance.now();
const result = await createArchive({
  modelName: "model",
  modelPath,
  handler: "handler:handle",
  exportPath,
  archiveFormat,
  linkMode,
});
const durationMs = performance.now() - started;
process.stdout.write(
  JSON.stringify({
    durationMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    storedFiles: result.storedFiles,
    linkMode: result.linkMode,
  }),
);
