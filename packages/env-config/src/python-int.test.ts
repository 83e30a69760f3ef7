import { describe, expect, it } from "vitest";
import { parsePythonInt } from "./python-int.ts";

describe("parsePythonInt mirrors Python int()", () => {
  it.each([
    ["60", 60n],
    ["  60  ", 60n],
    ["\t20\n", 20n],
    ["\u00a030\u3000", 30n],
    ["+5", 5n],
    ["-5", -5n],
    ["1_000", 1000n],
    ["007", 7n],
    ["0_0", 0n],
    ["-0", 0n],
    ["99999999999999999999", 99999999999999999999n],
  ])("accepts %j as %s", (text, expected) => {
    expect(parsePythonInt(text)).toBe(expected);
  });

  it.each([
    "",
    "   ",
    "20.0",
    "1e3",
    "0x10",
    "ten",
    "_1",
    "1_",
    "1__0",
    "+_1",
    "- 1",
    "++1",
    "1 2",
    "1\u0000",
    "١٢",
  ])("rejects %j", (text) => {
    expect(parsePythonInt(text)).toBeUndefined();
  });
});
