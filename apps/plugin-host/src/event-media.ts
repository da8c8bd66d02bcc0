import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { NormalisedBox, PluginImage, PluginManifest, PluginRequest } from '@cameramonit/contracts';
import { fitFrameSize, readImageFacts, type FfmpegDriver, type PixelRect } from '@cameramonit/media';

/** What the host reads and writes in the clip store (StorageClient in the app; any folder-backed store in tests). */
export interface MediaStore {
  getBuffer(storePath: string): Promise<Buffer>;
  download(storePath: string, toFile: string): Promise<void>;
  putFile(storePath: string, fromFile: string, contentType?: string): Promise<void>;
}

export interface EventMoment {
  clipPath: string;
  /** the browser-playable copy, if the worker made one */
  playablePath: string | null;
  snapshotPath: string | null;
  startSec: number;
  endSec: number;
  /** the most confident object's box, normalised; null for motion events */
  box: NormalisedBox | null;
}

/** A box in analysis-frame pixels, normalised with the analysis frame size the worker used (never upscaled, aspect kept). */
export function normaliseAnalysisBox(
  box: { x: number; y: number; width: number; height: number },
  video: { width: number; height: number },
  analysisWidth: number,
): NormalisedBox {
  const frame = fitFrameSize(video.width, video.height, analysisWidth);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const x = clamp(box.x / frame.width);
  const y = clamp(box.y / frame.height);
  return { x, y, width: Math.min(1 - x, clamp(box.width / frame.width)), height: Math.min(1 - y, clamp(box.height / frame.height)) };
}

/** The crop rectangle (pixels of a picture of `width` x `height`) around a normalised box, with a margin, inside the picture. */
export function cropRectangle(box: NormalisedBox, width: number, height: number, margin: number): PixelRect {
  const x0 = Math.max(0, (box.x - box.width * margin) * width);
  const y0 = Math.max(0, (box.y - box.height * margin) * height);
  const x1 = Math.min(width, (box.x + box.width * (1 + margin)) * width);
  const y1 = Math.min(height, (box.y + box.height * (1 + margin)) * height);
  const rect = { x: Math.floor(x0), y: Math.floor(y0), width: Math.max(2, Math.round(x1 - Math.floor(x0))), height: Math.max(2, Math.round(y1 - Math.floor(y0))) };
  rect.width = Math.min(rect.width, width - rect.x);
  rect.height = Math.min(rect.height, height - rect.y);
  return rect;
}

async function imageOf(file: string): Promise<PluginImage> {
  const bytes = await readFile(file);
  const facts = readImageFacts(bytes);
  if (!facts) throw new Error(`${file} is not a JPEG or PNG`);
  return { contentType: facts.contentType, width: facts.width, height: facts.height, data: bytes.toString('base64') };
}

/**
 * The pictures a plugin asked for in its manifest, for one event: the crop of the best moment
 * (cut from the event's snapshot, which is that moment's frame), the snapshot itself, frames of
 * the clip over the event, a signed link to the clip.
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
      if ((consumes.crop || consumes.snapshot) && moment.snapshotPath) {
        const snapshot = await this.store.getBuffer(moment.snapshotPath);
        const facts = readImageFacts(snapshot);
        if (!facts) throw new Error(`the event's snapshot ${moment.snapshotPath} is not a picture`);
        if (consumes.snapshot) out.snapshot = { contentType: facts.contentType, width: facts.width, height: facts.height, data: snapshot.toString('base64') };
        if (consumes.crop && moment.box) {
          const snapshotFile = join(work, `snapshot${extname(moment.snapshotPath) || '.jpg'}`);
          await writeFile(snapshotFile, snapshot);
          const rect = cropRectangle(moment.box, facts.width, facts.height, consumes.crop.margin);
          const cropFile = join(work, `crop.${consumes.crop.format === 'png' ? 'png' : 'jpg'}`);
          await this.ffmpeg.writeImageCrop(snapshotFile, cropFile, { crop: rect, maxSize: consumes.crop.maxSize, format: consumes.crop.format });
          const box = { x: rect.x / facts.width, y: rect.y / facts.height, width: rect.width / facts.width, height: rect.height / facts.height };
          out.crop = { ...(await imageOf(cropFile)), box };
        }
      }
      if (consumes.frames) {
        const { fps, maxFrames, maxWidth } = consumes.frames;
        const clipFile = join(work, `clip${extname(moment.clipPath) || '.video'}`);
        await this.store.download(moment.clipPath, clipFile);
        const startSec = Math.max(0, moment.startSec);
        const files = await this.ffmpeg.writeVideoFrames(clipFile, join(work, 'frames'), { startSec, durationSec: Math.max(0.1, moment.endSec - startSec), fps, maxFrames, maxWidth });
        out.frames = [];
        for (const [index, file] of files.entries()) out.frames.push({ ...(await imageOf(file)), sec: Math.round((startSec + index / fps) * 1000) / 1000 });
      }
      return out;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
