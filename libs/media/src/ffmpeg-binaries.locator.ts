import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { MediaErrorCode, mediaError } from './media.errors.js';

export interface FfmpegBinaries {
  ffmpegPath: string;
  ffprobePath: string;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds an executable on PATH (with .exe on Windows); null when absent. */
export function findOnPath(name: string, pathVariable: string | undefined, platform = process.platform): string | null {
  const names = platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const directory of (pathVariable ?? '').split(delimiter)) {
    if (!directory) continue;
    for (const candidate of names) {
      const full = join(directory, candidate);
      if (isExecutableFile(full)) return full;
    }
  }
  return null;
}

function locate(name: 'ffmpeg' | 'ffprobe', envName: string, env: NodeJS.ProcessEnv, packaged: PackagedBinaryFinder): string {
  const configured = env[envName];
  if (configured) {
    if (!isExecutableFile(configured)) {
      throw mediaError(
        MediaErrorCode.ffmpegNotFound,
        `${envName}=${configured} is not an executable file; fix ${envName} or unset it to use ${name} from PATH.`,
      );
    }
    return configured;
  }
  const found = findOnPath(name, env.PATH) ?? packaged(name);
  if (!found) {
    throw mediaError(
      MediaErrorCode.ffmpegNotFound,
      `${name} was not found on PATH nor in the npm package @${name}-installer/${process.platform}-${process.arch}. Install ffmpeg (e.g. "apt install ffmpeg") or set ${envName} to the ${name} binary.`,
    );
  }
  return found;
}

export type PackagedBinaryFinder = (name: 'ffmpeg' | 'ffprobe') => string | null;

/**
 * The static binary an optional npm package ships (@ffmpeg-installer/<platform>-<arch>,
 * @ffprobe-installer/<platform>-<arch>), for machines without a system ffmpeg; null when absent.
 */
export function findInNpmPackage(name: 'ffmpeg' | 'ffprobe', platform = process.platform, arch = process.arch): string | null {
  try {
    const require = createRequire(import.meta.url);
    const packageJson = require.resolve(`@${name}-installer/${platform}-${arch}/package.json`);
    const binary = join(dirname(packageJson), platform === 'win32' ? `${name}.exe` : name);
    return isExecutableFile(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** ffmpeg and ffprobe: FFMPEG_PATH / FFPROBE_PATH when set, else the first on PATH, else the npm-shipped one. */
export function locateFfmpegBinaries(env: NodeJS.ProcessEnv = process.env, packaged: PackagedBinaryFinder = findInNpmPackage): FfmpegBinaries {
  return { ffmpegPath: locate('ffmpeg', 'FFMPEG_PATH', env, packaged), ffprobePath: locate('ffprobe', 'FFPROBE_PATH', env, packaged) };
}
