import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter.ts";

function split(chunks: Array<string | Buffer>, maxLineBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter({
    onLine: (line) => lines.push(line),
    ...(maxLineBytes ? { maxLineBytes } : {}),
  });
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("splits on LF across chunk boundaries, drops a CR before it, and emits the unterminated last line at the end", () => {
    expect(split(["ab", "c\nd", "e\r\n\nf"])).toEqual(["abc", "de", "", "f"]);
    expect(split(["x\n"])).toEqual(["x"]);
  });

  it("keeps multi-byte characters split between chunks whole", () => {
    const bytes = Buffer.from("é€\n");
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)])).toEqual(["é€"]);
  });

  it("cuts a long line at the cap with a marker counting what was dropped, then goes on with the next line", () => {
    expect(split(["0123456789abc", "def\nnext\n"], 10)).toEqual(["0123456789… [6 bytes truncated]", "next"]);
  });

  it("holds at most the cap while megabytes arrive without a newline", () => {
    const lines = split(Array.from({ length: 256 }, () => Buffer.alloc(64 * 1024, 0x79)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`${"y".repeat(64 * 1024)}… [${16 * 1024 * 1024 - 64 * 1024} bytes truncated]`);
  });
});
