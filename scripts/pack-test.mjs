// Packs every public package as a user of it would get it, and proves the tarballs work outside the workspace:
// `pnpm pack` (what changesets publishes) and `npm pack` both, checked file by file, installed with npm into a
// fresh project in a temp dir, imported by Node, type-checked by a TypeScript consumer (`nodenext`), and linted
// by publint. Exits 1 on any problem. KEEP_TMP=1 keeps the temp dir.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { checkPackage } from "./pack-test/check-package.mjs";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const started = performance.now();
const problems = [];
const say = (line) => console.log(`pack-test: ${line}`);

// Child npm processes must not see the npm_config_* settings pnpm exports to scripts (pnpm-only keys).
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_(config|package|lifecycle)_/i.test(key)),
);
const sh = (file, args, cwd) => run(file, args, { cwd, env: childEnv, maxBuffer: 64 * 1024 * 1024 });

async function publicPackages() {
  const found = [];
  for (const group of ["packages", "apps"]) {
    for (const name of (await readdir(join(root, group))).sort()) {
      const dir = join(group, name);
      let manifest;
      try {
        manifest = JSON.parse(await readFile(join(root, dir, "package.json"), "utf8"));
      } catch (error) {
        if (error.code === "ENOENT") continue;
        throw error;
      }
      if (!manifest.private) found.push({ name: manifest.name, version: manifest.version, dir });
    }
  }
  return found;
}

// The file name both npm and pnpm give a package's tarball.
const tarballName = ({ name, version }) => `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;

async function packWith(tool, packages, work) {
  const destination = join(work, tool);
  await mkdir(destination);
  if (tool === "pnpm") {
    const filters = packages.flatMap((pkg) => ["--filter", `./${pkg.dir}`]);
    // One package at a time: each prepack runs turbo, which would otherwise restore shared dependencies' dist
    // while a sibling's tsc reads it.
    await sh(
      "pnpm",
      ["-r", "--workspace-concurrency=1", ...filters, "pack", "--pack-destination", destination],
      root,
    );
  } else {
    // npm would run prepack too; pnpm's pack has just built the tree, so npm skips scripts and packs the same files.
    const dirs = packages.map((pkg) => `./${pkg.dir}`);
    await sh("npm", ["pack", "--ignore-scripts", "--pack-destination", destination, ...dirs], root);
  }
  return new Map(packages.map((pkg) => [pkg.name, join(destination, tarballName(pkg))]));
}

async function timed(label, action) {
  const start = performance.now();
  const result = await action();
  say(`${label}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

async function unpack(tarball, into) {
  await mkdir(into, { recursive: true });
  await sh("tar", ["-xzf", tarball, "-C", into]);
  return join(into, "package");
}

async function lint(label, tarball) {
  const data = await readFile(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    level: "suggestion",
  });
  for (const message of messages) {
    const line = `publint ${message.type} in ${label}: ${formatMessage(message, pkg, { color: false })}`;
    if (message.type === "suggestion") say(line);
    else problems.push(line);
  }
  return messages;
}

// pnpm pack replaces `workspace:^` by the range it stands for; npm pack cannot, and keeps it.
function sameDependencies(npmManifest, pnpmManifest, label) {
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    const fromNpm = npmManifest[field] ?? {};
    const fromPnpm = pnpmManifest[field] ?? {};
    for (const name of new Set([...Object.keys(fromNpm), ...Object.keys(fromPnpm)])) {
      if (fromNpm[name] === fromPnpm[name] || (fromNpm[name]?.startsWith("workspace:") && name in fromPnpm))
        continue;
      problems.push(
        `${label}: npm pack gives ${field}.${name} "${fromNpm[name]}", pnpm pack "${fromPnpm[name]}"`,
      );
    }
  }
}

