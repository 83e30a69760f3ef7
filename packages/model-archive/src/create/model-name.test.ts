import { describe, expect, it } from "vitest";
import { assertValidModelName, isValidModelName } from "./model-name.ts";

describe("model name regex (TestModelNameRegEx)", () => {
  it("accepts the upstream pass list", () => {
    for (const name of [
      "my-awesome-model",
      "Aa.model",
      "a",
      "aA.model",
      "a1234.model",
      "a-A-A.model",
      "123-abc",
    ]) {
      expect(isValidModelName(name), name).toBe(true);
    }
  });

  it("rejects the upstream fail list", () => {
    for (const name of [
      "abc%",
      "123$abc",
      "abc!123",
      "@123",
      "(model",
      "mdoel)",
      "12*model-a.model",
      "##.model",
      "-.model",
    ]) {
      expect(isValidModelName(name), name).toBe(false);
    }
  });

  it("throws the Python message", () => {
    expect(() => assertValidModelName("-.model")).toThrowErrorMatchingInlineSnapshot(`
      [ServeError: Model name contains special characters.
      The allowed regular expression filter for model name is: ^[A-Za-z0-9][A-Za-z0-9_\\-.]*$]
    `);
  });
});
