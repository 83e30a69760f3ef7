import { StringDecoder } from "node:string_decoder";
import { redact } from "./redact.ts";

export interface LineRedactorOptions {
  /** Called once per complete line, already redacted, without its line ending. */
  onLine: (line: string) => void;
  /** A line longer than this is emitted in pieces, cut at white space where it can be. Default 64 KiB. */
  maxLineLength?: number;
}

/**
 * Splits a byte or text stream into lines and redacts each whole line, so a secret split across two
 * chunks of a child's output is still found. Call `end()` when the stream closes.
 */
export class LineRedactor {
  readonly #onLine: (line: string) => void;
  readonly #maxLineLength: number;
  readonly #decoder = new StringDecoder("utf8");
  #buffer = "";

  constructor({ onLine, maxLineLength = 64 * 1024 }: LineRedactorOptions) {
    this.#onLine = onLine;
    this.#maxLineLength = maxLineLength;
  }

  write(chunk: string | Uint8Array): void {
    this.#buffer += typeof chunk === "string" ? chunk : this.#decoder.write(chunk);
    let newline = this.#buffer.indexOf("\n");
    while (newline !== -1) {
      this.#emit(this.#buffer.slice(0, newline));
      this.#buffer = this.#buffer.slice(newline + 1);
      newline = this.#buffer.indexOf("\n");
    }
    while (this.#buffer.length > this.#maxLineLength) {
      const head = this.#buffer.slice(0, this.#maxLineLength);
      const cut = Math.max(head.lastIndexOf(" "), head.lastIndexOf("\t"));
      const end = cut > 0 ? cut + 1 : this.#buffer.length;
      this.#emit(this.#buffer.slice(0, end));
      this.#buffer = this.#buffer.slice(end);
    }
  }

  end(): void {
    this.#buffer += this.#decoder.end();
    if (this.#buffer.length > 0) this.#emit(this.#buffer);
    this.#buffer = "";
  }

  #emit(raw: string): void {
    this.#onLine(redact(raw.endsWith("\r") ? raw.slice(0, -1) : raw));
  }
}
