import { ServeError } from "@sagemaker-serve/errors";
import { describe, expect, it } from "vitest";
import { failureCode } from "./serve.ts";

describe("failureCode", () => {
  it.each([
    ["ENV_INVALID", 2],
    ["CONFIG_VALUE_INVALID", 2],
    ["CONFIG_WRITE_FAILED", 4],
    ["ARCHIVE_NO_SPACE", 4],
    ["CODEARTIFACT_ACCESS_DENIED", 3],
    ["PIP_INSTALL_FAILED", 3],
    ["PIP_TIMEOUT", 3],
    ["REQUIREMENTS_POLICY", 3],
    ["PORT_IN_USE", 5],
    ["LAUNCHER_NOT_FOUND", 5],
    ["SERVER_NOT_READY", 5],
  ])("maps %s to %i", (code, exit) => {
    expect(failureCode(new ServeError(code, "x"))).toBe(exit);
  });

  it("maps anything else (a bug) to 1", () => {
    expect(failureCode(new TypeError("boom"))).toBe(1);
  });
});
