import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { BUNDLE, assertBundleBuilt, runCli } from "./harness.ts";

describe("the JS bundle", () => {
  it("is declared an ES module by a package.json beside it", async () => {
    await assertBundleBuilt();
    expect(JSON.parse(await readFile(join(BUNDLE, "..", "package.json"), "utf8"))).toEqual({
      type: "module",
    });
  });

  it("on a Node older than engines.node names the minimum before doing anything else, exit 1", async () => {
    await assertBundleBuilt();
    const dir = await useTempDir({ prefix: "sagemaker-serve-old-node-" });
    const cli = runCli(["serve"], {
      env: { PATH: "/usr/bin:/bin", HOME: dir, TMPDIR: dir },
      cwd: dir,
      nodeArgs: ["--import", new URL("fixtures/node/old-node.mjs", import.meta.url).href],
    });
    expect(await cli.exit).toEqual({ code: 1, signal: null });
    const { engines } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      engines: { node: string };
    };
    expect(cli.output()).toBe(
      `error NODE_VERSION_UNSUPPORTED: sagemaker-serve needs Node.js ${engines.node}, got v18.20.4 (${process.execPath})\n` +
        `hint: install Node.js ${engines.node.slice(2)} or newer (Debian 13: apt-get install nodejs), or use the single executable dist/sagemaker-serve, which needs no Node.js\n`,
    );
  });
});
