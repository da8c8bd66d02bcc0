export interface ImageFacts {
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/**
 * The type and size of a JPEG or PNG file from its bytes (headers only), or null when it is
 * neither or is cut short. Used to check images that come from outside (plugins).
 */
export function readImageFacts(bytes: Uint8Array): ImageFacts | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a && b.toString('latin1', 12, 16) === 'IHDR') {
    const width = b.readUInt32BE(16);
    const height = b.readUInt32BE(20);
    return width && height ? { contentType: 'image/png', width, height } : null;
  }
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let offset = 2;
  while (offset + 9 < b.length) {
    if (b[offset] !== 0xff) return null;
    const marker = b[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const length = b.readUInt16BE(offset + 2);
    // start of frame markers (baseline, progressive, ...), not DHT/JPG/DAC
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      const height = b.readUInt16BE(offset + 5);
      const width = b.readUInt16BE(offset + 7);
      return width && height ? { contentType: 'image/jpeg', width, height } : null;
    }
    offset += 2 + length;
  }
  return null;
}
