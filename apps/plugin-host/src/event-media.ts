import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Box, NormalisedBox, PluginImage, PluginManifest, PluginRequest } from '@cameramonit/contracts';
import { cropFractions, readImageFacts, type FfmpegDriver } from '@cameramonit/media';

/** What the host reads and writes in the clip store (StorageClient in the app; any folder-backed store in tests). */
export interface MediaStore {
  getBuffer(storePath: string): Promise<Buffer>;
  download(storePath: string, toFile: string): Promise<void>;
  putFile(storePath: string, fromFile: string, contentType?: string): Promise<void>;
}

/** The event's best view: a time in its clip and the box of its most confident object there. */
export interface BestView {
  /** seconds from the clip's start */
  sec: number;
  /** in the pixels of the analysis frame (frameWidth x frameHeight) */
  box: Box;
  frameWidth: number;
  frameHeight: number;
}

export interface EventMoment {
  clipPath: string;
  /** the browser-playable copy, if the worker made one */
  playablePath: string | null;
  snapshotPath: string | null;
  startSec: number;
  endSec: number;
  /** null for motion events */
  best: BestView | null;
}

/** The best view's box in normalised coordinates of the frame (0..1 from the left and top), inside the frame. */
export function normalisedBox(best: BestView): NormalisedBox {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const x = clamp(best.box.x / best.frameWidth);
  const y = clamp(best.box.y / best.frameHeight);
  return { x, y, width: Math.min(1 - x, clamp(best.box.width / best.frameWidth)), height: Math.min(1 - y, clamp(best.box.height / best.frameHeight)) };
}

async function imageOf(file: string): Promise<PluginImage> {
  const bytes = await readFile(file);
  const facts = readImageFacts(bytes);
  if (!facts) throw new Error(`${file} is not a JPEG or PNG`);
  return { contentType: facts.contentType, width: facts.width, height: facts.height, data: bytes.toString('base64') };
}

/**
 * The pictures a plugin asked for in its manifest, for one event: the crop of its most confident
 * object at the best moment (cut from the clip at full resolution, without the box the snapshot has
 * drawn on it), the snapshot itself, frames of the clip over the event, a signed link to the clip.
 */
export class EventMedia {
  constructor(
    private readonly store: MediaStore,
    private readonly ffmpeg: FfmpegDriver,
    /** a link to a stored file that a plugin can fetch without a login */
    private readonly signedUrl: (storePath: string) => string,
  ) {}

  async build(manifest: PluginManifest, moment: EventMoment): Promise<Pick<PluginRequest, 'crop' | 'snapshot' | 'frames' | 'clipUrl'>> {
    const { consumes } = manifest;
    const out: Pick<PluginRequest, 'crop' | 'snapshot' | 'frames' | 'clipUrl'> = {};
    if (consumes.clipUrl) out.clipUrl = this.signedUrl(moment.playablePath ?? moment.clipPath);
    if (!consumes.crop && !consumes.snapshot && !consumes.frames) return out;
    const work = await mkdtemp(join(tmpdir(), 'cm-plugin-media-'));
    try {
      if (consumes.snapshot && moment.snapshotPath) {
        const snapshot = await this.store.getBuffer(moment.snapshotPath);
        const facts = readImageFacts(snapshot);
        if (!facts) throw new Error(`the event's snapshot ${moment.snapshotPath} is not a picture`);
        out.snapshot = { contentType: facts.contentType, width: facts.width, height: facts.height, data: snapshot.toString('base64') };
      }
      let clipFile: string | null = null;
      const clip = async () => {
        clipFile ??= join(work, `clip${extname(moment.clipPath) || '.video'}`);
        if (!existsSync(clipFile)) await this.store.download(moment.clipPath, clipFile);
        return clipFile;
      };
      if (consumes.crop && moment.best) {
        const { sec, box, frameWidth, frameHeight } = moment.best;
        const crop = { box, frameWidth, frameHeight };
        const cropFile = join(work, `crop.${consumes.crop.format === 'png' ? 'png' : 'jpg'}`);
        await this.ffmpeg.writeFrameImage(await clip(), cropFile, { atSec: Math.max(0, sec), crop, margin: consumes.crop.margin, maxSide: consumes.crop.maxSize, format: consumes.crop.format });
        out.crop = { ...(await imageOf(cropFile)), box: cropFractions(crop, consumes.crop.margin) };
      }
      if (consumes.frames) {
        const { fps, maxFrames, maxWidth } = consumes.frames;
        const startSec = Math.max(0, moment.startSec);
        const files = await this.ffmpeg.writeVideoFrames(await clip(), join(work, 'frames'), { startSec, durationSec: Math.max(0.1, moment.endSec - startSec), fps, maxFrames, maxWidth });
        out.frames = [];
        for (const [index, file] of files.entries()) out.frames.push({ ...(await imageOf(file)), sec: Math.round((startSec + index / fps) * 1000) / 1000 });
      }
      return out;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
