import { afterEach, describe, expect, it, vi } from "vitest";
import { isServeError, ServeError } from "./serve-error.ts";
import { clearSecrets, registerSecret } from "./secret-registry.ts";

afterEach(() => clearSecrets());

describe("ServeError", () => {
  it("carries code, message, hint and cause", () => {
    const cause = new Error("ENOENT");
    const error = new ServeError("PIP_NOT_AVAILABLE", "python3 not found", {
      hint: "install python3",
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("PIP_NOT_AVAILABLE");
    expect(error.message).toBe("python3 not found");
    expect(error.hint).toBe("install python3");
    expect(error.cause).toBe(cause);
    expect(error.name).toBe("ServeError");
  });

  it("redacts message and hint when made", () => {
    registerSecret("CANARY-777777");
    const error = new ServeError("X", "bad https://aws:CANARY-777777@h/", { hint: "rotate CANARY-777777" });
    expect(error.message).toBe("bad https://***@h/");
    expect(error.hint).toBe("rotate ***");
  });

  it("serialises to JSON without stack or cause", () => {
    const error = new ServeError("ENV_INVALID", "bad env", { hint: "fix it", cause: new Error("x") });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "ServeError",
      code: "ENV_INVALID",
      message: "bad env",
      hint: "fix it",
    });
  });

  it("keeps subclass names and codes", () => {
    class PipError extends ServeError<"PIP_TIMEOUT"> {
      override name = "PipError";
    }
    const error = new PipError("PIP_TIMEOUT", "slow");
    expect(isServeError(error)).toBe(true);
    expect(error.name).toBe("PipError");
  });
});

describe("isServeError", () => {
  it("accepts an error from another copy of the package (same brand, other class)", async () => {
    vi.resetModules();
    const copy: typeof import("./serve-error.ts") = await import("./serve-error.ts");
    expect(copy.ServeError).not.toBe(ServeError);
    const foreign = new copy.ServeError("OTHER_COPY", "from a duplicate copy");
    expect(foreign instanceof ServeError).toBe(false);
    expect(isServeError(foreign)).toBe(true);
  });

  it("rejects plain errors and look-alikes", () => {
    expect(isServeError(new Error("x"))).toBe(false);
    expect(isServeError({ code: "X", message: "y" })).toBe(false);
    expect(isServeError(null)).toBe(false);
    expect(isServeError("ServeError")).toBe(false);
  });
});
