// Bundles the CLI into one self-contained ESM file, dist/sagemaker-serve.js, that the image ships.
import { build } from "esbuild";
import { brotliCompressSync, constants as zlibConstants } from "node:zlib";
import { chmod, cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Buffer } from "node:buffer";
import { URL, fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
const outfile = join(root, "dist", "sagemaker-serve.js");

await rm(join(root, "dist"), { recursive: true, force: true });
await mkdir(join(root, "dist"), { recursive: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minifySyntax: true,
  legalComments: "none",
  define: { __SAGEMAKER_SERVE_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
  // In-repo packages resolve to their TypeScript sources (exports condition), so no package build is needed first.
  conditions: ["@sagemaker-serve/source"],
};

// Large, rarely used dependencies are bundled on their own and embedded compressed (src/lazy/): V8 then does
// not compile them at every start, which keeps `serve` close to a bare `node` start.
const chunks = {};
for (const name of ["codeartifact", "archive", "pip", "model-server"]) {
  const result = await build({
    ...common,
    entryPoints: [join(root, "src", "lazy", `${name}-chunk.ts`)],
    write: false,
    outfile: `${name}.js`,
    // CommonJS, so src/lazy/load-chunk.ts can compile it under a file name (readable stack traces); the chunk
    // gets the bundle's URL for import.meta.url.
    format: "cjs",
    define: { ...common.define, "import.meta.url": "__sagemakerServeChunkUrl" },
  });
  chunks[name] = result.outputFiles[0].text;
}
const lazyChunks = {
  name: "lazy-chunks",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^lazy-chunk:/ }, (args) => ({
      path: args.path,
      namespace: "lazy-chunk",
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: "lazy-chunk" }, (args) => {
      const name = args.path.slice("lazy-chunk:".length);
      if (!(name in chunks)) throw new Error(`unknown lazy chunk ${name}`);
      // Brotli + base64: a short string without escapes is the cheapest thing for V8 to scan at start-up.
      const packed = brotliCompressSync(Buffer.from(chunks[name], "utf8"), {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 },
      }).toString("base64");
      return { contents: `export const source = ${JSON.stringify(packed)};`, loader: "js" };
    });
  },
};

// The bundle's first statement, before any module code: a Node too old for it gets one clear line, not a
// SyntaxError or a missing API deep inside a dependency.
const minimum = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node);
if (minimum === null) throw new Error(`engines.node must read ">=MAJOR.MINOR", got ${pkg.engines.node}`);
const nodeVersionCheck = `{
  const [major, minor] = process.version.slice(1).split(".").map(Number);
  if (major < ${minimum[1]} || (major === ${minimum[1]} && minor < ${minimum[2]})) {
    process.stderr.write(
      "error NODE_VERSION_UNSUPPORTED: sagemaker-serve needs Node.js ${pkg.engines.node}, got " + process.version + " (" + process.execPath + ")\\n" +
        "hint: install Node.js ${minimum[1]}.${minimum[2]} or newer (Debian 13: apt-get install nodejs), or use the single executable dist/sagemaker-serve, which needs no Node.js\\n",
    );
    process.exit(1);
  }
}`;

await build({
  ...common,
  plugins: [lazyChunks],
  entryPoints: [join(root, "src", "main.ts")],
  outfile,
  banner: {
    js: [
      "#!/usr/bin/env node",
      nodeVersionCheck,
      // Bundled CommonJS dependencies call require(); give them one.
      'import { createRequire as __serveCreateRequire } from "node:module";',
      "const require = __serveCreateRequire(import.meta.url);",
    ].join("\n"),
  },
});
await chmod(outfile, 0o755);
// The bundle is an ES module: say so beside it, so no Node version and no enclosing package.json with
// "type": "commonjs" reads it as CommonJS.
await writeFile(join(root, "dist", "package.json"), `${JSON.stringify({ type: "module" }, null, 2)}\n`);
// Each Java backend's --log-config (logConfigFile in src/backends/): a missing one fails the build.
for (const file of ["log4j2-mms.xml", "log4j2-torchserve.xml"]) {
  await cp(join(root, "assets", file), join(root, "dist", file));
}
// The built-in server's Python workers, which the bundle passes to startModelServer as pythonDir.
const modelServerPython = fileURLToPath(
  new URL("./python/", import.meta.resolve("@sagemaker-serve/model-server/package.json")),
);
await cp(modelServerPython, join(root, "dist", "python"), {
  recursive: true,
  filter: (source) => !source.includes("__pycache__"),
});
