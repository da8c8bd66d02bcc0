import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

export interface AppSpec {
  name: string;
  entry: string;
  port: number;
  /** settings of this process only (a second worker's port and instance id) */
  env?: NodeJS.ProcessEnv;
}

const colours = [36, 33, 35, 32, 34, 91, 93, 96, 95];

/** Runs each app as its own process, prefixes its output, restarts it with backoff when it dies. */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly onLine: (app: string, line: string) => void = (app, line) => process.stdout.write(`${app} ${line}\n`),
  ) {}

  start(spec: AppSpec, index: number, restarts = 0): void {
    this.installExitHook();
    const child = spawn(process.execPath, ['--enable-source-maps', spec.entry], { env: { ...this.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.set(spec.name, child);
    const label = `\x1b[${colours[index % colours.length]}m${spec.name.padEnd(13)}\x1b[0m`;
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => this.onLine(label, line));
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      const delay = Math.min(30_000, 1000 * 2 ** restarts);
      this.onLine(label, `exited (${signal ?? code}); restarting in ${delay / 1000} s`);
      setTimeout(() => {
        if (!this.stopping) this.start(spec, index, restarts + 1);
      }, delay).unref();
    });
  }

  private exitHookInstalled = false;

  /** However this process ends (even process.exit), its apps do not outlive it. */
  private installExitHook(): void {
    if (this.exitHookInstalled) return;
    this.exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of this.children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }

  async waitHealthy(spec: AppSpec, host: string, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://${host}:${spec.port}/health`);
        if (response.ok) return;
      } catch {
        // not up yet
      }
      await sleep(250);
    }
    throw new Error(`${spec.name} did not become healthy on port ${spec.port} within ${timeoutMs / 1000} s`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
