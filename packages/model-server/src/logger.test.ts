import { describe, expect, it } from "vitest";
import { printable } from "./logger.ts";

describe("printable", () => {
  it("escapes control characters so one handler line stays one log line", () => {
    expect(printable("a\nb\r\u0000c\u001b[31m")).toBe("a\\x0ab\\x0d\\x00c\\x1b[31m");
    expect(printable("plain text é")).toBe("plain text é");
  });
});
