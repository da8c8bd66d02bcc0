import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from './png.codec.js';

describe('PNG codec', () => {
  it('decodes what it encodes, pixel for pixel', () => {
    const rgb = Uint8Array.from({ length: 7 * 5 * 3 }, (_, i) => (i * 37) % 256);
    const image = decodePng(encodePng({ width: 7, height: 5, rgb }));
    expect(image).toEqual({ width: 7, height: 5, rgb });
  });

  it('undoes every row filter (sub, up, average, paeth) and reads RGBA', () => {
    // 2x2 RGBA, one row with filter 1 (sub) and one with filter 4 (paeth)
    const raw = Buffer.from([1, 10, 20, 30, 255, 5, 5, 5, 0, 4, 1, 2, 3, 0, 0, 0, 0, 0]);
    const chunk = (type: string, data: Buffer) => {
      const out = Buffer.alloc(12 + data.length);
      out.writeUInt32BE(data.length, 0);
      out.write(type, 4, 'latin1');
      data.copy(out, 8);
      return out; // the decoder does not check CRCs
    };
    const header = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0, 0, 0]);
    const file = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
    const image = decodePng(file);
    // row 0: (10,20,30), (15,25,35); row 1 paeth: predicted from above -> (11,22,33), then from left/above
    expect([...image.rgb]).toEqual([10, 20, 30, 15, 25, 35, 11, 22, 33, 15, 25, 35]);
  });

  it('says clearly what it cannot read', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
    expect(() => encodePng({ width: 2, height: 2, rgb: new Uint8Array(3) })).toThrow(/needs 12 bytes/);
  });
});
