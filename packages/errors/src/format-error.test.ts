import { afterEach, describe, expect, it } from "vitest";
import { BUG_NOTICE, formatError } from "./format-error.ts";
import { clearSecrets, registerSecret } from "./secret-registry.ts";
import { ServeError } from "./serve-error.ts";

afterEach(() => clearSecrets());

describe("formatError", () => {
  it("renders a known error as code, message and hint, with no stack", () => {
    const error = new ServeError(
      "SERVER_NOT_READY",
      "the model server did not answer /ping within 600000 ms",
      {
        hint: "raise SAGEMAKER_STARTUP_TIMEOUT or look at the server log above",
      },
    );
    expect(formatError(error)).toBe(
      "error SERVER_NOT_READY: the model server did not answer /ping within 600000 ms\n" +
        "hint: raise SAGEMAKER_STARTUP_TIMEOUT or look at the server log above",
    );
  });

  it("omits the hint line when there is none", () => {
    expect(formatError(new ServeError("X", "m"))).toBe("error X: m");
  });

  it("lists causes on request, redacted", () => {
    registerSecret("CANARY-555555");
    const error = new ServeError("CODEARTIFACT_AUTH_FAILED", "could not get a token", {
      cause: new Error("denied for CANARY-555555", { cause: new Error("403") }),
    });
    expect(formatError(error, { causes: true })).toBe(
      "error CODEARTIFACT_AUTH_FAILED: could not get a token\n  caused by: denied for ***\n  caused by: 403",
    );
  });

  it("renders an unknown error as its stack and a bug notice", () => {
    const error = new TypeError("cannot read properties of undefined");
    const text = formatError(error);
    expect(text.startsWith("TypeError: cannot read properties of undefined\n    at ")).toBe(true);
    expect(text.endsWith(`\n${BUG_NOTICE}`)).toBe(true);
  });

  it("renders a thrown non-error value", () => {
    expect(formatError(42)).toBe(`non-error thrown: 42\n${BUG_NOTICE}`);
  });

  it("redacts the stack of an unknown error", () => {
    registerSecret("CANARY-666666");
    expect(formatError(new Error("url https://u:p@h/ and CANARY-666666"))).not.toMatch(/CANARY-666666|u:p@/);
  });
});
