import { open } from 'node:fs/promises';
import type { VideoInfo } from './media.types.js';
import { Mp4BoxSplitter, parseFragment, parseInitSegment, type InitSegmentInfo } from './fmp4.parser.js';

/** Sample entries as ffprobe names their codecs. */
const codecNames: Record<string, string> = { avc1: 'h264', avc3: 'h264', hvc1: 'hevc', hev1: 'hevc', mp4v: 'mpeg4', av01: 'av1', vp09: 'vp9' };

/** Larger files are left to ffprobe (a recorded clip is a few seconds to minutes). */
const maxProbedBytes = 512 * 1024 * 1024;

/**
 * Describes a fragmented MP4 (the recorder's clips: ftyp, moov, then moof+mdat per key frame) by
 * reading its boxes, without starting ffprobe: on this kind of machine every ffprobe costs about
 * 0.15 s of CPU just to start, and storage and the worker each probed every clip of every camera.
 * Null when the file is not such an MP4 (no moov with a video track, no whole fragment): the
 * caller then asks ffprobe, which also says what is wrong with it.
 */
export async function probeFragmentedMp4(file: string): Promise<VideoInfo | null> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 16 || size > maxProbedBytes) return null;
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    if (head.toString('latin1', 4, 8) !== 'ftyp') return null;
    const splitter = new Mp4BoxSplitter();
    const initParts: Buffer[] = [];
    let init: InitSegmentInfo | null = null;
    let ticks = 0;
    let samples = 0;
    let fragments = 0;
    let pendingMoof: Buffer | null = null;
    const chunk = Buffer.alloc(1024 * 1024);
    for (let position = 0; position < size; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      for (const box of splitter.push(Buffer.from(chunk.subarray(0, bytesRead)))) {
        if (!init) {
          initParts.push(box.bytes);
          if (box.type === 'moov') init = parseInitSegment(Buffer.concat(initParts));
          else if (box.type !== 'ftyp' && box.type !== 'free' && box.type !== 'styp') return null;
          continue;
        }
        if (box.type === 'moof') pendingMoof = box.bytes;
        else if (box.type === 'mdat' && pendingMoof) {
          const fragment = parseFragment(pendingMoof, init);
          ticks += fragment.duration;
          samples += fragment.sampleCount;
          fragments++;
          pendingMoof = null;
        }
      }
    }
    if (!init || fragments === 0 || ticks === 0) return null;
    const durationSec = ticks / init.timescale;
    return {
      file,
      sizeBytes: size,
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
    };
  } catch {
    // not what the recorder writes: ffprobe tells what it is
    return null;
  } finally {
    await handle.close();
  }
}
