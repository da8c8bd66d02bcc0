import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveCameraFile } from '@cameramonit/contracts';

/**
 * The video a 'file' camera loops, checked where it really is: the admin app refuses a path
 * outside CAMERA_FILES_DIR, and this refuses one that gets out through a symbolic link (or a
 * camera row written some other way). Null and the reason when it may not or cannot be read.
 */
export function cameraFileToLoop(url: string, filesDir: string, cwd = process.cwd()): { file: string; problem: null } | { file: null; problem: string } {
  const lexical = resolveCameraFile(url, filesDir, cwd);
  if (lexical.problem !== null) return lexical;
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(lexical.file);
    realRoot = realpathSync(resolve(cwd, filesDir));
  } catch {
    return { file: null, problem: `the file ${url} does not exist` };
  }
  const inside = resolveCameraFile(real, realRoot, cwd);
  if (inside.problem !== null) return { file: null, problem: `the file ${url} leads outside ${filesDir} (CAMERA_FILES_DIR) through a link` };
  return { file: real, problem: null };
}
