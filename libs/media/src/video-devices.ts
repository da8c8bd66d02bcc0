/**
 * The video devices of this machine (webcams, capture cards): V4L2 nodes under
 * /sys/class/video4linux, with their drivers' names; the ones that capture video are told apart
 * by asking ffmpeg for their formats (FfmpegDriver.videoDeviceFormats: a webcam's metadata node,
 * or vivid's output node, has none).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One pixel format a capture device offers, with the picture sizes it lists for it. */
export interface VideoDeviceFormat {
  /** as ffmpeg names it (`-input_format`): yuyv422, mjpeg... */
  format: string;
  /** compressed by the device (Motion-JPEG, H.264), as opposed to raw pixels */
  compressed: boolean;
  /** the discrete sizes listed ("1280x720"); empty when the device gives a range instead */
  sizes: string[];
}

/**
 * ffmpeg's `-f v4l2 -list_formats all` output: the formats of a capture device with their sizes, or
 * null when the node does not capture video ("Not a video capture device").
 *   [video4linux2,v4l2 @ 0x..] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 1280x720
 *   [video4linux2,v4l2 @ 0x..] Compressed:       mjpeg :          Motion-JPEG : 640x480 1920x1080
 */
export function parseV4l2FormatList(stderr: string): VideoDeviceFormat[] | null {
  if (/Not a video capture device/i.test(stderr)) return null;
  const formats: VideoDeviceFormat[] = [];
  for (const line of stderr.split('\n')) {
    const match = /\]\s*(Raw|Compressed)\s*:\s*([^:]+?)\s*:[^:]*:?(.*)$/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
    if (!match) continue;
    const format = match[2] as string;
    if (format === 'Unsupported') continue;
    const sizes = (match[3] ?? '').split(/\s+/).filter((size) => /^\d+x\d+$/.test(size));
    const known = formats.find((entry) => entry.format === format);
    if (known) for (const size of sizes) if (!known.sizes.includes(size)) known.sizes.push(size);
    if (!known) formats.push({ format, compressed: match[1] === 'Compressed', sizes });
  }
  return formats.length > 0 ? formats : null;
}

/** The names of the formats a capture device offers (parseV4l2FormatList), or null. */
export function parseV4l2Formats(stderr: string): string[] | null {
  return parseV4l2FormatList(stderr)?.map((entry) => entry.format) ?? null;
}

/** Raw pictures up to this many pixels come at full rate over USB 2 (640x480 YUYV at 30 fps). */
const rawFullRatePixels = 640 * 480;

/**
 * The format to ask a webcam for (`-input_format`), or null for the device's default. Over USB 2 a
 * webcam sends raw pictures larger than 640x480 at a fraction of the frame rate (1280x720 YUYV: about
 * 10 fps, 1920x1080: 5), while its Motion-JPEG comes at full rate: so Motion-JPEG when the device
 * offers it, unless the size asked is one a raw format gives at full rate (small pictures need no
 * JPEG decoding). No size asked: the device's current one, unknown here, so Motion-JPEG.
 */
export function chooseWebcamFormat(formats: readonly VideoDeviceFormat[] | null, captureSize: string | null | undefined): string | null {
  if (!formats) return null;
  const mjpeg = formats.find((entry) => entry.format === 'mjpeg') ?? null;
  if (!mjpeg) return null;
  if (captureSize) {
    const [width, height] = captureSize.split('x').map(Number);
    const rawOffers = formats.some((entry) => !entry.compressed && entry.sizes.includes(captureSize));
    if (rawOffers && width * height <= rawFullRatePixels) return null;
    // Motion-JPEG that lists sizes but not this one: the driver would pick a nearby size; raw may have it
    if (mjpeg.sizes.length > 0 && !mjpeg.sizes.includes(captureSize) && rawOffers) return null;
  }
  return 'mjpeg';
}

/** The V4L2 nodes listed in `sysDir` (default /sys/class/video4linux), as /dev paths with their names, in number order. */
export async function listVideoNodes(sysDir = '/sys/class/video4linux', devDir = '/dev'): Promise<{ path: string; name: string }[]> {
  let entries: string[];
  try {
    entries = await readdir(sysDir);
  } catch {
    return [];
  }
  const nodes = entries.filter((entry) => /^video\d+$/.test(entry)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return Promise.all(
    nodes.map(async (node) => ({
      path: join(devDir, node),
      name: (await readFile(join(sysDir, node, 'name'), 'utf8').catch(() => node)).trim() || node,
    })),
  );
}
