import { connectAsync, type MqttClient } from 'mqtt';
import { PLUGIN_STDIN_WATCH_ENV, PluginEnv, type PluginReady, type PluginRequest, type PluginResult } from '@cameramonit/contracts';

export const SDK_VERSION = '0.1.0';

/** What a handler returns: the result without its requestId (the SDK adds it). */
export type PluginAnswer = Omit<PluginResult, 'requestId'>;

export interface PluginContext {
  /** aborted when the request's deadline passes or the plugin is stopping */
  signal: AbortSignal;
  /** log a line (stderr; the host prefixes it with the plugin's name and caps it) */
  log(message: string): void;
}

export type PluginHandler = (request: PluginRequest, context: PluginContext) => PluginAnswer | Promise<PluginAnswer>;

export interface PluginRunOptions {
  /** where the settings come from (default process.env, as the host sets them) */
  env?: Record<string, string | undefined>;
  /** exit the process when stopped (default true; tests pass false) */
  exitOnStop?: boolean;
  /** also stop when standard input closes, i.e. the host is gone (default: when the host says so) */
  stopWhenStdinCloses?: boolean;
}

export interface RunningPlugin {
  name: string;
  /** finish the request in progress, disconnect */
  stop(): Promise<void>;
}

interface Settings {
  mqttUrl: string;
  name: string;
  clientId: string;
  readyTopic: string;
  requestTopic: string;
  resultTopic: string;
}

function readSettings(env: Record<string, string | undefined>): Settings {
  const missing = Object.values(PluginEnv).filter((name) => !env[name]);
  if (missing.length) {
    throw new Error(
      `This is a Cameramonit analyser plugin: the plugin host starts it with ${missing.join(', ')} set. ` +
        'To run it by hand, set them (see docs/plugins.md, "Debugging").',
    );
  }
  const get = (name: string) => env[name] as string;
  return {
    mqttUrl: get(PluginEnv.mqttUrl),
    name: get(PluginEnv.name),
    clientId: get(PluginEnv.clientId),
    readyTopic: get(PluginEnv.readyTopic),
    requestTopic: get(PluginEnv.requestTopic),
    resultTopic: get(PluginEnv.resultTopic),
  };
}

/** The request inside a bus message (`{"pattern", "data"}` or bare), or null when it is not one. */
export function parseRequestMessage(payload: Buffer): PluginRequest | null {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  const data = json && typeof json === 'object' && 'pattern' in json && 'data' in json ? (json as { data: unknown }).data : json;
  if (!data || typeof data !== 'object') return null;
  const request = data as Partial<PluginRequest>;
  return typeof request.requestId === 'string' && request.event && typeof request.event === 'object' ? (request as PluginRequest) : null;
}

/**
 * Run an analyser plugin: connect to the bus with the settings the host gave this process,
 * answer each request with what `handler` returns (one request at a time, in order), and stop
 * cleanly on SIGTERM / SIGINT or when the host goes away. A handler that throws answers
 * `{ok: false, error}` for that request; the plugin goes on.
 */
export async function runPlugin(handler: PluginHandler, options: PluginRunOptions = {}): Promise<RunningPlugin> {
  const env = options.env ?? process.env;
  const settings = readSettings(env);
  const exitOnStop = options.exitOnStop ?? true;
  const log = (message: string): void => void process.stderr.write(`${message}\n`);
  const client: MqttClient = await connectAsync(settings.mqttUrl, { clientId: settings.clientId, clean: true, reconnectPeriod: 1000, connectTimeout: 10_000 });
  const stopping = new AbortController();
  let queue: Promise<void> = Promise.resolve();

  const publish = (topic: string, data: object) => client.publishAsync(topic, JSON.stringify({ pattern: topic, data }), { qos: 1 });

  const answer = async (request: PluginRequest): Promise<void> => {
    if (stopping.signal.aborted) return;
    const deadline = Date.parse(request.deadline);
    const expired = new AbortController();
    const timer = Number.isFinite(deadline) ? setTimeout(() => expired.abort(), Math.max(0, deadline - Date.now())) : undefined;
    const signal = AbortSignal.any([stopping.signal, expired.signal]);
    let result: PluginResult;
    try {
      const answerOf = await handler(request, { signal, log });
      result = { ...answerOf, requestId: request.requestId };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`request ${request.requestId} failed: ${message}`);
      result = { requestId: request.requestId, ok: false, error: message.slice(0, 500) };
    } finally {
      clearTimeout(timer);
    }
    await publish(settings.resultTopic, result);
  };

  client.on('message', (topic, payload) => {
    if (topic !== settings.requestTopic) return;
    const request = parseRequestMessage(payload);
    if (!request) {
      log(`ignored a message on ${topic} that is not a plugin request`);
      return;
    }
    queue = queue.then(() => answer(request)).catch((error: unknown) => log(`could not answer ${request.requestId}: ${(error as Error).message}`));
  });
  await client.subscribeAsync(settings.requestTopic, { qos: 1 });
  const ready: PluginReady = { plugin: settings.name, pid: process.pid, sdkVersion: SDK_VERSION };
  await publish(settings.readyTopic, ready);

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping.abort();
      await queue;
      await client.endAsync().catch(() => undefined);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (exitOnStop) process.exit(0);
    })();
    return stopped;
  };
  const onSignal = () => void stop();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (options.stopWhenStdinCloses ?? env[PLUGIN_STDIN_WATCH_ENV] === '1') {
    // the host holds our standard input open; when it dies it closes, and we must not outlive it
    process.stdin.on('end', onSignal);
    process.stdin.on('error', onSignal);
    process.stdin.resume();
  }
  return { name: settings.name, stop };
}
