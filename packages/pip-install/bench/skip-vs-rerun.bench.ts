import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeTempDir, type TempDir } from "@sagemaker-serve/test-utils";
import { startPypiIndex, type PypiIndex } from "@sagemaker-serve/test-utils/pypi-index";
import { writeWheel } from "@sagemaker-serve/test-utils/wheel";
import { installRequirements, type InstallRequirementsOptions } from "../src/index.ts";
import { hermeticEnv, makeVenv } from "../test/helpers.ts";

// A container restart whose requirements are already installed: our skip path against running pip again
// ("Requirement already satisfied" for every line), same requirements, same interpreter, same index.
const PACKAGES = 12;
const ROUNDS = 7;
const TOKEN = "CANARY-bench-0123456789abcdef";

let venv: Awaited<ReturnType<typeof makeVenv>>;
let work: TempDir;
let index: PypiIndex;
let options: InstallRequirementsOptions;

beforeAll(async () => {
  venv = await makeVenv();
  work = await makeTempDir({ prefix: "pip-install-bench-" });
  const wheelDir = join(work.path, "wheels");
  await mkdir(wheelDir);
  const names = Array.from({ length: PACKAGES }, (_, i) => `bench-pkg-${i}`);
  const wheels = await Promise.all(
    names.map((name) => writeWheel({ dir: wheelDir, name, version: "1.0.0" })),
  );
  index = await startPypiIndex({
    wheels,
    basePath: "/pypi/repo/simple/",
    auth: { username: "aws", password: TOKEN },
  });
  const requirementsPath = join(work.path, "requirements.txt");
  await writeFile(requirementsPath, names.map((n) => `${n}==1.0.0\n`).join(""));
  options = {
    requirementsPath,
    python: venv.python,
    index: { indexUrl: index.url, username: "aws", password: TOKEN },
    timeoutMs: 120_000,
    statePath: join(work.path, "state.json"),
    tmpDir: work.path,
    env: hermeticEnv(),
  };
  expect((await installRequirements(options)).reason).toBe("installed");
});

afterAll(async () => {
  await index?.close();
  await work?.cleanup();
  await venv?.cleanup();
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

it(`restart with ${PACKAGES} requirements already installed: skip vs pip again`, async () => {
  const skip: number[] = [];
  const rerun: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    let start = performance.now();
    expect((await installRequirements(options)).reason).toBe("unchanged");
    skip.push(performance.now() - start);
    start = performance.now();
    expect((await installRequirements({ ...options, force: true })).reason).toBe("installed");
    rerun.push(performance.now() - start);
  }
  const skipMs = median(skip);
  const rerunMs = median(rerun);
  console.log(
    [
      `pip-install bench (${ROUNDS} rounds, median, ${PACKAGES} pinned requirements, private index on 127.0.0.1)`,
      `  skip path (unchanged):              ${skipMs.toFixed(1)} ms`,
      `  pip again (already satisfied):      ${rerunMs.toFixed(1)} ms`,
      `  ratio (pip again / skip):           ${(rerunMs / skipMs).toFixed(1)}x`,
    ].join("\n"),
  );
});
