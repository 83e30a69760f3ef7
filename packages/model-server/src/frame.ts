/**
 * Frames on the worker socket: `u32 header length | u64 blob length | JSON header | blob`, big-endian. The header's
 * `parts` lists the lengths the blob is cut into (request or response bodies), so each side can give every part a
 * buffer of its own without a second copy.
 */
export const FRAME_PREFIX_BYTES = 12;

/** A header longer than this is not ours: the worker wrote garbage. */
export const MAX_FRAME_HEADER_BYTES = 16 * 1024 * 1024;

/** Node's largest Buffer is near 4 GiB; a frame claiming more is malformed. */
export const MAX_FRAME_BLOB_BYTES = 2 ** 32 - 1;

export interface FrameHeader {
  parts: number[];
  [key: string]: unknown;
}

/** The worker broke the protocol: the frame cannot be read and the worker must go. */
export class FrameError extends Error {
  override name = "FrameError";
}

function partLength(part: Uint8Array | readonly Uint8Array[]): number {
  if (!Array.isArray(part)) return (part as Uint8Array).byteLength;
  let length = 0;
  for (const chunk of part as readonly Uint8Array[]) length += chunk.byteLength;
  return length;
}

/**
 * Encodes the prefix and header of a frame whose blob is `parts` written after it (vectored, no concat); a part is
 * a buffer or the list of chunks it is made of.
 */
export function encodeFrameHead(
  header: Record<string, unknown>,
  parts: ReadonlyArray<Uint8Array | readonly Uint8Array[]>,
): Buffer {
  // The caller's header object gets its parts list set in place: a spread copy doubles the cost of stringify.
  header.parts = parts.map(partLength);
  const lengths = header.parts as number[];
  const json = JSON.stringify(header);
  const jsonLength = Buffer.byteLength(json, "utf8");
  let blobLength = 0;
  for (const length of lengths) blobLength += length;
  const head = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + jsonLength);
  head.writeUInt32BE(jsonLength, 0);
  head.writeUInt32BE(Math.floor(blobLength / 2 ** 32), 4);
  head.writeUInt32BE(blobLength % 2 ** 32, 8);
  head.write(json, FRAME_PREFIX_BYTES, "utf8");
  return head;
}

export interface Frame {
  header: FrameHeader;
  /** The blob's parts, in order, each as the list of received chunks it spans (views, never copies). */
  parts: Buffer[][];
}

function parseHeader(text: string, blobLength: number): FrameHeader {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new FrameError(`frame header is not JSON: ${(error as Error).message}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    throw new FrameError("frame header is not a JSON object");
  const parts = (header as { parts?: unknown }).parts;
  if (!Array.isArray(parts) || !parts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0))
    throw new FrameError("frame header has no valid parts list");
  const sum = (parts as number[]).reduce((a, b) => a + b, 0);
  if (sum !== blobLength)
    throw new FrameError(`frame parts add up to ${sum}, not the blob's ${blobLength} bytes`);
  return header as FrameHeader;
}

/**
 * Reads frames from socket chunks in linear time: the prefix and header are gathered in small buffers; the blob's
 * parts are kept as views of the chunks they arrived in, so megabyte bodies are never copied on this side.
 * Throws FrameError on garbage.
 */
export class FrameReader {
  #prefix = Buffer.alloc(FRAME_PREFIX_BYTES);
  #prefixFilled = 0;
  #headerLength = 0;
  #blobLength = 0;
  #header: Buffer | undefined;
  #headerFilled = 0;
  #parsed: FrameHeader | undefined;
  #parts: Buffer[][] = [];
  /** Index of the part being filled, and the bytes it still lacks. */
  #part = 0;
  #partMissing = 0;

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    for (;;) {
      if (this.#prefixFilled < FRAME_PREFIX_BYTES) {
        if (offset === chunk.length) break;
        const n = chunk.copy(this.#prefix, this.#prefixFilled, offset);
        this.#prefixFilled += n;
        offset += n;
        if (this.#prefixFilled < FRAME_PREFIX_BYTES) break;
        this.#startFrame();
      }
      if (this.#parsed === undefined) {
        const header = this.#header!;
        const n = chunk.copy(header, this.#headerFilled, offset);
        this.#headerFilled += n;
        offset += n;
        if (this.#headerFilled < header.length) break;
        this.#parsed = parseHeader(header.toString("utf8"), this.#blobLength);
        this.#parts = this.#parsed.parts.map(() => []);
        this.#part = 0;
        this.#partMissing = this.#parsed.parts[0] ?? 0;
      }
      offset = this.#fillParts(chunk, offset);
      if (this.#part < this.#parts.length) break;
      frames.push(this.#finishFrame());
    }
    return frames;
  }

  /** Takes what `chunk` holds of the parts from `offset` on; returns where it stopped. */
  #fillParts(chunk: Buffer, offset: number): number {
    const lengths = this.#parsed!.parts;
    while (this.#part < lengths.length) {
      if (this.#partMissing === 0) {
        this.#part += 1;
        this.#partMissing = lengths[this.#part] ?? 0;
        continue;
      }
      if (offset === chunk.length) break;
      const n = Math.min(this.#partMissing, chunk.length - offset);
      this.#parts[this.#part]!.push(chunk.subarray(offset, offset + n));
      this.#partMissing -= n;
      offset += n;
    }
    return offset;
  }

  #startFrame(): void {
    this.#headerLength = this.#prefix.readUInt32BE(0);
    this.#blobLength = this.#prefix.readUInt32BE(4) * 2 ** 32 + this.#prefix.readUInt32BE(8);
    if (this.#headerLength === 0 || this.#headerLength > MAX_FRAME_HEADER_BYTES)
      throw new FrameError(`frame header length ${this.#headerLength} is out of range`);
    if (this.#blobLength > MAX_FRAME_BLOB_BYTES)
      throw new FrameError(`frame blob length ${this.#blobLength} is out of range`);
    this.#header = Buffer.allocUnsafe(this.#headerLength);
    this.#headerFilled = 0;
  }

  #finishFrame(): Frame {
    const frame = { header: this.#parsed!, parts: this.#parts };
    this.#prefixFilled = 0;
    this.#header = undefined;
    this.#parsed = undefined;
    this.#parts = [];
    return frame;
  }
}
