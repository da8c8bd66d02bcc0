import { randomUUID } from 'node:crypto';
import type { TopicConnection } from '@cameramonit/bus';
import { unwrapBusMessage } from '@cameramonit/bus';
import {
  CameramonitError,
  PLUGIN_STDIN_WATCH_ENV,
  PluginEnv,
  pluginTopics,
  Topics,
  type PluginManifest,
  type PluginRequest,
  type PluginResult,
  type PluginState,
  type PluginStatus,
} from '@cameramonit/contracts';
import type { DiscoveredPlugin, Discovery } from './plugin-discovery.js';
import { PluginProcess } from './plugin-process.driver.js';

export type PluginFailureCode = 'PLUGIN_TIMEOUT' | 'PLUGIN_CRASHED' | 'PLUGIN_STOPPED' | 'PLUGIN_UNAVAILABLE';

/** A request a plugin did not answer. */
export class PluginCallError extends CameramonitError {
  constructor(
    readonly failure: PluginFailureCode,
    message: string,
  ) {
    super(failure, message, 502);
  }
}

export interface SupervisorLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface SupervisorOptions {
  /** the broker the plugins connect to */
  mqttUrl: string;
  /** the host's connection for plugin topics */
  connection: TopicConnection;
  logger: SupervisorLogger;
  /** prefix of the plugins' MQTT client ids */
  clientIdPrefix?: string;
  /** first restart delay after a crash; doubles per crash in the window, capped by restartMaxMs */
  restartBaseMs?: number;
  restartMaxMs?: number;
  /** this many crashes within crashWindowMs: the plugin is marked failed and left stopped */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** a started plugin that has not said "ready" by then is killed (counts as a crash) */
  startupTimeoutMs?: number;
  /** plugin output lines logged per minute; the rest is counted, not logged */
  maxLoggedLinesPerMinute?: number;
  /**
   * Keeps the plugin topics of several platforms on one broker apart (INSTANCE_ID): topics become
   * `cameramonit/plugins/<scope>.<name>/...`. Empty: `cameramonit/plugins/<name>/...`.
   */
  topicScope?: string;
}

interface Pending {
  requestId: string;
  resolve(result: PluginResult): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Window {
  start: number;
  amount: number;
}

class PluginRuntime {
  readonly topics: ReturnType<typeof pluginTopics>;
  state: PluginState = 'starting';
  process: PluginProcess | null = null;
  restarts = 0;
  crashTimes: number[] = [];
  lastError: string | null = null;
  /** the last lines it wrote to stderr, to say why it died */
  stderrTail: string[] = [];
  counts = { requests: 0, succeeded: 0, failed: 0, timedOut: 0, crashes: 0, messages: 0, outputBytes: 0 };
  pending: Pending | null = null;
  queue: Promise<unknown> = Promise.resolve();
  waiters: (() => void)[] = [];
  messages: Window = { start: 0, amount: 0 };
  output: Window = { start: 0, amount: 0 };
  logged: Window = { start: 0, amount: 0 };
  startupTimer: NodeJS.Timeout | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  /** why the host itself ended the process ('hung' restarts at once, 'stopped' never) */
  endedBy: 'hung' | 'startup' | 'stopped' | 'shutdown' | null = null;

  constructor(
    readonly plugin: DiscoveredPlugin,
    /** the plugin's segment in its topics */
    readonly segment: string,
  ) {
    this.topics = pluginTopics(segment);
  }

  get manifest(): PluginManifest {
    return this.plugin.manifest;
  }

