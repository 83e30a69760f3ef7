// Bundles the CLI into one self-contained ESM file, dist/sagemaker-serve.js, that the image ships.
import { build } from "esbuild";
import { chmod, cp, mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { URL, fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
const outfile = join(root, "dist", "sagemaker-serve.js");

await rm(join(root, "dist"), { recursive: true, force: true });
await mkdir(join(root, "dist"), { recursive: true });
await build({
  entryPoints: [join(root, "src", "main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minifySyntax: true,
  legalComments: "none",
  define: { __SAGEMAKER_SERVE_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: [
      "#!/usr/bin/env node",
      // Bundled CommonJS dependencies call require(); give them one.
      'import { createRequire as __serveCreateRequire } from "node:module";',
      "const require = __serveCreateRequire(import.meta.url);",
    ].join("\n"),
  },
  logLevel: "warning",
});
await chmod(outfile, 0o755);
await cp(join(root, "assets"), join(root, "dist"), { recursive: true }).catch((error) => {
  if (error.code !== "ENOENT") throw error;
});
// The built-in server's Python workers, which the bundle passes to startModelServer as pythonDir.
const modelServerPython = fileURLToPath(
  new URL("../python/", import.meta.resolve("@sagemaker-serve/model-server")),
);
await cp(modelServerPython, join(root, "dist", "python"), {
  recursive: true,
  filter: (source) => !source.includes("__pycache__"),
});
