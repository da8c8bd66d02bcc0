import { open } from 'node:fs/promises';
import { parseInitSegment, type InitSegmentInfo } from './fmp4.parser.js';

/** Top-level boxes an MP4/MOV file may start with; anything else is not an MP4 for this reader. */
const topLevelTypes = new Set(['ftyp', 'styp', 'moov', 'moof', 'mdat', 'free', 'skip', 'wide', 'pdin', 'meta', 'uuid', 'sidx', 'mfra', 'prft', 'emsg']);

/** A moov larger than this is not read here (ffprobe is asked instead): a clip's is a few KB, an hour's index a few MB. */
const maxMoovBytes = 32 * 1024 * 1024;

/**
 * The first video track of an MP4/MOV file (codec string, picture size, timescale) read from its
 * moov box, wherever it is in the file: top-level box headers are walked with small reads, so this
 * costs a few reads instead of an ffprobe process. null when the file is not an MP4 this reader
 * understands (MPEG-TS, Matroska, a damaged header); callers then ask ffprobe.
 */
export async function readMp4VideoTrack(file: string): Promise<InitSegmentInfo | null> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const header = Buffer.alloc(16);
    let offset = 0;
    while (offset + 8 <= fileSize) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      if (bytesRead < 8) return null;
      const type = header.toString('latin1', 4, 8);
      if (!topLevelTypes.has(type)) return null;
      let size = header.readUInt32BE(0);
      if (size === 1) {
        if (bytesRead < 16) return null;
        size = Number(header.readBigUInt64BE(8));
      } else if (size === 0) {
        size = fileSize - offset; // the box runs to the end of the file
      }
      if (size < 8 || offset + size > fileSize) return null;
      if (type === 'moov') {
        if (size > maxMoovBytes) return null;
        const moov = Buffer.alloc(size);
        await handle.read(moov, 0, size, offset);
        try {
          return parseInitSegment(moov);
        } catch {
          return null;
        }
      }
      offset += size;
    }
    return null;
  } finally {
    await handle.close();
  }
}
