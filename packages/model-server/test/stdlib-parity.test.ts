import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { promisify } from "node:util";
import { makeTempDir, type TempDir } from "@sagemaker-serve/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, serve } from "./helpers.ts";
import { hasModule, installFromConfiguredIndex, makeVenv } from "./python-venvs.ts";

const run = promisify(execFile);
const TESTS = fileURLToPath(new URL("../python/tests/", import.meta.url));
const env = { ...process.env };

let dir: TempDir;
let withoutNumpy: string;
let withNumpy: string | null = null;
let noNumpyReason = "";

beforeAll(async () => {
  dir = await makeTempDir({ prefix: "stdlib-parity-" });
  withoutNumpy = await makeVenv(join(dir.path, "without-numpy"), { env, pip: false });
  const numpyVenv = await makeVenv(join(dir.path, "with-numpy"), { env });
  const install = await installFromConfiguredIndex(numpyVenv, "numpy", env);
  if (install.installed) withNumpy = numpyVenv;
  else noNumpyReason = install.reason;
}, 600_000);

afterAll(() => dir.cleanup());

async function answers(python: string, name: string): Promise<string> {
  const { stdout } = await run(python, [join(TESTS, "parity_answers.py")], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const file = join(dir.path, name);
  await writeFile(file, stdout);
  return file;
}

describe("the bundled handler side without numpy answers as sagemaker-inference-toolkit with numpy", () => {
  it("has two interpreters: a venv without numpy, and one with numpy from the configured index", async (ctx) => {
    expect(await hasModule(withoutNumpy, "numpy", env)).toBe(false);
    if (withNumpy === null) ctx.skip(noNumpyReason);
    expect(await hasModule(withNumpy as string, "numpy", env)).toBe(true);
  });

  it("gives the same answer to every case of the table, or refuses by name what only numpy can answer", async (ctx) => {
    if (withNumpy === null) ctx.skip(noNumpyReason);
    const numpyAnswers = await answers(withNumpy as string, "with-numpy.jsonl");
    const stdlibAnswers = await answers(withoutNumpy, "without-numpy.jsonl");
    const compared = await run(
      withoutNumpy,
      [join(TESTS, "parity_compare.py"), numpyAnswers, stdlibAnswers],
      {
        env,
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: { stdout: string; code: number }) => error);
    expect(compared.stdout).toBe("");
  });

  it("serves script mode (inference.py) with the toolkit's bytes under either interpreter", async (ctx) => {
    const interpreters = withNumpy === null ? [withoutNumpy] : [withoutNumpy, withNumpy];
    const bodies: string[][] = [];
    for (const python of interpreters) {
      const { url } = await serve({
        modelDir: `${FIXTURES}script-model`,
        handlerService: "sagemaker_inference.default_handler_service",
        python,
      });
      const invoke = async (contentType: string, body: string): Promise<string> => {
        const res = await fetch(url("/invocations"), {
          method: "POST",
          headers: { "content-type": contentType, accept: contentType },
          body,
        });
        return res.text();
      };
      bodies.push([
        await invoke("text/csv", "1,2,3\n4,5,6"),
        await invoke("application/json", "[[1, 2.5, 3]]"),
      ]);
    }
    // numpy makes [[1, 2.5, 3]] a float array, so the weighted sum is a float even though the weights are ints.
    for (const answer of bodies) expect(answer).toEqual(["321\n654\n", "[[326.0]]"]);
    if (withNumpy === null) ctx.skip(`only the interpreter without numpy was checked: ${noNumpyReason}`);
  });
});
