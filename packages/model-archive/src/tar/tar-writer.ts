import { open, type FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import { promisify } from "node:util";
import { constants, crc32, deflateRaw } from "node:zlib";
import type { EntryMethod } from "../create/compression-policy.ts";
import { readAhead } from "../io/read-ahead.ts";
import { writeAll } from "../io/write-all.ts";

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

const STORED_BLOCK = 65535;
const DEFLATE_BATCH = 1024 * 1024;
const IN_FLIGHT = 2;
const deflateRawAsync = promisify(deflateRaw);

/** Raw deflate stored blocks (non-final) holding `data`; valid anywhere the stream is byte-aligned. */
function storedBlocks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += STORED_BLOCK) {
    const piece = data.subarray(at, Math.min(at + STORED_BLOCK, data.length));
    const header = Buffer.alloc(5);
    header.writeUInt16LE(piece.length, 1);
    header.writeUInt16LE(~piece.length & 0xffff, 3);
    out.push(header, piece);
  }
  return out;
}

/**
 * Streams a PAX-compatible `.tar.gz` in one gzip member (readers that stop after the first member, like
 * commons-compress in TorchServe, still see everything). Data to compress goes through zlib in independent
 * 1 MiB batches at level 9 (Python's `w:gz`), each ended with a sync flush so it is byte-aligned; data to store
 * is written as raw stored blocks. Two batches compress in parallel on zlib's thread pool; output stays ordered.
 */
export class TarGzWriter {
  private readonly handle: FileHandle;
  private crc = 0;
  private size = 0;
  private written = 0;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private readonly inFlight: Promise<Buffer[]>[] = [];

  private constructor(handle: FileHandle) {
    this.handle = handle;
  }

  /** Creates `path` exclusively and writes the gzip header (FNAME `<name>.tar`, XFL 2, OS Unix, like Python). */
  static async create(path: string, now: Date = new Date()): Promise<TarGzWriter> {
    const handle = await open(path, "wx", 0o644);
    const writer = new TarGzWriter(handle);
    const name = Buffer.from(
      `${basename(path)
        .replace(/\.gz$/, "")
        .replace(/\.tgz$/, ".tar")}\0`,
      "latin1",
    );
    const header = Buffer.alloc(10);
    header.writeUInt32LE(0x08088b1f, 0);
    header.writeUInt32LE(Math.floor(now.getTime() / 1000) >>> 0, 4);
    header[8] = 2;
    header[9] = 3;
    await writer.output([header, name]);
    return writer;
  }

  private async output(buffers: Buffer[]): Promise<void> {
    await writeAll(this.handle, buffers);
  }

  private async enqueue(work: Promise<Buffer[]>): Promise<void> {
    // Keep the rejection observed even while it waits in the queue.
    work.catch(() => undefined);
    this.inFlight.push(work);
    while (this.inFlight.length > IN_FLIGHT)
      await this.output(await (this.inFlight.shift() as Promise<Buffer[]>));
  }

  private async compressPending(): Promise<void> {
    if (this.pendingLength === 0) return;
    const batch = Buffer.concat(this.pending, this.pendingLength);
    this.pending = [];
    this.pendingLength = 0;
    await this.enqueue(
      deflateRawAsync(batch, { level: 9, finishFlush: constants.Z_SYNC_FLUSH }).then((b) => [b]),
    );
  }

  private async write(chunk: Buffer, method: EntryMethod): Promise<void> {
    if (chunk.length === 0) return;
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    this.written += chunk.length;
    if (method === "store") {
      await this.compressPending();
      await this.enqueue(Promise.resolve(storedBlocks(chunk)));
      return;
    }
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength >= DEFLATE_BATCH) await this.compressPending();
  }

  /** Streams one member from an open file; returns the bytes read (must equal `meta.size`). */
  async addFile(
    meta: TarEntryMeta,
    method: EntryMethod,
    source: FileHandle,
    onBytes: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<number> {
    await this.write(tarHeaders(meta), "deflate");
    let bytes = 0;
    for await (const chunk of readAhead(source)) {
      if (signal?.aborted) throw signal.reason;
      bytes += chunk.length;
      if (bytes > meta.size) break;
      // The chunk's buffer is reused by the next read: copy what waits for compression, drain what is stored.
      await this.write(method === "store" ? chunk : Buffer.from(chunk), method);
      if (method === "store") await this.drain();
      onBytes(chunk.length);
    }
    if (bytes !== meta.size) return bytes;
    await this.write(Buffer.alloc(padding(meta.size)), "deflate");
    return bytes;
  }

  private async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.output(await (this.inFlight.shift() as Promise<Buffer[]>));
  }

  /** Adds an in-memory member. */
  async addBuffer(meta: TarEntryMeta, data: Buffer): Promise<void> {
    await this.write(tarHeaders({ ...meta, size: data.length }), "deflate");
    await this.write(data, "deflate");
    await this.write(Buffer.alloc(padding(data.length)), "deflate");
  }

  /** Writes the end-of-archive blocks (padded to a 10240-byte record like Python) and the gzip trailer, then closes (after fsync when `sync`). */
  async finish(sync = false): Promise<void> {
    const end = 2 * BLOCK;
    const total = this.written + end;
    await this.write(Buffer.alloc(end + ((RECORD - (total % RECORD)) % RECORD)), "deflate");
    await this.compressPending();
    await this.drain();
    const trailer = Buffer.alloc(13);
    trailer.set([0x01, 0x00, 0x00, 0xff, 0xff], 0);
    trailer.writeUInt32LE(this.crc >>> 0, 5);
    trailer.writeUInt32LE(this.size % 2 ** 32, 9);
    await this.output([trailer]);
    if (sync) await this.handle.sync();
    await this.handle.close();
  }

  /** Stops after a failure (the caller removes the file). */
  async abandon(): Promise<void> {
    await Promise.allSettled(this.inFlight.splice(0));
    await this.handle.close().catch(() => undefined);
  }
}
