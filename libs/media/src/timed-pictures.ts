/** What a showinfo line says of a picture: its number and its timestamp. */
const showinfoLine = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s/;

/**
 * The PPM pictures an ffmpeg writes on stdout, each put together with its timestamp, which its
 * `showinfo` filter says on stderr (at `-v info`): the two come on two pipes, in either order, so
 * they are paired by number. Other stderr lines are kept (the last few kB) for error messages.
 */
export class TimedPictures {
  private readonly pictureBytes: number;
  private readonly header: Buffer;
  private picture: Buffer;
  private filled = 0;
  private readonly pictures: Uint8Array[] = [];
  private readonly ptsByNumber = new Map<number, bigint>();
  /** the number of the next picture to pair with its timestamp */
  private paired = 0;
  private stderrPartial = '';
  /** the last lines ffmpeg wrote that are not showinfo's */
  stderrTail = '';

  constructor(
    readonly width: number,
    readonly height: number,
    /** a picture and its timestamp (in the stream's time base), in order */
    private readonly onPicture: (pts: bigint, rgb: Uint8Array) => void,
    /** ffmpeg wrote something that is not a picture of this size: nothing more is read */
    private readonly onBadPicture: (message: string) => void,
  ) {
    this.header = Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1');
    this.pictureBytes = this.header.length + width * height * 3;
    this.picture = Buffer.alloc(this.pictureBytes);
  }

  /** Bytes of ffmpeg's stdout. */
  stdout(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.pictureBytes - this.filled, chunk.length - offset);
      chunk.copy(this.picture, this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
      if (this.filled === this.pictureBytes) {
        if (!this.picture.subarray(0, this.header.length).equals(this.header)) {
          const message = `ffmpeg wrote a picture that is not a ${this.width}x${this.height} PPM`;
          this.stderrTail += `\n${message}`;
          this.onBadPicture(message);
          return;
        }
        this.pictures.push(new Uint8Array(this.picture.buffer, this.picture.byteOffset + this.header.length, this.width * this.height * 3));
        this.picture = Buffer.alloc(this.pictureBytes);
        this.filled = 0;
        this.pair();
      }
    }
  }

  /** Bytes of ffmpeg's stderr. */
  stderr(chunk: Buffer): void {
    const lines = (this.stderrPartial + chunk.toString('latin1')).split('\n');
    this.stderrPartial = lines.pop() ?? '';
    for (const line of lines) {
      const info = line.includes('showinfo') ? showinfoLine.exec(line) : null;
      if (info) this.ptsByNumber.set(Number(info[1]), BigInt(info[2]));
      else if (!line.includes('showinfo')) this.stderrTail = (this.stderrTail + line + '\n').slice(-4096);
    }
    this.pair();
  }

  /** the last thing ffmpeg said that was not about a picture */
  lastError(): string {
    return this.stderrTail.trim().split('\n').pop() ?? '';
  }

  private pair(): void {
    while (this.pictures.length > 0 && this.ptsByNumber.has(this.paired)) {
      const pts = this.ptsByNumber.get(this.paired) as bigint;
      this.ptsByNumber.delete(this.paired);
      this.paired++;
      this.onPicture(pts, this.pictures.shift() as Uint8Array);
    }
  }
}
