import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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

function locate(name: 'ffmpeg' | 'ffprobe', envName: string, env: NodeJS.ProcessEnv): string {
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
  const found = findOnPath(name, env.PATH);
  if (!found) {
    throw mediaError(
      MediaErrorCode.ffmpegNotFound,
      `${name} was not found on PATH. Install ffmpeg (e.g. "apt install ffmpeg") or set ${envName} to the ${name} binary.`,
    );
  }
  return found;
}

/** ffmpeg and ffprobe: FFMPEG_PATH / FFPROBE_PATH when set, else the first on PATH. */
export function locateFfmpegBinaries(env: NodeJS.ProcessEnv = process.env): FfmpegBinaries {
  return { ffmpegPath: locate('ffmpeg', 'FFMPEG_PATH', env), ffprobePath: locate('ffprobe', 'FFPROBE_PATH', env) };
}
