import { afterEach, describe, expect, it } from "vitest";
import { LineRedactor } from "./line-redactor.ts";
import { clearSecrets, registerSecret } from "./secret-registry.ts";

afterEach(() => clearSecrets());

function collect(chunks: Array<string | Uint8Array>, maxLineLength?: number): string[] {
  const lines: string[] = [];
  const redactor = new LineRedactor({ onLine: (line) => lines.push(line), maxLineLength });
  for (const chunk of chunks) redactor.write(chunk);
  redactor.end();
  return lines;
}

describe("LineRedactor", () => {
  it("finds a registered secret split across chunks", () => {
    registerSecret("CANARY-0123456789");
    expect(collect(["Looking in indexes: https://x/?t=CANARY-01", "23456789\nnext line\n"])).toEqual([
      "Looking in indexes: https://x/?t=***",
      "next line",
    ]);
  });

  it("finds URL userinfo split across chunks, byte by byte", () => {
    const text = "Collecting from https://aws:tok-xyz@host/simple/\n";
    const bytes = Buffer.from(text);
    const chunks = [...bytes].map((b) => Uint8Array.of(b));
    expect(collect(chunks)).toEqual(["Collecting from https://***@host/simple/"]);
  });

  it("keeps multi-byte characters whole across chunks", () => {
    const bytes = Buffer.from("héllo wörld\n");
    expect(collect([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual(["héllo wörld"]);
  });

  it("strips CR of CRLF and flushes a last line without newline", () => {
    expect(collect(["a\r\nb\r\n", "tail"])).toEqual(["a", "b", "tail"]);
  });

  it("cuts an overlong line at white space so a secret is not split", () => {
    registerSecret("SECRET-abcdef");
    const lines = collect(["aaaa bbbb SECRET-abcdef cccc dd"], 12);
    expect(lines.join("")).not.toContain("SECRET");
    // "SECRET-abcdef" is longer than the limit and has no white space: it goes out whole, redacted.
    expect(lines).toEqual(["aaaa bbbb ", "*** cccc dd"]);
  });
});
