import { describe, expect, it } from "vitest";
import { encodeFrame, FrameReader } from "./frame.ts";

describe("worker frames", () => {
  it("round-trips frames split and joined at any byte", () => {
    const bytes = Buffer.concat([
      encodeFrame({ a: 1 }, [Buffer.from("xy"), Buffer.from("z")]),
      encodeFrame({ b: "é" }),
    ]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new FrameReader();
      const frames = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      expect(frames.map((f) => [f.header, f.blob.toString()])).toEqual([
        [{ a: 1 }, "xyz"],
        [{ b: "é" }, ""],
      ]);
    }
  });
});
