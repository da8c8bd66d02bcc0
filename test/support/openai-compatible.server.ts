import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received, as the model provider would see it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: ChatCompletionBody;
}

export interface ChatCompletionBody {
  model: string;
  messages: { role: string; content: string | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: string } })[] }[];
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  max_tokens?: number;
  temperature?: number;
}

/** What to answer one request with. */
export type Reply =
  | { kind: 'completion'; content: string; promptTokens?: number; completionTokens?: number; finishReason?: 'stop' | 'length' }
  | { kind: 'status'; status: number; body?: object; headers?: Record<string, string> }
  /** keep the request open without answering (the client's timeout ends it) */
  | { kind: 'hang' };

/** Answers a request (may wait: a test can hold the answer back until it has seen what comes before). */
export type Responder = (request: ReceivedRequest) => Reply | Promise<Reply>;

/**
 * A real HTTP server that speaks the OpenAI chat-completions protocol (POST /v1/chat/completions),
 * for tests with the real `openai` client in the loop: it records every request and answers from a
 * script of replies (then from the fallback).
 */
export class OpenAiCompatibleServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: Responder[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | null = null;
  port = 0;

  constructor(private fallback: Responder = () => completion(validDescription())) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Answer the next requests with these, in order; afterwards with the fallback. */
  reply(...replies: (Reply | Responder)[]): this {
    for (const reply of replies) this.script.push(typeof reply === 'function' ? reply : () => reply);
    return this;
  }

  answerAlways(responder: Responder): this {
    this.fallback = responder;
    this.script.length = 0;
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${request.method} ${request.url}` } }));
      return;
    }
    const received: ReceivedRequest = {
      method: request.method,
      path: request.url,
      authorization: request.headers.authorization ?? null,
      body: JSON.parse(text) as ChatCompletionBody,
    };
    this.requests.push(received);
    const reply = await (this.script.shift() ?? this.fallback)(received);
    if (reply.kind === 'hang') {
      this.hanging.add(response);
      response.once('close', () => this.hanging.delete(response));
      return;
    }
    if (reply.kind === 'status') {
      response.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      response.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}`, type: 'server_error' } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `chatcmpl-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: received.body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content, refusal: null }, finish_reason: reply.finishReason ?? 'stop', logprobs: null }],
        usage: { prompt_tokens: reply.promptTokens ?? 1200, completion_tokens: reply.completionTokens ?? 80, total_tokens: (reply.promptTokens ?? 1200) + (reply.completionTokens ?? 80) },
      }),
    );
  }
}

export function completion(content: string | object, promptTokens = 1200, completionTokens = 80): Reply {
  return { kind: 'completion', content: typeof content === 'string' ? content : JSON.stringify(content), promptTokens, completionTokens };
}

export function validDescription(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Pedestrian crossing the square',
    summary: 'A person in a dark coat walks across the square from right to left.',
    summaryPl: 'Osoba w ciemnym płaszczu przechodzi przez plac z prawej do lewej.',
    objects: [{ label: 'person', name: null, description: 'dark coat' }],
    threatLevel: 'none',
    ...overrides,
  };
}

/** The images of a request: their data URLs decoded, with the pixel size read from each JPEG's header. */
export function receivedImages(request: ReceivedRequest): { mime: string; width: number; height: number; bytes: Buffer }[] {
  const images = [];
  for (const message of request.body.messages) {
    if (typeof message.content === 'string') continue;
    for (const part of message.content) {
      if (part.type !== 'image_url') continue;
      const match = part.image_url.url.match(/^data:([^;]+);base64,(.+)$/);
      if (!match) throw new Error(`not a data URL: ${part.image_url.url.slice(0, 40)}`);
      const bytes = Buffer.from(match[2] as string, 'base64');
      images.push({ mime: match[1] as string, ...jpegSize(bytes), bytes });
    }
  }
  return images;
}

/** All the text a request carries (system and user). */
export function receivedText(request: ReceivedRequest): string {
  return request.body.messages
    .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n')))
    .join('\n');
}

/** Width and height from a JPEG's start-of-frame marker (throws if it is no JPEG). */
export function jpegSize(bytes: Buffer): { width: number; height: number } {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) throw new Error(`bad JPEG marker at ${offset}`);
    const marker = bytes[offset + 1] as number;
    const length = bytes.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  throw new Error('no JPEG frame header found');
}

/** A port on which nothing listens (connection refused). */
export async function closedPort(): Promise<number> {
  const server = await new OpenAiCompatibleServer().start();
  const port = server.port;
  await server.close();
  return port;
}
