import type { Request, Response } from 'express';

const passedHeaders = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'last-modified', 'etag'];

/**
 * Sends an upstream answer (the storage app's) to the browser as it comes: status, the headers a
 * <video> needs for range requests, and the body with backpressure; a browser that goes away
 * cancels the upstream read.
 */
export async function pipeUpstream(request: Request, response: Response, upstream: globalThis.Response, extraHeaders: Record<string, string> = {}): Promise<void> {
  response.status(upstream.status);
  for (const header of passedHeaders) {
    const value = upstream.headers.get(header);
    if (value) response.setHeader(header, value);
  }
  for (const [name, value] of Object.entries(extraHeaders)) response.setHeader(name, value);
  if (!upstream.body || request.method === 'HEAD') return void response.end();
  const reader = upstream.body.getReader();
  request.on('close', () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!response.write(value)) await new Promise((resolve) => response.once('drain', resolve));
    }
  } catch {
    // the browser went away, or storage did: nothing more to send
  }
  response.end();
}
