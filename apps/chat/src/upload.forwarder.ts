import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { CameramonitError } from '@cameramonit/contracts';
import { storeUrlPath } from '@cameramonit/server';

export interface ForwardedUpload {
  status: number;
  body: unknown;
}

/**
 * Streams the `file` field of a multipart upload straight on to the storage app's upload API
 * (nothing is buffered here; storage enforces the size limit and checks the video).
 */
export function forwardMultipartUpload(
  request: IncomingMessage,
  target: { storageUrl: string; projectSlug: string; cameraSlug: string; bearer: string; maxBytes: number },
): Promise<ForwardedUpload> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > target.maxBytes + 64 * 1024) {
    throw new CameramonitError('TOO_LARGE', `The file is larger than the limit of ${Math.round(target.maxBytes / 1048576)} MB`, 413);
  }
  if (!/^multipart\/form-data/i.test(request.headers['content-type'] ?? '')) {
    throw new CameramonitError('NOT_MULTIPART', 'Send the video as multipart/form-data in a field named "file"', 400);
  }
  return new Promise<ForwardedUpload>((resolve, reject) => {
    let handled = false;
    const parser = busboy({ headers: request.headers, limits: { files: 1, fileSize: target.maxBytes + 1 } });
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || handled) {
        stream.resume();
        return;
      }
      handled = true;
      const name = safeFileName(info.filename);
      const url = `${target.storageUrl}/uploads/${storeUrlPath(`${target.projectSlug}/${target.cameraSlug}/${name}`)}`;
      fetch(url, {
        method: 'PUT',
        headers: { authorization: `Bearer ${target.bearer}`, 'content-type': info.mimeType || 'application/octet-stream' },
        body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
        duplex: 'half',
      } as RequestInit)
        .then(async (response) => {
          const text = await response.text();
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            // storage's file handlers answer errors as plain text
            body = { statusCode: response.status, message: text.trim() };
          }
          resolve({ status: response.status, body });
        })
        .catch((error: unknown) => reject(new CameramonitError('STORAGE_UNAVAILABLE', `Storage is not reachable: ${(error as Error).message}`, 503)));
    });
    parser.on('error', (error: Error) => reject(new CameramonitError('BAD_MULTIPART', `The upload could not be read: ${error.message}`, 400)));
    parser.on('close', () => {
      if (!handled) reject(new CameramonitError('NO_FILE', 'No file in the upload: send it in a form field named "file"', 400));
    });
    request.pipe(parser);
  });
}

/** Keep a name people recognise, without path parts or odd characters. */
export function safeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.normalize('NFC').replace(/[^\p{L}\p{N}._ -]+/gu, '_').replace(/^[.\s]+/, '').slice(0, 150).trim();
  return cleaned || `upload-${Date.now()}.bin`;
}
