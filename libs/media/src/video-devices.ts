/**
 * The video devices of this machine (webcams, capture cards): V4L2 nodes under
 * /sys/class/video4linux, with their drivers' names; the ones that capture video are told apart
 * by asking ffmpeg for their formats (FfmpegDriver.videoDeviceFormats: a webcam's metadata node,
 * or vivid's output node, has none).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * ffmpeg's `-f v4l2 -list_formats all` output: the formats of a capture device, or null when the
 * node does not capture video ("Not a video capture device").
 *   [video4linux2,v4l2 @ 0x..] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 1280x720
 *   [video4linux2,v4l2 @ 0x..] Compressed:       mjpeg :          Motion-JPEG : 640x480 1920x1080
 */
export function parseV4l2Formats(stderr: string): string[] | null {
  if (/Not a video capture device/i.test(stderr)) return null;
  const formats: string[] = [];
  for (const line of stderr.split('\n')) {
    const match = /\]\s*(?:Raw|Compressed)\s*:\s*([^:]+?)\s*:/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
    if (!match) continue;
    const format = match[1] as string;
    if (format !== 'Unsupported' && !formats.includes(format)) formats.push(format);
  }
  return formats.length > 0 ? formats : null;
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
