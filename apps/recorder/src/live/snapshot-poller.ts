import type { CameraFailure } from '@cameramonit/media';

export interface SnapshotSource {
  url: string;
  username: string | null;
  password: string | null;
  /** pictures per second */
  fps: number;
}

const maxPictureBytes = 20 * 1024 * 1024;

/**
 * A camera that only answers one JPEG per request (a snapshot URL): fetched `fps` times a second
 * and written to ffmpeg's stdin, which makes a video of them. HTTP answers are reported as the
 * camera's failure (401: wrong password, 404: wrong path, unreachable), since ffmpeg only sees
 * that no pictures come.
 */
export class SnapshotPoller {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy = false;

  constructor(
    private readonly source: SnapshotSource,
    private readonly sink: NodeJS.WritableStream,
    private readonly onFailure: (failure: CameraFailure | null) => void,
  ) {}

  start(): void {
    const everyMs = Math.max(33, 1000 / this.source.fps);
    void this.fetchOne();
    this.timer = setInterval(() => void this.fetchOne(), everyMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      this.sink.end();
    } catch {
      // ffmpeg is gone already
    }
  }

  private async fetchOne(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const headers: Record<string, string> = {};
      if (this.source.username !== null || this.source.password !== null) {
        headers.authorization = `Basic ${Buffer.from(`${this.source.username ?? ''}:${this.source.password ?? ''}`).toString('base64')}`;
      }
      const response = await fetch(this.source.url, { headers, signal: AbortSignal.timeout(5000), redirect: 'follow' });
      if (response.status === 401 || response.status === 403) {
        this.onFailure({ kind: 'auth', message: `the camera refused the user name or password (${response.status}): check them in the camera settings` });
        await response.body?.cancel();
        return;
      }
      if (response.status === 404) {
        this.onFailure({ kind: 'not-found', message: 'the camera answered, but there is no picture at that address (404): check the path' });
        await response.body?.cancel();
        return;
      }
      if (!response.ok) {
        this.onFailure({ kind: 'unknown', message: `the camera answered ${response.status} instead of a picture` });
        await response.body?.cancel();
        return;
      }
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > maxPictureBytes) {
        await response.body?.cancel();
        this.onFailure({ kind: 'bad-stream', message: `the camera's picture is larger than ${maxPictureBytes / 1048576} MB` });
        return;
      }
      const picture = Buffer.from(await response.arrayBuffer());
      if (picture.length < 4 || picture[0] !== 0xff || picture[1] !== 0xd8) {
        this.onFailure({ kind: 'bad-stream', message: 'the snapshot address answers something that is not a JPEG picture' });
        return;
      }
      this.onFailure(null);
      if (!this.stopped) this.sink.write(picture);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const message = cause === 'ECONNREFUSED' ? 'the camera refused the connection: is it on, and is the port right?' : (error as Error).name === 'TimeoutError' ? 'the camera did not answer within 5 s' : 'the camera cannot be reached on the network: check the address';
      this.onFailure({ kind: cause === 'ECONNREFUSED' || cause === 'ENOTFOUND' || cause === 'EHOSTUNREACH' ? 'unreachable' : 'timeout', message });
    } finally {
      this.busy = false;
    }
  }
}