/** Unpacks and checks both tarballs of each package, and that npm and pnpm packed the same package. */
async function checkTarballs(packages, pnpmTarballs, npmTarballs, work) {
  for (const pkg of packages) {
    const unpacked = {};
    let lintMessages = 0;
    for (const [tool, tarballs] of [
      ["pnpm", pnpmTarballs],
      ["npm", npmTarballs],
    ]) {
      const dir = await unpack(tarballs.get(pkg.name), join(work, `unpacked-${tool}`, pkg.dir));
      unpacked[tool] = await checkPackage(dir, {
        expectedDirectory: pkg.dir,
        allowWorkspaceProtocol: tool === "npm",
      });
      for (const problem of unpacked[tool].problems) problems.push(`${pkg.name} (${tool} pack): ${problem}`);
      lintMessages += (await lint(`${pkg.name} (${tool} pack)`, tarballs.get(pkg.name))).length;
    }
    if (unpacked.npm.files.join("\n") !== unpacked.pnpm.files.join("\n"))
      problems.push(`${pkg.name}: npm pack and pnpm pack ship different files`);
    sameDependencies(unpacked.npm.manifest, unpacked.pnpm.manifest, pkg.name);
    if (unpacked.npm.workspaceDependencies.length > 0)
      say(
        `note: npm pack of ${pkg.name} keeps "workspace:" for ${unpacked.npm.workspaceDependencies.join(", ")}` +
          " (publish with pnpm, as changesets does)",
      );
    const { files } = unpacked.pnpm;
    const count = (prefix) => files.filter((file) => file.startsWith(prefix)).length;
    const others = [
      ...new Set(
        files.filter((file) => !/^(dist|src)\//.test(file)).map((file) => file.replace(/\/.*/, "/")),
      ),
    ];
    say(
      `${pkg.name}: ${files.length} files: dist/ ${count("dist/")}, src/ ${count("src/")}, ${others.join(", ")};` +
        ` publint: ${lintMessages === 0 ? "no message" : `${lintMessages} message(s)`}`,
    );
  }
}

/**
 * A fresh npm project outside the workspace, with the published tarballs as its only copies of our packages
 * (overrides keep npm from looking for them on the registry; third-party dependencies come from the registry):
 * Node imports each package, and a strict nodenext TypeScript project type-checks against its declarations.
 */
async function checkConsumer(tarballs, work) {
  const consumer = join(work, "consumer");
  await mkdir(consumer);
  const names = [...tarballs.keys()];
  const typesNode = JSON.parse(await readFile(join(root, "package.json"), "utf8")).devDependencies[
    "@types/node"
  ];
  await writeFile(
    join(consumer, "package.json"),
    JSON.stringify({
      name: "pack-test-consumer",
      private: true,
      type: "module",
      dependencies: Object.fromEntries([...tarballs].map(([name, tarball]) => [name, `file:${tarball}`])),
      devDependencies: { "@types/node": typesNode },
      overrides: Object.fromEntries(names.map((name) => [name, `$${name}`])),
    }),
  );
  await timed("npm install in a fresh project", () =>
    sh(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error"],
      consumer,
    ),
  );

  await writeFile(
    join(consumer, "import-all.mjs"),
    [
      `for (const name of ${JSON.stringify(names)}) {`,
      "  const url = import.meta.resolve(name);",
      '  if (!url.includes("/node_modules/") || !url.endsWith("/dist/index.js")) throw new Error(`${name} resolved to ${url}`);',
      "  const exported = Object.keys(await import(name));",
      "  if (exported.length === 0) throw new Error(`${name} exports nothing`);",
      "  console.log(`${name}: ${exported.length} exports`);",
      "}",
    ].join("\n"),
  );
  const imported = await sh("node", ["import-all.mjs"], consumer);
  for (const line of imported.stdout.trim().split("\n")) say(`import ${line}`);

  const consumerSource = names
    .map((name, index) => `import * as p${index} from "${name}";`)
    .concat(
      `import { ServeError, isServeError } from "@sagemaker-serve/errors";`,
      `const error: ServeError = new ServeError("PACK_TEST", "a message", { hint: "a hint" });`,
      `export const checked: boolean = isServeError(error);`,
      `export const modules: readonly object[] = [${names.map((_, index) => `p${index}`).join(", ")}];`,
    )
    .join("\n");
  await writeFile(join(consumer, "consumer.ts"), `${consumerSource}\n`);
  await writeFile(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2023",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
      },
      files: ["consumer.ts"],
    }),
  );
  const typechecked = await timed("tsc on the consumer", () =>
    sh("node", [tsc, "-p", ".", "--listFiles"], consumer).catch((error) => {
      problems.push(`the TypeScript consumer does not type-check:\n${error.stdout}${error.stderr}`);
      return { stdout: "" };
    }),
  );
  const ours = typechecked.stdout
    .split("\n")
    .filter((file) => file.includes("/node_modules/@sagemaker-serve/"));
  if (ours.length === 0) problems.push("the TypeScript consumer read no declaration of ours");
  for (const file of ours.filter((file) => !/\/node_modules\/@sagemaker-serve\/[^/]+\/dist\//.test(file)))
    problems.push(`the TypeScript consumer read ${file}, not a dist declaration`);
  if (ours.length > 0)
    say(
      `TypeScript consumer (nodenext, skipLibCheck off) type-checks against ${ours.length} declaration files of ours`,
    );
}

const work = await mkdtemp(join(tmpdir(), "sagemaker-serve-pack-"));
try {
  const packages = await publicPackages();
  if (packages.length === 0) throw new Error("no public package found");
  const pnpmTarballs = await timed("pnpm pack (prepack builds)", () => packWith("pnpm", packages, work));
  await Promise.all([
    timed("npm pack and checks of every tarball", async () =>
      checkTarballs(packages, pnpmTarballs, await packWith("npm", packages, work), work),
    ),
    checkConsumer(pnpmTarballs, work),
  ]);
} catch (error) {
  problems.push(`${error.message}${error.stderr ? `\n${error.stderr}` : ""}`);
} finally {
  if (process.env.KEEP_TMP) say(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
for (const problem of problems) console.error(`pack-test: FAIL ${problem}`);
say(
  problems.length === 0
    ? `all tarballs correct (${seconds} s)`
    : `${problems.length} problem(s) (${seconds} s)`,
);
process.exitCode = problems.length === 0 ? 0 : 1;
