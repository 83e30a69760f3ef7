import { readFile, readdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SERVE_ENV_VARIABLES, renderVariableTable } from "../src/index.ts";

const README = fileURLToPath(new URL("../README.md", import.meta.url));
const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const START =
  "<!-- env-table:start (generated from SERVE_ENV_VARIABLES by test/readme.test.ts) -->\n<!-- prettier-ignore-start -->";
const END = "<!-- prettier-ignore-end -->\n<!-- env-table:end -->";

describe("README", () => {
  it("holds exactly the variable table generated from the schema (UPDATE_ENV_TABLE=1 rewrites it)", async () => {
    const text = await readFile(README, "utf8");
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const expected = `${START}\n${renderVariableTable()}\n${END}`;
    if (process.env.UPDATE_ENV_TABLE === "1") {
      await writeFile(README, text.slice(0, start) + expected + text.slice(end + END.length));
      return;
    }
    expect(text.slice(start, end + END.length)).toBe(expected);
  });

  it("the table lists every variable the issue names", () => {
    const names = SERVE_ENV_VARIABLES.map((variable) => variable.name);
    for (const name of [
      "SAGEMAKER_BASE_DIR",
      "SAGEMAKER_MULTI_MODEL",
      "SAGEMAKER_PROGRAM",
      "SAGEMAKER_MODEL_SERVER_TIMEOUT",
      "SAGEMAKER_MODEL_SERVER_TIMEOUT_SECONDS",
      "SAGEMAKER_MODEL_SERVER_WORKERS",
      "SAGEMAKER_STARTUP_TIMEOUT",
      "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT",
      "SAGEMAKER_BIND_TO_PORT",
      "SAGEMAKER_SAFE_PORT_RANGE",
      "SAGEMAKER_MODEL_SERVER_VMARGS",
      "SAGEMAKER_MAX_PAYLOAD_IN_MB",
      "SAGEMAKER_HANDLER",
      "CA_REPOSITORY_ARN",
      "PYTHONPATH",
      "SAGEMAKER_TS_BATCH_SIZE",
      "SAGEMAKER_TS_MAX_BATCH_DELAY",
      "SAGEMAKER_TS_MIN_WORKERS",
      "SAGEMAKER_TS_MAX_WORKERS",
      "SAGEMAKER_TS_RESPONSE_TIMEOUT",
      "SAGEMAKER_SERVE_BACKEND",
      "SAGEMAKER_SERVE_HANDLER",
      "SAGEMAKER_SERVE_CONFIG_PATH",
      "SAGEMAKER_SERVE_STOP_GRACE_SECONDS",
      "SAGEMAKER_SERVE_PYTHON",
      "SAGEMAKER_SERVE_LOG_FORMAT",
      "SAGEMAKER_SERVE_PIP_TIMEOUT_SECONDS",
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it("no source file reads process.env", async () => {
    const files = (await readdir(SRC)).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect({
        file,
        readsEnv: /process\s*\.\s*env|process\[/.test(await readFile(`${SRC}${file}`, "utf8")),
      }).toEqual({
        file,
        readsEnv: false,
      });
    }
  });
});
