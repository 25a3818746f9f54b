import { constants, crc32, deflateRawSync } from 'node:zlib';

/** One file of a hand-made zip: its name, its bytes as stored, its real size, 0 stored or 8 deflated. */
interface Part {
  name: string;
  data: Buffer;
  size: number;
  method: 0 | 8;
  crc: number;
}

/** A zip archive of `parts`, in order (local headers, data, central directory). */
function zip(parts: Part[]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(part.method, 8);
    local.writeUInt32LE(part.crc, 14);
    local.writeUInt32LE(part.data.length, 18);
    local.writeUInt32LE(part.size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    out.push(local, name, part.data);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(part.method, 10);
    header.writeUInt32LE(part.crc, 16);
    header.writeUInt32LE(part.data.length, 20);
    header.writeUInt32LE(part.size >>> 0, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += 30 + name.length + part.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, directory, end]);
}

const deflated = (name: string, text: string): Part => {
  const bytes = Buffer.from(text);
  return { name, data: deflateRawSync(bytes), size: bytes.length, method: 8, crc: crc32(bytes) };
};

/**
 * `text` repeated `times` times, deflated without ever holding the whole:
 * one block of repeats is compressed once (sync-flushed, so it refers to
 * nothing before it) and the compressed block repeated, then a final empty
 * block. Gigabytes cost milliseconds and a few hundred kilobytes.
 */
function deflatedRepeats(head: string, text: string, times: number, tail: string): { data: Buffer; size: number } {
  const flushed = (s: string) => deflateRawSync(Buffer.from(s), { finishFlush: constants.Z_SYNC_FLUSH });
  const parts = [flushed(head)];
  const per = Math.max(1, Math.floor(1_000_000 / Math.max(1, Buffer.byteLength(text))));
  let done = 0;
  if (text && times >= per) {
    const block = flushed(text.repeat(per));
    for (; done + per <= times; done += per) parts.push(block);
  }
  if (times > done) parts.push(flushed(text.repeat(times - done)));
  parts.push(deflateRawSync(Buffer.from(tail)));
  return { data: Buffer.concat(parts), size: Buffer.byteLength(head) + Buffer.byteLength(text) * times + Buffer.byteLength(tail) };
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/**
 * A minimal .xlsx whose first sheet is `header` (row 1) followed by `row`
 * repeated `times` times (a `<row>` element, identical each time, so
 * it compresses to almost nothing), optionally with shared strings
 * repeated too. `claimedSize` overrides the sheet's size in the zip
 * directory (a bomb may lie about it).
 */
export function xlsxBomb(options: {
  header: string;
  row: string;
  times: number;
  sharedString?: { text: string; times: number };
  claimedSize?: number;
}): Buffer {
  const sheet = deflatedRepeats(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${NS}"><sheetData>${options.header}`,
    options.row,
    options.times,
    '</sheetData></worksheet>',
  );
  const parts: Part[] = [
    deflated(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    deflated(
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    deflated(
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    deflated(
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ),
  ];
  if (options.sharedString) {
    const strings = deflatedRepeats(
      `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}">`,
      `<si><t>${options.sharedString.text}</t></si>`,
      options.sharedString.times,
      '</sst>',
    );
    parts.push({ name: 'xl/sharedStrings.xml', ...strings, method: 8, crc: 0 });
  }
  parts.push({ name: 'xl/worksheets/sheet1.xml', data: sheet.data, size: options.claimedSize ?? Math.min(sheet.size, 0xffffffff), method: 8, crc: 0 });
  return zip(parts);
}

/** An inline-string cell (`t="inlineStr"`) at `ref`. */
export const inlineCell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
