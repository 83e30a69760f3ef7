// node --test scripts/pack-test/: each check of check-package.mjs on a real unpacked package tree.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { checkPackage, exportTargets } from "./check-package.mjs";

const manifest = {
  name: "@sagemaker-serve/example",
  version: "0.1.0",
  license: "Apache-2.0",
  repository: { type: "git", url: "git+https://example.invalid/x.git", directory: "packages/example" },
  type: "module",
  exports: {
    ".": {
      "@sagemaker-serve/source": "./src/index.ts",
      types: "./dist/index.d.ts",
      default: "./dist/index.js",
    },
    "./package.json": "./package.json",
  },
  files: ["dist", "src", "!src/**/*.test.ts"],
  dependencies: { "@sagemaker-serve/errors": "^0.1.0", valibot: "1.5.0" },
};
const goodFiles = {
  LICENSE: "Apache License\n",
  "src/index.ts": "export const one = 1;\n",
  "dist/index.js": "export const one = 1;\n//# sourceMappingURL=index.js.map\n",
  "dist/index.js.map": JSON.stringify({ version: 3, sources: ["../src/index.ts"], mappings: "" }),
  "dist/index.d.ts": "export declare const one = 1;\n//# sourceMappingURL=index.d.ts.map\n",
  "dist/index.d.ts.map": JSON.stringify({ version: 3, sources: ["../src/index.ts"], mappings: "" }),
};

let dir;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pack-check-test-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writePackage({ pkg = manifest, files = goodFiles } = {}) {
  for (const [name, text] of Object.entries({ ...files, "package.json": JSON.stringify(pkg) })) {
    if (text === undefined) continue;
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return checkPackage(dir, { expectedDirectory: "packages/example" });
}

test("a correct package has no problem", async () => {
  const { problems, files } = await writePackage();
  assert.deepEqual(problems, []);
  assert.ok(files.includes("dist/index.js") && files.includes("package.json"));
});

test("an exports target missing from the tarball (an unbuilt pack)", async () => {
  const { problems } = await writePackage({
    files: { ...goodFiles, "dist/index.js": undefined, "dist/index.js.map": undefined },
  });
  assert.deepEqual(problems, ["exports . > default points at a file not in the tarball: ./dist/index.js"]);
});

test("exports still at the sources, with no types beside the JavaScript", async () => {
  const { problems } = await writePackage({
    pkg: {
      ...manifest,
      exports: { ".": { default: "./dist/index.js" }, "./package.json": "./package.json" },
    },
  });
  assert.deepEqual(problems, ['exports . > default has no "types" condition beside it']);
});

test("a workspace: dependency fails unless allowed, and is then listed", async () => {
  const pkg = { ...manifest, dependencies: { "@sagemaker-serve/errors": "workspace:^" } };
  const { problems } = await writePackage({ pkg });
  assert.deepEqual(problems, [
    'dependencies.@sagemaker-serve/errors is "workspace:^", which only a workspace can resolve',
  ]);
  const allowed = await checkPackage(dir, {
    expectedDirectory: "packages/example",
    allowWorkspaceProtocol: true,
  });
  assert.deepEqual(allowed.problems, []);
  assert.deepEqual(allowed.workspaceDependencies, ["@sagemaker-serve/errors"]);
});

test("shipped test files and bytecode, no LICENSE and the wrong repository directory", async () => {
  const { problems } = await writePackage({
    pkg: { ...manifest, repository: { ...manifest.repository, directory: "packages/other" } },
    files: {
      ...goodFiles,
      LICENSE: undefined,
      "src/index.test.ts": "",
      "python/tests/test_x.py": "",
      "python/__pycache__/w.cpython-311.pyc": "",
    },
  });
  assert.deepEqual(problems, [
    "Python bytecode shipped: python/__pycache__/w.cpython-311.pyc",
    "test file shipped: python/tests/test_x.py",
    "test file shipped: src/index.test.ts",
    "no LICENSE file",
    'repository.directory is "packages/other", not "packages/example"',
  ]);
});

test("source maps that point outside the tarball", async () => {
  const { problems } = await writePackage({ files: { ...goodFiles, "src/index.ts": undefined } });
  assert.deepEqual(problems, [
    "exports . > @sagemaker-serve/source points at a file not in the tarball: ./src/index.ts",
    'files entry "src" matches nothing',
    "dist/index.d.ts.map maps to ../src/index.ts, which is not in the tarball",
    "dist/index.js.map maps to ../src/index.ts, which is not in the tarball",
  ]);
});

test("inlined sources need no file; a sourceMappingURL to a missing map is a problem", async () => {
  const inlined = await writePackage({
    pkg: {
      ...manifest,
      exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
      files: ["dist"],
    },
    files: {
      ...goodFiles,
      "dist/index.js": "export const one = 1;\n//# sourceMappingURL=gone.js.map\n",
      "dist/index.js.map": JSON.stringify({
        version: 3,
        sources: ["../src/index.ts"],
        sourcesContent: ["x"],
      }),
      "dist/index.d.ts.map": undefined,
      "dist/index.d.ts": "export declare const one = 1;\n",
    },
  });
  assert.deepEqual(inlined.problems, ["dist/index.js names a source map not in the tarball: gone.js.map"]);
});

test("glob exports and files entries match across directories", async () => {
  const pkg = {
    ...manifest,
    exports: {
      ...manifest.exports,
      "./*": { types: "./dist/**/*.d.ts", default: "./dist/*.js" },
      "./x/*": "./lib/*.js",
    },
    files: [...manifest.files, "LICEN?E", "docs"],
  };
  const { problems } = await writePackage({ pkg });
  assert.deepEqual(problems, [
    "exports ./x/* matches no file: ./lib/*.js",
    'exports ./x/* has no "types" condition beside it',
    'files entry "docs" matches nothing',
  ]);
});

test("exportTargets walks nested conditions", () => {
  assert.deepEqual(
    exportTargets({ ".": { node: { types: "./a.d.ts", default: "./a.js" } }, "./x": "./x.js" }),
    [
      { conditions: [".", "node", "types"], target: "./a.d.ts" },
      { conditions: [".", "node", "default"], target: "./a.js" },
      { conditions: ["./x"], target: "./x.js" },
    ],
  );
});
