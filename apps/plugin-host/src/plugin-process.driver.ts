import { spawn, type ChildProcess } from 'node:child_process';

export type OutputStream = 'stdout' | 'stderr';

export interface PluginProcessOptions {
  main: string;
  cwd: string;
  /** the whole environment of the process (nothing is inherited) */
  env: Record<string, string>;
  /** heap limit of the plugin's V8, MB */
  maxHeapMb?: number;
  /** longer lines are cut (and the rest of the line dropped) */
  maxLineLength?: number;
  onLine(stream: OutputStream, line: string): void;
  /** every chunk of output, before it is split into lines (for output limits) */
  onOutputBytes(bytes: number): void;
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

/**
 * Splits a byte stream into lines without ever holding more than `maxLineLength` characters of a
 * line: a plugin that writes endlessly without a newline costs nothing but the count.
 */
export class LineSplitter {
  private partial = '';
  private skipping = false;

  constructor(
    private readonly maxLineLength: number,
    private readonly emit: (line: string) => void,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf('\n', start);
      const piece = chunk.slice(start, end === -1 ? undefined : end);
      if (!this.skipping) {
        this.partial += piece.slice(0, this.maxLineLength - this.partial.length + 1);
        if (this.partial.length > this.maxLineLength) {
          this.emit(`${this.partial.slice(0, this.maxLineLength)}… (line cut)`);
          this.partial = '';
          this.skipping = true;
        }
      }
      if (end === -1) return;
      if (!this.skipping) this.emit(this.partial.replace(/\r$/, ''));
      this.partial = '';
      this.skipping = false;
      start = end + 1;
    }
  }

  flush(): void {
    if (this.partial && !this.skipping) this.emit(this.partial);
    this.partial = '';
  }
}

/**
 * One plugin's process: `node <main>` in the plugin's folder with only the environment given
 * (no shell, none of the platform's secrets), standard input a pipe held by the host (the SDK
 * stops the plugin when it closes), output split into capped lines.
 */
export class PluginProcess {
  private readonly child: ChildProcess;
  private exitedFlag = false;
  private readonly exitPromise: Promise<void>;

  constructor(options: PluginProcessOptions) {
    this.child = spawn(process.execPath, [`--max-old-space-size=${options.maxHeapMb ?? 512}`, options.main], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
    });
    const maxLine = options.maxLineLength ?? 1000;
    for (const stream of ['stdout', 'stderr'] as const) {
      const splitter = new LineSplitter(maxLine, (line) => options.onLine(stream, line));
      const source = this.child[stream];
      source?.setEncoding('utf8');
      source?.on('data', (chunk: string) => {
        options.onOutputBytes(Buffer.byteLength(chunk));
        splitter.push(chunk);
      });
      source?.on('end', () => splitter.flush());
    }
    this.child.stdin?.on('error', () => undefined);
    this.exitPromise = new Promise<void>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitedFlag = true;
        options.onExit(code, signal);
        resolve();
      });
      this.child.once('error', (error) => {
        // spawn failure: report as an exit
        if (this.exitedFlag) return;
        this.exitedFlag = true;
        options.onLine('stderr', `could not start: ${error.message}`);
        options.onExit(null, null);
        resolve();
      });
    });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get exited(): boolean {
    return this.exitedFlag;
  }

  /** Ask it to stop (SIGTERM, stdin closed), kill it (SIGKILL) after `graceMs`; resolves when it is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exitedFlag) return;
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Kill it at once (a plugin that hangs or floods gets no grace); resolves when it is gone. */
  async kill(): Promise<void> {
    if (this.exitedFlag) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }
}
