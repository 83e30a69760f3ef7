/* global process */
// Transpiles this package and @sagemaker-serve/errors to plain JS under bench/.tmp/ so the benchmark can run
// createArchive in a bare Node process (Node 20 cannot run .ts; vitest's own memory would skew peak RSS).
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
// One directory per run, so two runs at once do not remove each other's build.
export const BUILD_DIR = join(here, ".tmp", `run-${process.pid}`);

async function transpileDir(from, to, rewrite, depth = 0) {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const name = entry.name;
    if (entry.isDirectory()) {
      await transpileDir(join(from, name), join(to, name), rewrite, depth + 1);
      continue;
    }
    if (!name.endsWith(".ts") || name.endsWith(".test.ts")) continue;
    const source = await readFile(join(from, name), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: false,
      },
      fileName: name,
    });
    const js = rewrite(outputText.replace(/(from\s+"\.\.?\/[^"]+)\.ts"/g, '$1.js"'), depth);
    await writeFile(join(to, name.replace(/\.ts$/, ".js")), js);
  }
}

/** Builds `.tmp/model-archive/index.js` (importing `.tmp/errors/index.js`) and returns its path. */
export async function buildForBench() {
  await rm(BUILD_DIR, { recursive: true, force: true });
  await transpileDir(join(here, "../../errors/src"), join(BUILD_DIR, "errors"), (js) => js);
  await transpileDir(join(here, "../src"), join(BUILD_DIR, "model-archive"), (js, depth) =>
    js.replace(/from "@sagemaker-serve\/errors"/g, `from "${"../".repeat(depth + 1)}errors/index.js"`),
  );
  return join(BUILD_DIR, "model-archive", "index.js");
}