  setState(state: PluginState): void {
    this.state = state;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** The telling line of what a process wrote before it died: the last error message, else its last line (not Node's version footer). */
export function crashReason(stderrTail: string[]): string | null {
  const lines = stderrTail.filter((l) => !/^Node\.js v\d/.test(l) && !/^at /.test(l) && !/^\^+$/.test(l));
  return [...lines].reverse().find((l) => /^(\w*Error|Uncaught|error:)/i.test(l)) ?? lines.at(-1) ?? null;
}

/** Count an amount in the current minute; true when it goes over `limit`. */
function overLimit(window: Window, amount: number, limit: number, now = Date.now()): boolean {
  if (now - window.start >= 60_000) {
    window.start = now;
    window.amount = 0;
  }
  window.amount += amount;
  return window.amount > limit;
}

/**
 * Runs every discovered plugin as its own process and talks to it over the bus: starts it,
 * waits for its "ready", sends it requests one at a time and waits for the answer within its
 * timeout, restarts it when it dies (backoff; failed after too many crashes), kills and restarts
 * it when it hangs, stops it for good when it floods (messages, message size, output). One
 * plugin's trouble never touches another's.
 */
export class PluginSupervisor {
  private readonly runtimes = new Map<string, PluginRuntime>();
  private readonly bySegment = new Map<string, PluginRuntime>();
  private readonly options: Required<Omit<SupervisorOptions, 'connection' | 'logger' | 'mqttUrl' | 'topicScope'>>;
  private unsubscribe: (() => Promise<void>) | null = null;
  private shuttingDown = false;

  constructor(
    private readonly discovery: Discovery,
    private readonly settings: SupervisorOptions,
  ) {
    this.options = {
      clientIdPrefix: settings.clientIdPrefix ?? 'cameramonit',
      restartBaseMs: settings.restartBaseMs ?? 1000,
      restartMaxMs: settings.restartMaxMs ?? 30_000,
      maxCrashes: settings.maxCrashes ?? 5,
      crashWindowMs: settings.crashWindowMs ?? 10 * 60_000,
      startupTimeoutMs: settings.startupTimeoutMs ?? 30_000,
      maxLoggedLinesPerMinute: settings.maxLoggedLinesPerMinute ?? 100,
    };
    const scope = settings.topicScope?.replace(/[^A-Za-z0-9_-]/g, '') ?? '';
    for (const plugin of discovery.plugins) {
      const runtime = new PluginRuntime(plugin, scope ? `${scope}.${plugin.manifest.name}` : plugin.manifest.name);
      this.runtimes.set(plugin.manifest.name, runtime);
      this.bySegment.set(runtime.segment, runtime);
    }
  }

  private get logger(): SupervisorLogger {
    return this.settings.logger;
  }

  async start(): Promise<void> {
    for (const bad of this.discovery.invalid) this.logger.warn(`Plugin in ${bad.dir} skipped: ${bad.problems.join('; ')}`);
    this.unsubscribe = await this.settings.connection.subscribe(Topics.pluginsFilter, (topic, payload) => this.onMessage(topic, payload));
    for (const runtime of this.runtimes.values()) this.spawn(runtime);
  }

  async stop(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all(
      [...this.runtimes.values()].map(async (runtime) => {
        clearTimeout(runtime.restartTimer);
        clearTimeout(runtime.startupTimer);
        this.failPending(runtime, new PluginCallError('PLUGIN_STOPPED', 'the plugin host is shutting down'));
        runtime.endedBy = 'shutdown';
        await runtime.process?.stop(3000);
      }),
    );
    await this.unsubscribe?.();
  }

  names(): string[] {
    return [...this.runtimes.keys()];
  }

  manifest(name: string): PluginManifest | null {
    return this.runtimes.get(name)?.manifest ?? null;
  }

  /** The plugins that want this event (whatever their state: a restarting plugin gets it when back). */
  interestedIn(event: { kind: string; label: string }): PluginManifest[] {
    return [...this.runtimes.values()]
      .map((r) => r.manifest)
      .filter((m) => (m.consumes.kinds as string[]).includes(event.kind) && (!m.consumes.labels || m.consumes.labels.includes(event.label)));
  }

  /** Whether a plugin can take requests now or soon (not failed, not stopped). */
  usable(name: string): boolean {
    const state = this.runtimes.get(name)?.state;
    return state === 'ready' || state === 'starting' || state === 'restarting';
  }

  status(): PluginStatus[] {
    const running: PluginStatus[] = [...this.runtimes.values()].map((r) => ({
      name: r.manifest.name,
      version: r.manifest.version,
      description: r.manifest.description || null,
      dir: r.plugin.dir,
      state: r.state,
      pid: r.process && !r.process.exited ? r.process.pid : null,
      restarts: r.restarts,
      lastError: r.lastError,
      problems: [],
      counts: { ...r.counts },
      consumes: r.manifest.consumes,
      returns: r.manifest.returns,
    }));
    const invalid: PluginStatus[] = this.discovery.invalid.map((bad) => ({
      name: bad.name ?? bad.dir.split(/[\\/]/).pop() ?? bad.dir,
      version: null,
      description: null,
      dir: bad.dir,
      state: 'invalid',
      pid: null,
      restarts: 0,
      lastError: `invalid manifest: ${bad.problems.join('; ')}`,
      problems: bad.problems,
      counts: { requests: 0, succeeded: 0, failed: 0, timedOut: 0, crashes: 0, messages: 0, outputBytes: 0 },
      consumes: null,
      returns: [],
    }));
    return [...running, ...invalid];
  }

  /** A result arrived but was refused (schema, sizes): counted as a failure of the plugin. */
  noteRefusedResult(name: string, reason: string): void {
    const runtime = this.runtimes.get(name);
    if (!runtime) return;
    runtime.counts.succeeded = Math.max(0, runtime.counts.succeeded - 1);
    runtime.counts.failed++;
    runtime.lastError = reason.slice(0, 1000);
  }

  /**
   * Send one request and wait for its answer (requests to one plugin go one at a time, in order).
   * Throws PluginCallError when the plugin does not answer in time (it is then restarted), dies,
   * floods, or cannot be started.
   */
  call(name: string, request: PluginRequest): Promise<PluginResult> {
    const runtime = this.runtimes.get(name);
    if (!runtime) return Promise.reject(new PluginCallError('PLUGIN_UNAVAILABLE', `no plugin named ${name}`));
    const run = runtime.queue.then(() => this.send(runtime, request));
    runtime.queue = run.catch(() => undefined);
    return run;
  }

  /** The deadline a request sent now gets. */
  deadlineFor(name: string): Date {
    const timeoutSec = this.runtimes.get(name)?.manifest.limits.timeoutSec ?? 10;
    return new Date(Date.now() + timeoutSec * 1000);
  }

  private async send(runtime: PluginRuntime, request: PluginRequest): Promise<PluginResult> {
    await this.whenReady(runtime);
    const timeoutMs = runtime.manifest.limits.timeoutSec * 1000;
    runtime.counts.requests++;
    const message = { ...request, deadline: new Date(Date.now() + timeoutMs).toISOString() };
    return new Promise<PluginResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (runtime.pending?.requestId !== request.requestId) return;
        runtime.pending = null;
        runtime.counts.timedOut++;
        runtime.counts.failed++;
        const reason = `no answer to request ${request.requestId} within ${runtime.manifest.limits.timeoutSec} s: killed and restarted`;
        runtime.lastError = reason;
        this.logger.warn(`Plugin ${runtime.manifest.name}: ${reason}`);
        reject(new PluginCallError('PLUGIN_TIMEOUT', `The plugin ${runtime.manifest.name} did not answer within ${runtime.manifest.limits.timeoutSec} s`));
        void this.endProcess(runtime, 'hung');
      }, timeoutMs);
      runtime.pending = { requestId: request.requestId, resolve, reject, timer };
      this.settings.connection.publish(runtime.topics.request, message).catch((error: unknown) => {
        if (runtime.pending?.requestId !== request.requestId) return;
        clearTimeout(timer);
        runtime.pending = null;
        reject(new PluginCallError('PLUGIN_UNAVAILABLE', `could not send the request over the bus: ${(error as Error).message}`));
      });
    });
  }

