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

/** Encodes the prefix and header of a frame whose blob is `parts` written after it (vectored, no concat). */
export function encodeFrameHead(header: Record<string, unknown>, parts: readonly Uint8Array[]): Buffer {
  const lengths = parts.map((part) => part.byteLength);
  const json = JSON.stringify({ ...header, parts: lengths });
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
  /** The blob's parts, in order, as views into one buffer allocated for the frame. */
  parts: Buffer[];
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
 * Reads frames from socket chunks in linear time: the prefix and header are gathered in small buffers, and the
 * blob goes into one buffer allocated from its length, each chunk copied once. Throws FrameError on garbage.
 */
export class FrameReader {
  #prefix = Buffer.alloc(FRAME_PREFIX_BYTES);
  #prefixFilled = 0;
  #headerLength = 0;
  #blobLength = 0;
  #header: Buffer | undefined;
  #headerFilled = 0;
  #parsed: FrameHeader | undefined;
  #blob: Buffer | undefined;
  #blobFilled = 0;

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#prefixFilled < FRAME_PREFIX_BYTES) {
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
        this.#blob = Buffer.allocUnsafe(this.#blobLength);
      }
      const blob = this.#blob!;
      if (this.#blobFilled < blob.length) {
        const n = chunk.copy(blob, this.#blobFilled, offset);
        this.#blobFilled += n;
        offset += n;
      }
      if (this.#blobFilled === blob.length) frames.push(this.#finishFrame());
    }
    return frames;
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
    const header = this.#parsed!;
    const blob = this.#blob!;
    const parts: Buffer[] = [];
    let at = 0;
    for (const length of header.parts) {
      parts.push(blob.subarray(at, at + length));
      at += length;
    }
    this.#prefixFilled = 0;
    this.#header = undefined;
    this.#parsed = undefined;
    this.#blob = undefined;
    this.#blobFilled = 0;
    return { header, parts };
  }
}
