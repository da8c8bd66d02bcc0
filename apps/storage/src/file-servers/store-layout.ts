/**
 * Where things live in the clip store:
 *   /<project>/<camera>/upload/<file name>   user uploads (the only place users may write)
 *   /<project>/<camera>/recordings/<file>    recorded clips while they are checked (services only)
 *   /<project>/<camera>/clips/...            recorded clips, artifacts (written by services)
 */

/** Project and camera slugs. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Name of the per-camera folder that accepts user uploads. */
export const UPLOAD_FOLDER_NAME = 'upload';

/** Name of the per-camera folder where a recorded clip waits while it is checked (the recorder's PUT /recordings/...). */
export const RECORDINGS_FOLDER_NAME = 'recordings';

/** The rule in words, for error messages. */
export const UPLOAD_RULE = `uploads are only accepted into /<project>/<camera>/${UPLOAD_FOLDER_NAME}/<file name> (project and camera slugs: lowercase letters, digits and dashes)`;

export interface UploadTarget {
  projectSlug: string;
  cameraSlug: string;
  fileName: string;
  storePath: string;
}

export interface CameraScope {
  projectSlug?: string;
  cameraSlug?: string;
}

/** Segments of a normalised store path ("/a/b" -> ["a", "b"], "/" -> []). */
export function storePathSegments(storePath: string): string[] {
  return storePath.split('/').filter((segment) => segment !== '');
}

/** A file in one of a camera's folders, /<project>/<camera>/<folder>/<file>, or null. */
function parseCameraFile(storePath: string, folderName: string): UploadTarget | null {
  const segments = storePathSegments(storePath);
  if (segments.length !== 4) return null;
  const [projectSlug, cameraSlug, folder, fileName] = segments as [string, string, string, string];
  if (!SLUG_PATTERN.test(projectSlug) || !SLUG_PATTERN.test(cameraSlug) || folder !== folderName) return null;
  return { projectSlug, cameraSlug, fileName, storePath: `/${segments.join('/')}` };
}

/** The upload target a normalised store path names, or null if it is not /<project>/<camera>/upload/<file>. */
export function parseUploadPath(storePath: string): UploadTarget | null {
  return parseCameraFile(storePath, UPLOAD_FOLDER_NAME);
}

/** A recorded clip path /<project>/<camera>/recordings/<file> (written by the recorder over WebDAV or FTP), or null. */
export function parseRecordingPath(storePath: string): UploadTarget | null {
  return parseCameraFile(storePath, RECORDINGS_FOLDER_NAME);
}

/** Project and camera of an upload folder path /<project>/<camera>/upload, or null. */
export function parseUploadFolder(storePath: string): { projectSlug: string; cameraSlug: string } | null {
  const segments = storePathSegments(storePath);
  if (segments.length !== 3) return null;
  const [projectSlug, cameraSlug, folder] = segments as [string, string, string];
  if (!SLUG_PATTERN.test(projectSlug) || !SLUG_PATTERN.test(cameraSlug) || folder !== UPLOAD_FOLDER_NAME) return null;
  return { projectSlug, cameraSlug };
}

/** The project and camera a store path belongs to (as far as the path goes). */
export function cameraScopeOf(storePath: string): CameraScope {
  const [projectSlug, cameraSlug] = storePathSegments(storePath);
  return { projectSlug, cameraSlug };
}

/** "5 MB", "1.5 MB" */
export function formatMegabytes(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  return `${Number.isInteger(megabytes) ? megabytes : Number(megabytes.toFixed(2))} MB`;
}
