import { open, type FileHandle } from "node:fs/promises";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32, createDeflateRaw, deflateRawSync } from "node:zlib";
import type { EntryMethod } from "../create/compression-policy.ts";
import { COPY_CHUNK, readAhead } from "../io/read-ahead.ts";
import { writeAll } from "../io/write-all.ts";

// Python zipfile's thresholds, so our archives take the same Zip64 decisions as model-archiver's.
const ZIP64_LIMIT = 2 ** 31 - 1;
const ZIP_FILECOUNT_LIMIT = 0xffff;
const STORED = 0;
const DEFLATED = 8;
const READ_CHUNK = 1024 * 1024;

/** Metadata of one zip entry. */
export interface ZipEntryMeta {
  name: string;
  /** Full st_mode; stored as `external_attr = mode << 16` like Python. */
  mode: number;
  mtime: Date;
  method: EntryMethod;
}

interface CentralRecord {
  name: Buffer;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  externalAttr: number;
  zip64Local: boolean;
}

/** DOS date/time in local time, clamped to the format's 1980–2107 range (Python raises before 1980). */
export function dosDateTime(date: Date): { dosDate: number; dosTime: number } {
  let d = date;
  if (d.getFullYear() < 1980) d = new Date(1980, 0, 1, 0, 0, 0);
  if (d.getFullYear() > 2107) d = new Date(2107, 11, 31, 23, 59, 58);
  return {
    dosDate: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    dosTime: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}

function isAscii(text: string): boolean {
  return /^\p{ASCII}*$/u.test(text);
}

/**
 * A streaming zip writer that produces what Python's `zipfile.ZipFile(path, "w")` produces on a seekable file:
 * local headers rewritten in place after the data (no data descriptors), Unix `external_attr`, create_system 3,
 * Zip64 by Python's rules. Memory use is one read chunk plus one central-directory record per entry.
 */
export class ZipWriter {
  private position = 0;
  private readonly records: CentralRecord[] = [];

  private readonly handle: FileHandle;

  private constructor(handle: FileHandle) {
    this.handle = handle;
  }

  /** Creates `path` exclusively (it must not exist). */
  static async create(path: string): Promise<ZipWriter> {
    return new ZipWriter(await open(path, "wx", 0o644));
  }

  private async writeAt(buffer: Buffer, position: number): Promise<void> {
    await writeAll(this.handle, [buffer], position);
  }

  private localHeader(
    name: Buffer,
    flags: number,
    method: number,
    time: { dosDate: number; dosTime: number },
    crc: number,
    compressedSize: number,
    size: number,
    zip64: boolean,
  ): Buffer {
    const header = Buffer.alloc(30 + name.length + (zip64 ? 20 : 0));
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(flags, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(time.dosTime, 10);
    header.writeUInt16LE(time.dosDate, 12);
    header.writeUInt32LE(crc >>> 0, 14);
    header.writeUInt32LE(zip64 ? 0xffffffff : compressedSize, 18);
    header.writeUInt32LE(zip64 ? 0xffffffff : size, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(zip64 ? 20 : 0, 28);
    name.copy(header, 30);
    if (zip64) {
      const at = 30 + name.length;
      header.writeUInt16LE(1, at);
      header.writeUInt16LE(16, at + 2);
      header.writeBigUInt64LE(BigInt(size), at + 4);
      header.writeBigUInt64LE(BigInt(compressedSize), at + 12);
    }
    return header;
  }

  /**
   * Streams one entry from an open file. `sizeHint` (the size when listed) picks Zip64 like Python; `onBytes`
   * gets the count of every uncompressed chunk. Stored entries are copied with read-ahead (no stream machinery).
   * Returns the bytes read.
   */
  async addFile(
    meta: ZipEntryMeta,
    source: FileHandle,
    sizeHint: number,
    onBytes: (bytes: number) => void,
    signal?: AbortSignal,
  ): Promise<number> {
    const name = Buffer.from(meta.name, "utf8");
    const flags = isAscii(meta.name) ? 0 : 0x800;
    const method = meta.method === "deflate" ? DEFLATED : STORED;
    const time = dosDateTime(meta.mtime);
    const zip64 = sizeHint * 1.05 > ZIP64_LIMIT;
    const offset = this.position;
    const headerLength = 30 + name.length + (zip64 ? 20 : 0);
    let crc = 0;
    let size = 0;
    let dataPosition = offset + headerLength;
    if (method === STORED) {
      for await (const chunk of readAhead(source)) {
        if (signal?.aborted) throw signal.reason;
        crc = crc32(chunk, crc);
        size += chunk.length;
        await this.writeAt(chunk, dataPosition);
        dataPosition += chunk.length;
        onBytes(chunk.length);
      }
    } else {
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          crc = crc32(chunk, crc);
          size += chunk.length;
          onBytes(chunk.length);
          callback(null, chunk);
        },
      });
      const sink = new Writable({
        highWaterMark: COPY_CHUNK,
        writev: (chunks, callback) => {
          const buffers = chunks.map((c) => c.chunk as Buffer);
          const length = buffers.reduce((sum, b) => sum + b.length, 0);
          const at = dataPosition;
          dataPosition += length;
          this.writeAllAt(buffers, at).then(() => callback(), callback);
        },
      });
      await pipeline(
        [
          source.createReadStream({ highWaterMark: READ_CHUNK, autoClose: false, start: 0 }),
          tap,
          createDeflateRaw({ level: 6, chunkSize: 256 * 1024 }),
          sink,
        ],
        signal === undefined ? {} : { signal },
      );
    }
    const compressedSize = dataPosition - offset - headerLength;
    if (!zip64 && (size > 0xffffffff || compressedSize > 0xffffffff)) {
      throw new RangeError(`${meta.name} grew past 4 GiB while being archived`);
    }
    await this.writeAt(this.localHeader(name, flags, method, time, crc, compressedSize, size, zip64), offset);
    this.position = dataPosition;
    this.records.push({
      name,
      flags,
      method,
      ...time,
      crc: crc >>> 0,
      compressedSize,
      size,
      offset,
      externalAttr: ((meta.mode & 0xffff) << 16) >>> 0,
      zip64Local: zip64,
    });
    return size;
  }

  private async writeAllAt(buffers: Buffer[], position: number): Promise<void> {
    await writeAll(this.handle, buffers, position);
  }

  /** Adds an in-memory entry, like Python's `writestr`. */
  async addBuffer(meta: ZipEntryMeta, data: Buffer): Promise<void> {
    const name = Buffer.from(meta.name, "utf8");
    const flags = isAscii(meta.name) ? 0 : 0x800;
    const method = meta.method === "deflate" ? DEFLATED : STORED;
    const body = method === DEFLATED ? deflateRawSync(data, { level: 6 }) : data;
    const time = dosDateTime(meta.mtime);
    const crc = crc32(data) >>> 0;
    const zip64 = data.length * 1.05 > ZIP64_LIMIT;
    const header = this.localHeader(name, flags, method, time, crc, body.length, data.length, zip64);
    const offset = this.position;
    await this.writeAt(Buffer.concat([header, body]), offset);
    this.position += header.length + body.length;
    this.records.push({
      name,
      flags,
      method,
      ...time,
      crc,
      compressedSize: body.length,
      size: data.length,
      offset,
      externalAttr: ((meta.mode & 0xffff) << 16) >>> 0,
      zip64Local: zip64,
    });
  }

  /** Writes the central directory and end records, then closes the file (after fsync when `sync`). */
  async finish(sync = false): Promise<void> {
    const start = this.position;
    const parts: Buffer[] = [];
    for (const r of this.records) {
      const extra: bigint[] = [];
      let size = r.size;
      let compressedSize = r.compressedSize;
      let offset = r.offset;
      if (r.size > ZIP64_LIMIT || r.compressedSize > ZIP64_LIMIT) {
        extra.push(BigInt(r.size), BigInt(r.compressedSize));
        size = 0xffffffff;
        compressedSize = 0xffffffff;
      }
      if (r.offset > ZIP64_LIMIT) {
        extra.push(BigInt(r.offset));
        offset = 0xffffffff;
      }
      const version = extra.length > 0 || r.zip64Local ? 45 : 20;
      const extraLength = extra.length > 0 ? 4 + 8 * extra.length : 0;
      const entry = Buffer.alloc(46 + r.name.length + extraLength);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE((3 << 8) | version, 4);
      entry.writeUInt16LE(version, 6);
      entry.writeUInt16LE(r.flags, 8);
      entry.writeUInt16LE(r.method, 10);
      entry.writeUInt16LE(r.dosTime, 12);
      entry.writeUInt16LE(r.dosDate, 14);
      entry.writeUInt32LE(r.crc, 16);
      entry.writeUInt32LE(compressedSize, 20);
      entry.writeUInt32LE(size, 24);
      entry.writeUInt16LE(r.name.length, 28);
      entry.writeUInt16LE(extraLength, 30);
      entry.writeUInt32LE(r.externalAttr, 38);
      entry.writeUInt32LE(offset, 42);
      r.name.copy(entry, 46);
      if (extraLength > 0) {
        const at = 46 + r.name.length;
        entry.writeUInt16LE(1, at);
        entry.writeUInt16LE(8 * extra.length, at + 2);
        extra.forEach((value, i) => entry.writeBigUInt64LE(value, at + 4 + 8 * i));
      }
      parts.push(entry);
    }
    const centralSize = parts.reduce((sum, p) => sum + p.length, 0);
    const end = start + centralSize;
    let count = this.records.length;
    let size = centralSize;
    let offset = start;
    if (count > ZIP_FILECOUNT_LIMIT || start > ZIP64_LIMIT || centralSize > ZIP64_LIMIT) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(centralSize), 40);
      record.writeBigUInt64LE(BigInt(start), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(end), 8);
      locator.writeUInt32LE(1, 16);
      parts.push(record, locator);
      count = Math.min(count, 0xffff);
      size = Math.min(size, 0xffffffff);
      offset = Math.min(offset, 0xffffffff);
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(count, 8);
    eocd.writeUInt16LE(count, 10);
    eocd.writeUInt32LE(size, 12);
    eocd.writeUInt32LE(offset, 16);
    parts.push(eocd);
    // Central directory in bounded batches: one record per file, so a huge model does not build one giant buffer.
    let at = start;
    for (let i = 0; i < parts.length; i += 1024) {
      const batch = parts.slice(i, i + 1024);
      await this.writeAllAt(batch, at);
      at += batch.reduce((sum, p) => sum + p.length, 0);
    }
    if (sync) await this.handle.sync();
    await this.handle.close();
  }

  /** Closes without finishing (after a failure). */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