  private whenReady(runtime: PluginRuntime): Promise<void> {
    const limit = this.options.startupTimeoutMs + this.options.restartMaxMs;
    return new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new PluginCallError('PLUGIN_UNAVAILABLE', `the plugin ${runtime.manifest.name} was not ready within ${Math.round(limit / 1000)} s`)), limit);
      const check = () => {
        if (runtime.state === 'ready') {
          clearTimeout(deadline);
          return resolve();
        }
        if (runtime.state === 'failed' || runtime.state === 'stopped' || this.shuttingDown) {
          clearTimeout(deadline);
          return reject(new PluginCallError(runtime.state === 'failed' ? 'PLUGIN_CRASHED' : 'PLUGIN_STOPPED', `the plugin ${runtime.manifest.name} is ${runtime.state}: ${runtime.lastError ?? ''}`.trim()));
        }
        runtime.waiters.push(check);
      };
      check();
    });
  }

  private spawn(runtime: PluginRuntime): void {
    if (this.shuttingDown) return;
    const { manifest, plugin } = runtime;
    runtime.endedBy = null;
    runtime.setState(runtime.restarts ? 'restarting' : 'starting');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: process.env.TZ ?? 'UTC',
      LANG: process.env.LANG ?? 'C.UTF-8',
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      [PluginEnv.mqttUrl]: this.settings.mqttUrl,
      [PluginEnv.name]: manifest.name,
      [PluginEnv.clientId]: `${this.options.clientIdPrefix}-plugin-${manifest.name}-${randomUUID().slice(0, 8)}`,
      [PluginEnv.readyTopic]: runtime.topics.ready,
      [PluginEnv.requestTopic]: runtime.topics.request,
      [PluginEnv.resultTopic]: runtime.topics.result,
      [PLUGIN_STDIN_WATCH_ENV]: '1',
    };
    const child = new PluginProcess({
      main: plugin.main,
      cwd: plugin.dir,
      env,
      onLine: (stream, line) => this.onLine(runtime, child, stream, line),
      onOutputBytes: (bytes) => {
        runtime.counts.outputBytes += bytes;
        if (runtime.process === child && overLimit(runtime.output, bytes, manifest.limits.maxOutputKbPerMinute * 1024)) {
          this.stopFlooding(runtime, `wrote more than ${manifest.limits.maxOutputKbPerMinute} KB of output in a minute`);
        }
      },
      onExit: (code, signal) => this.onExit(runtime, child, code, signal),
    });
    runtime.process = child;
    clearTimeout(runtime.startupTimer);
    runtime.startupTimer = setTimeout(() => {
      if (runtime.process !== child || (runtime.state !== 'starting' && runtime.state !== 'restarting')) return;
      runtime.lastError = `did not connect to the bus within ${Math.round(this.options.startupTimeoutMs / 1000)} s`;
      void this.endProcess(runtime, 'startup');
    }, this.options.startupTimeoutMs);
    this.logger.log(`Plugin ${manifest.name} ${manifest.version} starting (pid ${child.pid ?? '?'}, ${plugin.dir})`);
  }

  private onLine(runtime: PluginRuntime, child: PluginProcess, stream: 'stdout' | 'stderr', line: string): void {
    if (stream === 'stderr' && line.trim()) runtime.stderrTail = [...runtime.stderrTail.slice(-19), line.trim().slice(0, 300)];
    if (runtime.process !== child) return;
    const max = this.options.maxLoggedLinesPerMinute;
    if (!overLimit(runtime.logged, 1, max)) this.logger.log(`[plugin ${runtime.manifest.name}] ${line}`);
    else if (runtime.logged.amount === max + 1) this.logger.warn(`[plugin ${runtime.manifest.name}] more than ${max} lines of output this minute; the rest is not logged`);
  }

  private onExit(runtime: PluginRuntime, child: PluginProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (runtime.process !== child) return;
    clearTimeout(runtime.startupTimer);
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    const endedBy = runtime.endedBy;
    if (endedBy === 'shutdown' || endedBy === 'stopped' || this.shuttingDown) return;
    this.failPending(runtime, new PluginCallError('PLUGIN_CRASHED', `the plugin ${runtime.manifest.name} ${how} while working on the request`));
    if (endedBy === 'hung') {
      runtime.restarts++;
      this.spawn(runtime);
      return;
    }
    // a crash (or it never got ready)
    runtime.counts.crashes++;
    if (endedBy !== 'startup') {
      const why = crashReason(runtime.stderrTail);
      runtime.lastError = `${how}${why ? `: ${why}` : ''}`;
    }
    runtime.stderrTail = [];
    const now = Date.now();
    runtime.crashTimes = [...runtime.crashTimes.filter((t) => now - t < this.options.crashWindowMs), now];
    if (runtime.crashTimes.length >= this.options.maxCrashes) {
      runtime.lastError = `${runtime.lastError} (crashed ${runtime.crashTimes.length} times in ${Math.round(this.options.crashWindowMs / 60_000)} min: not restarted again)`;
      this.logger.warn(`Plugin ${runtime.manifest.name} failed: ${runtime.lastError}`);
      runtime.setState('failed');
      return;
    }
    const delay = Math.min(this.options.restartMaxMs, this.options.restartBaseMs * 2 ** (runtime.crashTimes.length - 1));
    this.logger.warn(`Plugin ${runtime.manifest.name} ${how}; restarting in ${(delay / 1000).toFixed(1)} s`);
    runtime.setState('restarting');
    runtime.restartTimer = setTimeout(() => {
      runtime.restarts++;
      this.spawn(runtime);
    }, delay);
  }

  private async endProcess(runtime: PluginRuntime, reason: 'hung' | 'startup' | 'stopped'): Promise<void> {
    runtime.endedBy = reason;
    if (reason === 'hung') runtime.setState('restarting');
    await runtime.process?.kill();
  }

  private stopFlooding(runtime: PluginRuntime, what: string): void {
    if (runtime.state === 'stopped') return;
    runtime.lastError = `stopped: it ${what}`;
    this.logger.warn(`Plugin ${runtime.manifest.name} ${runtime.lastError}; it stays stopped until the plugin host restarts`);
    runtime.setState('stopped');
    this.failPending(runtime, new PluginCallError('PLUGIN_STOPPED', `The plugin ${runtime.manifest.name} was stopped: it ${what}`));
    clearTimeout(runtime.startupTimer);
    void this.endProcess(runtime, 'stopped');
  }

  private failPending(runtime: PluginRuntime, error: PluginCallError): void {
    const pending = runtime.pending;
    if (!pending) return;
    runtime.pending = null;
    clearTimeout(pending.timer);
    runtime.counts.failed++;
    pending.reject(error);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const [, , segment, kind] = topic.split('/');
    const runtime = segment ? this.bySegment.get(segment) : undefined;
    if (!runtime || kind === 'request' || runtime.state === 'stopped') return;
    runtime.counts.messages++;
    const { limits } = runtime.manifest;
    if (overLimit(runtime.messages, 1, limits.maxMessagesPerMinute)) {
      return this.stopFlooding(runtime, `sent more than ${limits.maxMessagesPerMinute} messages in a minute`);
    }
    if (payload.length > limits.maxResultKb * 1024) {
      return this.stopFlooding(runtime, `sent a message of ${Math.ceil(payload.length / 1024)} KB, more than its limit of ${limits.maxResultKb} KB`);
    }
    let data: unknown;
    try {
      data = unwrapBusMessage(JSON.parse(payload.toString('utf8')));
    } catch {
      runtime.lastError = `sent a message on ${topic} that is not JSON`;
      return;
    }
    if (kind === 'ready') {
      if (runtime.state === 'starting' || runtime.state === 'restarting') {
        clearTimeout(runtime.startupTimer);
        runtime.setState('ready');
        this.logger.log(`Plugin ${runtime.manifest.name} ready`);
      }
      return;
    }
    if (kind !== 'result') return;
    const result = data as Partial<PluginResult> | null;
    const pending = runtime.pending;
    if (!result || typeof result !== 'object' || typeof result.requestId !== 'string') {
      runtime.lastError = 'sent a result without a requestId';
      return;
    }
    if (!pending || pending.requestId !== result.requestId) return; // late (after its timeout) or unknown: ignored
    runtime.pending = null;
    clearTimeout(pending.timer);
    if (result.ok === false) {
      runtime.counts.failed++;
      runtime.lastError = `answered with an error: ${String(result.error ?? 'no reason given').slice(0, 500)}`;
    } else runtime.counts.succeeded++;
    pending.resolve(result as PluginResult);
  }
}
