import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { CameramonitError } from '@cameramonit/contracts';

/** Every HTTP error as `{statusCode, code, message}`; unexpected errors are logged, not leaked. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      response.end();
      return;
    }
    if (error instanceof CameramonitError) {
      response.status(error.httpStatus).json({ statusCode: error.httpStatus, code: error.code, message: error.message });
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const message =
        typeof body === 'string' ? body : Array.isArray((body as { message?: unknown }).message) ? ((body as { message: string[] }).message).join('; ') : String((body as { message?: unknown }).message ?? error.message);
      response.status(status).json({ statusCode: status, code: httpCode(status), message });
      return;
    }
    const typeError = error as { type?: string; status?: number; message?: string };
    if (typeError?.type === 'entity.too.large' || typeError?.status === 413) {
      response.status(413).json({ statusCode: 413, code: 'TOO_LARGE', message: 'The request body is too large' });
      return;
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    response.status(500).json({ statusCode: 500, code: 'INTERNAL', message: 'Something went wrong on our side; it was logged' });
  }
}

function httpCode(status: number): string {
  const codes: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 503: 'UNAVAILABLE' };
  return codes[status] ?? `HTTP_${status}`;
}
