import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeFrameHead, FrameError, FrameReader, type Frame } from "./frame.ts";

function encode(header: Record<string, unknown>, parts: Buffer[]): Buffer {
  return Buffer.concat([encodeFrameHead(header, parts), ...parts]);
}

function readAll(bytes: Buffer, chunkSize: number): Frame[] {
  const reader = new FrameReader();
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize)
    frames.push(...reader.push(bytes.subarray(at, at + chunkSize)));
  return frames;
}

describe("worker frames", () => {
  it("round-trips frames split and joined at any byte", () => {
    const bytes = Buffer.concat([
      encode({ a: 1 }, [Buffer.from("xy"), Buffer.from("z")]),
      encode({ b: "é" }, []),
      encode({ c: [] }, [Buffer.alloc(0), Buffer.from("w")]),
    ]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new FrameReader();
      const frames = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      expect(frames.map((f) => [f.header, f.parts.map((p) => Buffer.concat(p).toString())])).toEqual([
        [{ a: 1, parts: [2, 1] }, ["xy", "z"]],
        [{ b: "é", parts: [] }, []],
        [{ c: [], parts: [0, 1] }, ["", "w"]],
      ]);
    }
  });

  it("reads a 40 MiB many-chunk frame byte-exact, one byte-chunk size after another", () => {
    const big = randomBytes(40 * 1024 * 1024);
    const small = randomBytes(1000);
    const bytes = encode({ id: "x" }, [big, small]);
    for (const chunkSize of [65_536, 212_992, 7_777_777]) {
      const [frame, ...rest] = readAll(bytes, chunkSize);
      expect(rest).toEqual([]);
      expect(Buffer.concat(frame!.parts[0]!).equals(big)).toBe(true);
      expect(Buffer.concat(frame!.parts[1]!).equals(small)).toBe(true);
    }
  });

  it("copies no body byte: parts are views of the chunks received, cut at part boundaries", () => {
    const head = encodeFrameHead({}, [Buffer.alloc(300_000), Buffer.alloc(5)]);
    const chunks = [Buffer.concat([head, Buffer.alloc(100_000, 1)]), Buffer.alloc(200_005, 2)];
    const reader = new FrameReader();
    expect(reader.push(chunks[0]!)).toEqual([]);
    const [frame] = reader.push(chunks[1]!);
    const [first, second] = frame!.parts;
    expect(first!.map((view) => view.length)).toEqual([100_000, 200_000]);
    expect(first![0]!.buffer).toBe(chunks[0]!.buffer);
    expect(first![1]!.buffer).toBe(chunks[1]!.buffer);
    expect(second!.map((view) => [view.length, view.buffer === chunks[1]!.buffer])).toEqual([[5, true]]);
  });

  it("refuses garbage with FrameError: bad JSON, a header that is no object, parts that do not add up", () => {
    const prefix = (headerLength: number, blobLength: number) => {
      const b = Buffer.alloc(12);
      b.writeUInt32BE(headerLength, 0);
      b.writeUInt32BE(0, 4);
      b.writeUInt32BE(blobLength, 8);
      return b;
    };
    const frame = (json: string, blob = 0) =>
      Buffer.concat([prefix(Buffer.byteLength(json), blob), Buffer.from(json), Buffer.alloc(blob)]);
    for (const bad of [
      frame("NaN"),
      frame('{"parts": [1]'),
      frame("[1]"),
      frame('{"parts": [2]}', 3),
      frame('{"parts": [-1, 2]}', 1),
      frame('{"code": 200}'),
      prefix(0, 0),
      prefix(17 * 1024 * 1024, 0),
    ]) {
      expect(() => new FrameReader().push(bad)).toThrow(FrameError);
    }
  });
});
