import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePassword } from '@cameramonit/auth';
import { startEmbeddedBroker, type EmbeddedBroker } from '@cameramonit/bus';
import { ConfigError, loadConfig } from '@cameramonit/config';
import { loadOrCreateSecrets } from './secrets.js';
import { Supervisor, type AppSpec } from './supervisor.js';

/**
 * `npm start`: the whole platform on one machine with embedded defaults: SQLite under data/,
 * an embedded MQTT broker, local clip storage; every app its own process.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
process.chdir(root);
const dataDir = resolve(process.env.DATA_DIR ?? 'data');
const { secrets, firstRun } = loadOrCreateSecrets(dataDir);
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
env.JWT_SECRET ??= secrets.JWT_SECRET;
env.SECRETS_KEY ??= secrets.SECRETS_KEY;
let generatedAdminPassword: string | undefined;
if (firstRun && !env.CAMERAMONIT_ADMIN_PASSWORD) {
  generatedAdminPassword = generatePassword();
  env.CAMERAMONIT_ADMIN_PASSWORD = generatedAdminPassword;
}

let config;
try {
  config = loadConfig(env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

let broker: EmbeddedBroker | undefined;
if (!config.mqttUrl) {
  broker = await startEmbeddedBroker(config.mqttEmbeddedPort, '127.0.0.1');
  process.stdout.write(`embedded MQTT broker on mqtt://127.0.0.1:${broker.port}\n`);
}

const app = (name: string, port: number): AppSpec => ({ name, port, entry: join(root, 'apps', name, 'dist', 'main.js') });
// more video-to-text workers (VIDEO_TO_TEXT_WORKERS): each claims clips through the database, with its own port and instance id; live boxes are the first worker's
const extraWorkers: AppSpec[] = Array.from({ length: config.analysis.workers - 1 }, (_, i) => {
  const port = config.ports.videoToText + 100 * (i + 1);
  return { ...app('video-to-text', port), name: `video-to-text-${i + 2}`, env: { VIDEO_TO_TEXT_PORT: String(port), INSTANCE_ID: `${env.INSTANCE_ID ?? 'main'}-worker-${i + 2}`, LIVE_BOXES_CAMERAS: '0' } };
});
// owners of first-start data come first (the admin user, the demo project), then the rest
const waves: AppSpec[][] = [
  [app('manager', config.ports.manager), app('admin', config.ports.admin), app('installer', config.ports.installer)],
  [app('storage', config.ports.storage), app('video-to-text', config.ports.videoToText), ...extraWorkers, app('notifier', config.ports.notifier), app('recorder', config.ports.recorder), app('plugin-host', config.ports.pluginHost), app('chat', config.ports.chat)],
];
for (const spec of waves.flat()) {
  if (!existsSync(spec.entry)) {
    process.stderr.write(`${spec.entry} is missing: run "npm run build" first (npm start does it for you)\n`);
    process.exit(1);
  }
}

const supervisor = new Supervisor(env);
const shutdown = async (signal: string) => {
  process.stdout.write(`\n${signal}: stopping every app...\n`);
  await supervisor.stop();
  await broker?.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

let index = 0;
try {
  for (const wave of waves) {
    for (const spec of wave) supervisor.start(spec, index++);
    await Promise.all(wave.map((spec) => supervisor.waitHealthy(spec, config.bindHost === '0.0.0.0' ? '127.0.0.1' : config.bindHost)));
  }
} catch (error) {
  // an app that does not come up (a port taken, a database away): stop the others too, leave nothing running
  process.stderr.write(`${(error as Error).message}; stopping every app\n`);
  await supervisor.stop();
  await broker?.close();
  process.exit(1);
}

const lines = [
  '',
  'Cameramonit is running.',
  `  Chat:      ${config.publicUrl}   (API docs: ${config.publicUrl}/api/docs)`,
  `  WebDAV:    http://${config.bindHost}:${config.ports.webdav}/<project>/<camera>/upload/   (log in with your platform account)`,
  `  FTP:       ftp://${config.bindHost}:${config.ports.ftp}/<project>/<camera>/upload/`,
  generatedAdminPassword
    ? `  Login:     ${config.adminEmail} / ${generatedAdminPassword}   (generated now and shown only once)`
    : `  Login:     ${config.adminEmail} / ${env.CAMERAMONIT_ADMIN_PASSWORD && !firstRun ? '(from CAMERAMONIT_ADMIN_PASSWORD at first start)' : firstRun ? '(CAMERAMONIT_ADMIN_PASSWORD)' : '(the password printed at first start)'}`,
  '  Demo:      project "demo", camera "demo": drop a video on its chat thread, or upload to /demo/demo/upload/',
  `  Plugins:   ${config.pluginsDir}   (status: http://${config.bindHost}:${config.ports.pluginHost}/api/plugins, docs/plugins.md)`,
  '',
];
process.stdout.write(lines.join('\n'));
