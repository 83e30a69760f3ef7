/** Handler output lines longer than this are cut, with a marker saying how much was dropped. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

export interface LineSplitterOptions {
  /** Longest line kept, in bytes; the rest of a longer line is counted and dropped. */
  maxLineBytes?: number;
  onLine: (line: string) => void;
}

/**
 * Splits a byte stream into lines in linear time and bounded memory: at most `maxLineBytes` of a line are held;
 * a longer line is emitted once, cut, with `… [N bytes truncated]`, when its newline (or the end) arrives.
 */
export class LineSplitter {
  readonly #max: number;
  readonly #onLine: (line: string) => void;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #dropped = 0;

  constructor({ maxLineBytes = MAX_LOG_LINE_BYTES, onLine }: LineSplitterOptions) {
    this.#max = maxLineBytes;
    this.#onLine = onLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        this.#hold(chunk.subarray(start));
        return;
      }
      this.#hold(chunk.subarray(start, newline));
      this.#emit();
      start = newline + 1;
    }
  }

  /** Emits what is held as the last line (the stream ended without a newline). */
  end(): void {
    if (this.#heldBytes > 0 || this.#dropped > 0) this.#emit();
  }

  #hold(part: Buffer): void {
    if (part.length === 0) return;
    const room = this.#max - this.#heldBytes;
    if (room > 0) {
      const kept = part.length <= room ? part : part.subarray(0, room);
      // Copy: the chunk's memory must not stay pinned by a line we hold.
      this.#held.push(Buffer.from(kept));
      this.#heldBytes += kept.length;
    }
    this.#dropped += Math.max(0, part.length - Math.max(0, room));
  }

  #emit(): void {
    let line = Buffer.concat(this.#held, this.#heldBytes).toString("utf8");
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (this.#dropped > 0) line += `… [${this.#dropped} bytes truncated]`;
    this.#held = [];
    this.#heldBytes = 0;
    this.#dropped = 0;
    this.#onLine(line);
  }
}
