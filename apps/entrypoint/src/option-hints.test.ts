import { describe, expect, it } from "vitest";
import { unknownOptionHint } from "./option-hints.ts";
import { closestMatch } from "./suggest.ts";

const SERVE = {
  backend: { type: "string" },
  handler: { type: "string" },
  help: { type: "boolean" },
} as const;

describe("unknownOptionHint", () => {
  it("names the variable for an option spelled after it, with the value given", () => {
    expect(unknownOptionHint(["--handler", "h.py", "--port", "9000"], SERVE)).toContain(
      "set SAGEMAKER_BIND_TO_PORT=9000 instead",
    );
    expect(unknownOptionHint(["--pip-force"], SERVE)).toContain("set SAGEMAKER_SERVE_PIP_FORCE instead");
    expect(unknownOptionHint(["--multi-model=true"], SERVE)).toContain(
      "set SAGEMAKER_MULTI_MODEL=true instead",
    );
    expect(unknownOptionHint(["--ca-repository-arn", "arn:x"], SERVE)).toContain(
      "set CA_REPOSITORY_ARN=arn:x",
    );
  });

  it("does not take a known option's value for an option, nor look past --", () => {
    expect(unknownOptionHint(["--handler", "--port"], SERVE)).toBeUndefined();
    expect(unknownOptionHint(["--", "--port"], SERVE)).toBeUndefined();
  });

  it("suggests a declared option for a typo and says nothing for an unrelated word", () => {
    expect(unknownOptionHint(["--handlr", "x"], SERVE)).toBe(
      "unknown option '--handlr'; did you mean '--handler'?",
    );
    expect(unknownOptionHint(["--frobnicate"], SERVE)).toBeUndefined();
  });
});

describe("closestMatch", () => {
  it("accepts up to two edits and fewer than half the word", () => {
    const commands = ["serve", "archive", "config", "doctor"];
    expect(closestMatch("serv", commands)).toBe("serve");
    expect(closestMatch("Archiv", commands)).toBe("archive");
    expect(closestMatch("train", commands)).toBeUndefined();
    expect(closestMatch("cf", commands)).toBeUndefined();
  });
});
