/**
 * Frames on the worker socket: `u32 length | u32 header length | JSON header | blob`, big-endian. Encoded into one
 * buffer (one copy of each chunk, one write): the worker never sees half a frame and there is no second concat.
 */
export function encodeFrame(header: unknown, chunks: readonly Buffer[] = []): Buffer {
  const json = JSON.stringify(header);
  const jsonLength = Buffer.byteLength(json, "utf8");
  let total = 4 + jsonLength;
  for (const chunk of chunks) total += chunk.length;
  const frame = Buffer.allocUnsafe(4 + total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(jsonLength, 4);
  frame.write(json, 8, "utf8");
  let offset = 8 + jsonLength;
  for (const chunk of chunks) offset += chunk.copy(frame, offset);
  return frame;
}

export interface Frame {
  header: unknown;
  blob: Buffer;
}

/** Accumulates socket data and yields complete frames. */
export class FrameReader {
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  push(chunk: Buffer): Frame[] {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.#pendingBytes < 4) break;
      const buffer = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
      this.#pending = [buffer];
      const length = buffer.readUInt32BE(0);
      if (buffer.length < 4 + length) break;
      const headerLength = buffer.readUInt32BE(4);
      const header: unknown = JSON.parse(buffer.toString("utf8", 8, 8 + headerLength));
      frames.push({ header, blob: buffer.subarray(8 + headerLength, 4 + length) });
      const rest = buffer.subarray(4 + length);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#pendingBytes = rest.length;
    }
    return frames;
  }
}
