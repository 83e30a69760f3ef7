import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { constants, createGzip, type Gzip } from "node:zlib";
import type { EntryMethod } from "./compression-policy.ts";

const BLOCK = 512;
const RECORD = 20 * BLOCK;

/** Metadata of one tar member (regular file). */
export interface TarEntryMeta {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length += 1;
  return `${length}${body}`;
}

function ustarHeader(fields: {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: string;
}): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(fields.name, 0, 100, "utf8");
  header.write(octal(fields.mode & 0o7777, 8), 100, "ascii");
  header.write(octal(fields.uid, 8), 108, "ascii");
  header.write(octal(fields.gid, 8), 116, "ascii");
  header.write(octal(fields.size, 12), 124, "ascii");
  header.write(octal(fields.mtime, 12), 136, "ascii");
  header.write("        ", 148, "ascii");
  header.write(fields.type, 156, "ascii");
  header.write("ustar\u000000", 257, "ascii");
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return header;
}

/** The header block(s) for one regular file: a PAX `x` header first when the name or a number does not fit ustar. */
export function tarHeaders(meta: TarEntryMeta): Buffer {
  const records: string[] = [];
  const nameBytes = Buffer.byteLength(meta.name);
  const ascii = /^\p{ASCII}*$/u.test(meta.name);
  if (nameBytes > 100 || !ascii) records.push(paxRecord("path", meta.name));
  const fits = (value: number, width: number): boolean => value >= 0 && value < 8 ** (width - 1);
  if (!fits(meta.size, 12)) records.push(paxRecord("size", String(meta.size)));
  if (!fits(meta.uid, 8)) records.push(paxRecord("uid", String(meta.uid)));
  if (!fits(meta.gid, 8)) records.push(paxRecord("gid", String(meta.gid)));
  const mtime = Math.max(0, Math.floor(meta.mtime.getTime() / 1000));
  const blocks: Buffer[] = [];
  if (records.length > 0) {
    const body = Buffer.from(records.join(""), "utf8");
    blocks.push(
      ustarHeader({
        name: "././@PaxHeader",
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: body.length,
        mtime: 0,
        type: "x",
      }),
    );
    blocks.push(body, Buffer.alloc(padding(body.length)));
  }
  // Like Python's PAX writer: the ustar name field is the ASCII rendering, cut at 100 bytes; readers use `path`.
  const shortName = meta.name.replace(/[^\p{ASCII}]/gu, "?").slice(0, 100);
  blocks.push(
    ustarHeader({
      name: shortName,
      mode: meta.mode,
      uid: fits(meta.uid, 8) ? meta.uid : 0,
      gid: fits(meta.gid, 8) ? meta.gid : 0,
      size: fits(meta.size, 12) ? meta.size : 0,
      mtime: fits(mtime, 12) ? mtime : 0,
      type: "0",
    }),
  );
  return Buffer.concat(blocks);
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/**
 * Streams a PAX-compatible `.tar.gz`. Compression level changes per member (`deflateParams`): level 9 like
 * Python's `w:gz` for files worth compressing, level 0 (stored deflate blocks) for the rest, in one valid gzip stream.
 */
export class TarGzWriter {
  private readonly done: Promise<void>;
  private level = 9;
  private failed: unknown;
  private written = 0;

  private readonly gzip: Gzip;
  private readonly file: WriteStream;

  private constructor(gzip: Gzip, file: WriteStream) {
    this.gzip = gzip;
    this.file = file;
    this.done = pipeline(gzip, file);
    this.done.catch((error: unknown) => {
      this.failed = error;
    });
  }

  /** Creates `path` exclusively. */
  static async create(path: string): Promise<TarGzWriter> {
    const file = createWriteStream(path, { flags: "wx", mode: 0o644, highWaterMark: 4 * 1024 * 1024 });
    await once(file, "open");
    const gzip = createGzip({ level: 9, chunkSize: 256 * 1024 });
    return new TarGzWriter(gzip, file);
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.failed !== undefined) throw this.failed;
    this.written += chunk.length;
    if (!this.gzip.write(chunk)) {
      await Promise.race([once(this.gzip, "drain"), this.done]);
      if (this.failed !== undefined) throw this.failed;
    }
  }

  private async setLevel(method: EntryMethod): Promise<void> {
    const level = method === "store" ? 0 : 9;
    if (level === this.level) return;
    this.level = level;
    // `params` exists on every zlib stream but @types/node only declares it on Deflate.
    const gzip = this.gzip as unknown as {
      params(level: number, strategy: number, callback: () => void): void;
    };
    await new Promise<void>((resolve) => gzip.params(level, constants.Z_DEFAULT_STRATEGY, () => resolve()));
  }

  /** Streams one member; returns the bytes read (must equal `meta.size`). */
  async addStream(
    meta: TarEntryMeta,
    method: EntryMethod,
    source: Readable,
    onBytes: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<number> {
    await this.setLevel(method);
    await this.write(tarHeaders(meta));
    let bytes = 0;
    for await (const chunk of source) {
      if (signal?.aborted) throw signal.reason;
      const buffer = chunk as Buffer;
      bytes += buffer.length;
      if (bytes > meta.size) break;
      await this.write(buffer);
      onBytes(buffer.length);
    }
    if (bytes !== meta.size) return bytes;
    await this.write(Buffer.alloc(padding(meta.size)));
    return bytes;
  }

  /** Adds an in-memory member. */
  async addBuffer(meta: TarEntryMeta, data: Buffer): Promise<void> {
    await this.setLevel("deflate");
    await this.write(tarHeaders({ ...meta, size: data.length }));
    await this.write(data);
    await this.write(Buffer.alloc(padding(data.length)));
  }

  /** Writes the end-of-archive blocks, pads to a 10240-byte record like Python, and waits for the file. */
  async finish(): Promise<void> {
    await this.setLevel("deflate");
    const end = 2 * BLOCK;
    const total = this.written + end;
    await this.write(Buffer.alloc(end + ((RECORD - (total % RECORD)) % RECORD)));
    this.gzip.end();
    await this.done;
  }

  /** Stops after a failure (the caller removes the file). */
  async abandon(): Promise<void> {
    this.gzip.destroy();
    this.file.destroy();
    await this.done.catch(() => undefined);
  }
}
