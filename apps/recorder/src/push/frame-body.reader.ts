import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { CameramonitError } from '@cameramonit/contracts';

export interface ReceivedPicture {
  bytes: Buffer;
  /** the device's capture time for this picture, when it sent one */
  capturedAt: string | undefined;
}

/**
 * The pictures of one frames request: a raw body (`Content-Type: image/jpeg`, one picture, its
 * capture time in the `X-Captured-At` header or `?capturedAt=`), or `multipart/form-data` with
 * one file part per picture, in order (a text field `capturedAt` before a file sets that file's
 * time). At most `maxBytes` in all (413 beyond, the rest of the body is not read).
 */
export function readPictures(request: IncomingMessage, options: { maxBytes: number; maxPictures: number; capturedAt: string | undefined }): Promise<ReceivedPicture[]> {
  const type = request.headers['content-type'] ?? '';
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > options.maxBytes) return Promise.reject(tooLarge(options.maxBytes));
  if (/^multipart\/form-data/i.test(type)) return readMultipart(request, options);
  if (type && !/^(image\/jpeg|image\/jpg|application\/octet-stream)\b/i.test(type)) {
    return Promise.reject(new CameramonitError('NOT_JPEG', `Send a JPEG picture (Content-Type: image/jpeg) or several as multipart/form-data, not ${type.split(';')[0]}`, 415));
  }
  return readRaw(request, options.maxBytes).then((bytes) => [{ bytes, capturedAt: options.capturedAt }]);
}

function tooLarge(maxBytes: number): CameramonitError {
  return new CameramonitError('PUSH_TOO_LARGE', `This request is larger than the ${Math.round(maxBytes / 1048576)} MB this push may still take; send fewer frames per request or finish the push and start another`, 413);
}

function readRaw(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        // answer now; the rest of the body keeps flowing and is dropped (a reset would lose the answer)
        failed = true;
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    request.once('error', (error) => {
      if (!failed) reject(new CameramonitError('UPLOAD_INCOMPLETE', `The frame did not arrive whole: ${error.message}`, 400));
    });
  });
}

function readMultipart(request: IncomingMessage, options: { maxBytes: number; maxPictures: number; capturedAt: string | undefined }): Promise<ReceivedPicture[]> {
  return new Promise((resolve, reject) => {
    const pictures: ReceivedPicture[] = [];
    const reading: Promise<void>[] = [];
    let total = 0;
    let failure: CameramonitError | null = null;
    let nextCapturedAt = options.capturedAt;
    const fail = (error: CameramonitError) => {
      failure ??= error;
      request.unpipe(parser);
      request.resume();
      reject(failure);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: options.maxPictures + 1, fileSize: options.maxBytes + 1, fields: options.maxPictures * 2 + 10 } });
    } catch (error) {
      reject(new CameramonitError('BAD_MULTIPART', `The frames could not be read: ${(error as Error).message}`, 400));
      return;
    }
    parser.on('field', (name, value) => {
      if (name === 'capturedAt') nextCapturedAt = value;
    });
    parser.on('file', (_field, stream) => {
      if (failure) return void stream.resume();
      if (pictures.length >= options.maxPictures) {
        stream.resume();
        return fail(new CameramonitError('PUSH_TOO_MANY_FRAMES', `This push may take ${options.maxPictures} more frame(s); finish it and start another`, 413));
      }
      const picture: ReceivedPicture = { bytes: Buffer.alloc(0), capturedAt: nextCapturedAt };
      nextCapturedAt = undefined;
      pictures.push(picture);
      const chunks: Buffer[] = [];
      reading.push(
        new Promise<void>((done) => {
          stream.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total > options.maxBytes) {
              stream.resume();
              fail(tooLarge(options.maxBytes));
              return;
            }
            chunks.push(chunk);
          });
          stream.once('end', () => {
            picture.bytes = Buffer.concat(chunks);
            done();
          });
        }),
      );
    });
    parser.on('error', (error: Error) => fail(new CameramonitError('BAD_MULTIPART', `The frames could not be read: ${error.message}`, 400)));
    parser.on('close', () => {
      if (failure) return;
      void Promise.all(reading).then(() => {
        if (failure) return;
        if (pictures.length === 0) reject(new CameramonitError('NO_FRAME', 'No picture in the request: send each JPEG as a file part of the multipart body', 400));
        else resolve(pictures);
      });
    });
    request.pipe(parser);
  });
}
