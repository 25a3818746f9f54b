import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';

const inflate = promisify(inflateRaw);

/**
 * Just enough of the zip format to open an uploaded .xlsx within bounds: the
 * central directory is read from the buffer (an xlsx is a zip), and only the
 * entries the import needs are inflated, on the libuv thread pool, each
 * stopped as soon as the bytes unpacked so far pass the budget. A zip bomb (a
 * megabyte that unpacks to gigabytes) costs at most the budget, never what it
 * claims or holds.
 */

/** A file inside the archive, as its central directory lists it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; others are refused. */
  method: number;
  compressedSize: number;
  /** As the archive claims it: checked against the budget first, then enforced while inflating. */
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** The archive is not a zip we read (truncated, zip64, encrypted, an unknown compression method). */
export class ZipFormatError extends Error {}

/** An entry unpacks to more than the budget left. */
export class ZipBudgetError extends Error {}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** More entries than any workbook has (a sheet, its parts, a few images). */
const MAX_ENTRIES = 10_000;

/** The entries of a zip archive by name, from its central directory. Throws {@link ZipFormatError}. */
export function zipEntries(body: Buffer): Map<string, ZipEntry> {
  // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the very end.
  let eocd = -1;
  for (let i = body.length - 22; i >= Math.max(0, body.length - 22 - 0xffff); i--) {
    if (body.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no zip end record');
  const count = body.readUInt16LE(eocd + 10);
  const size = body.readUInt32LE(eocd + 12);
  const start = body.readUInt32LE(eocd + 16);
  if (count === 0xffff || start === 0xffffffff) throw new ZipFormatError('zip64 archives are not read');
  if (count > MAX_ENTRIES) throw new ZipFormatError(`more than ${MAX_ENTRIES} entries`);
  if (start + size > eocd) throw new ZipFormatError('central directory out of bounds');
  const entries = new Map<string, ZipEntry>();
  let at = start;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || body.readUInt32LE(at) !== CENTRAL) throw new ZipFormatError('broken central directory');
    const flags = body.readUInt16LE(at + 8);
    const nameLength = body.readUInt16LE(at + 28);
    const extraLength = body.readUInt16LE(at + 30);
    const commentLength = body.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      name: body.toString('utf8', at + 46, at + 46 + nameLength),
      method: body.readUInt16LE(at + 10),
      compressedSize: body.readUInt32LE(at + 20),
      uncompressedSize: body.readUInt32LE(at + 24),
      localHeaderOffset: body.readUInt32LE(at + 42),
    };
    if (flags & 0x1) throw new ZipFormatError(`${entry.name} is encrypted`);
    // The first of two same-named entries wins, as in the readers that open xlsx files.
    if (!entries.has(entry.name)) entries.set(entry.name, entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * An entry's bytes, unpacked; `budget.left` bytes may still be unpacked and is
 * reduced by this entry's size. Throws {@link ZipBudgetError} when the entry
 * would pass it (claimed or real size), {@link ZipFormatError} when it cannot be read.
 */
export async function unpack(body: Buffer, entry: ZipEntry, budget: { left: number }): Promise<Buffer> {
  if (entry.uncompressedSize > budget.left) throw new ZipBudgetError(`${entry.name} unpacks to ${entry.uncompressedSize} bytes`);
  const at = entry.localHeaderOffset;
  if (at + 30 > body.length || body.readUInt32LE(at) !== LOCAL) throw new ZipFormatError(`${entry.name}: no local header`);
  const dataStart = at + 30 + body.readUInt16LE(at + 26) + body.readUInt16LE(at + 28);
  const data = body.subarray(dataStart, dataStart + entry.compressedSize);
  if (dataStart + entry.compressedSize > body.length) throw new ZipFormatError(`${entry.name} is truncated`);
  let out: Buffer;
  if (entry.method === 0) {
    out = data;
  } else if (entry.method === 8) {
    try {
      // The claimed size may lie: the inflater itself stops at the budget.
      out = await inflate(data, { maxOutputLength: Math.max(1, budget.left), chunkSize: 256 * 1024 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ZipBudgetError(`${entry.name} unpacks to more than ${budget.left} bytes`);
      throw new ZipFormatError(`${entry.name}: ${(error as Error).message}`);
    }
  } else {
    throw new ZipFormatError(`${entry.name}: compression method ${entry.method} is not read`);
  }
  if (out.length > budget.left) throw new ZipBudgetError(`${entry.name} unpacks to more than ${budget.left} bytes`);
  budget.left -= out.length;
  return out;
}
