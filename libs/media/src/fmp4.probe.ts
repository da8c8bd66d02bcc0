import { open, type FileHandle } from 'node:fs/promises';
import type { VideoInfo } from './media.types.js';
import { parseFragment, parseInitSegment, type InitSegmentInfo } from './fmp4.parser.js';

/** Sample entries as ffprobe names their codecs. */
const codecNames: Record<string, string> = { avc1: 'h264', avc3: 'h264', hvc1: 'hevc', hev1: 'hevc', mp4v: 'mpeg4', av01: 'av1', vp09: 'vp9' };

/** moov and moof boxes larger than this are not what the recorder writes: left to ffprobe. */
const maxHeaderBoxBytes = 16 * 1024 * 1024;

/** Type and size of the box at `offset`; null past the end or when it does not fit in the file. */
async function boxAt(handle: FileHandle, offset: number, fileSize: number): Promise<{ type: string; size: number } | null> {
  if (offset + 8 > fileSize) return null;
  const head = Buffer.alloc(16);
  await handle.read(head, 0, Math.min(16, fileSize - offset), offset);
  let size = head.readUInt32BE(0);
  if (size === 1) size = Number(head.readBigUInt64BE(8));
  else if (size === 0) size = fileSize - offset;
  if (size < 8 || offset + size > fileSize) return null;
  return { type: head.toString('latin1', 4, 8), size };
}

async function readBox(handle: FileHandle, offset: number, size: number): Promise<Buffer> {
  const bytes = Buffer.alloc(size);
  await handle.read(bytes, 0, size, offset);
  return bytes;
}

/**
 * Describes a fragmented MP4 (the recorder's clips: ftyp, moov, then moof+mdat pairs, one at every key frame) by
 * walking its box headers, reading only the init segment and the moofs (the mdat payloads are
 * skipped), without starting ffprobe: on this kind of machine every ffprobe costs about 0.15 s of
 * CPU just to start, and storage and the worker each probed every clip of every camera. Null when
 * the file is not such an MP4 (no moov with a video track, no whole fragment): the caller then
 * asks ffprobe, which also says what is wrong with it.
 */
export async function probeFragmentedMp4(file: string): Promise<VideoInfo | null> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const initParts: Buffer[] = [];
    let init: InitSegmentInfo | null = null;
    let ticks = 0;
    let samples = 0;
    let fragments = 0;
    let firstDecodeTime: bigint | null = null;
    const keyFrameTicks: bigint[] = [];
    let pendingMoof: Buffer | null = null;
    for (let offset = 0; ; ) {
      const box = await boxAt(handle, offset, fileSize);
      if (!box) break;
      if (offset === 0 && box.type !== 'ftyp') return null;
      const readable = box.type !== 'mdat' && box.size <= maxHeaderBoxBytes;
      if (!init) {
        if (!readable) return null;
        initParts.push(await readBox(handle, offset, box.size));
        if (box.type === 'moov') init = parseInitSegment(Buffer.concat(initParts));
        else if (box.type !== 'ftyp' && box.type !== 'free' && box.type !== 'styp') return null;
      } else if (box.type === 'moof') {
        if (!readable) return null;
        pendingMoof = await readBox(handle, offset, box.size);
      } else if (box.type === 'mdat' && pendingMoof) {
        // a fragment counts once its mdat is whole in the file (boxAt checked its size)
        const fragment = parseFragment(pendingMoof, init);
        firstDecodeTime ??= fragment.baseDecodeTime;
        if (fragment.startsWithKeyFrame) keyFrameTicks.push(fragment.baseDecodeTime - firstDecodeTime);
        ticks += fragment.duration;
        samples += fragment.sampleCount;
        fragments++;
        pendingMoof = null;
      }
      offset += box.size;
    }
    if (!init || fragments === 0 || ticks === 0) return null;
    const durationSec = ticks / init.timescale;
    return {
      file,
      sizeBytes: fileSize,
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSec,
      width: init.width,
      height: init.height,
      rotation: 0,
      codedWidth: init.width,
      codedHeight: init.height,
      fps: samples / durationSec,
      codec: codecNames[init.sampleEntry] ?? init.sampleEntry,
      hasVideoStream: true,
      hasAudioStream: false,
      // the recorder starts a fragment at every key frame (frag_keyframe): their first samples are the key frames
      keyFrameSecs: keyFrameTicks.map((at) => Number(at) / init.timescale),
    };
  } catch {
    // not what the recorder writes: ffprobe tells what it is
    return null;
  } finally {
    await handle.close();
  }
}
