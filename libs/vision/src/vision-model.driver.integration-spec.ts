import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, completion, OpenAiCompatibleServer, receivedImages, receivedText, validDescription } from '../../../test/support/openai-compatible.server.js';
import { OpenAiVisionModelDriver } from './vision-model.driver.js';
import { VisionModelError } from './vision-model.types.js';
import type { EventDescriptionRequest } from './vision-model.prompts.js';

/** A real 64x48 JPEG made by ffmpeg. */
const jpeg = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1']);

const request: EventDescriptionRequest = {
  cameraName: 'Gate',
  at: new Date('2026-11-22T13:05:00Z'),
  timeZone: 'UTC',
  localSummary: 'A person walked from right to left',
  label: 'person',
  count: 1,
  durationSec: 6,
  zones: [],
  cameraPrompt: 'Watch for parcels.',
  names: [{ name: 'the postman', label: 'person', description: 'yellow bag' }],
  images: [
    { role: 'crop', jpeg, caption: 'object 1: person' },
    { role: 'context', jpeg, caption: 'the whole picture' },
  ],
};

async function failure(promise: Promise<unknown>): Promise<VisionModelError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VisionModelError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('the vision-model driver against an OpenAI-compatible server (real openai client)', () => {
  const server = new OpenAiCompatibleServer();
  let driver: OpenAiVisionModelDriver;

  beforeAll(async () => {
    await server.start();
    driver = new OpenAiVisionModelDriver({ baseUrl: server.baseUrl, model: 'llava:13b', apiKey: 'sk-test-123', timeoutMs: 1500 });
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  it('sends the model, the prompt, the images as JPEG data URLs and the JSON schema, and reads the answer and the tokens', async () => {
    server.reply(completion(validDescription({ title: 'Postman with a parcel' }), 1500, 90));
    const answer = await driver.describeEvent(request);
    expect(answer.value.title).toBe('Postman with a parcel');
    expect(answer.usage).toEqual({ promptTokens: 1500, completionTokens: 90 });
    expect(answer.model).toBe('llava:13b');

    const [received] = server.requests;
    expect(server.requests).toHaveLength(1);
    expect(received?.path).toBe('/v1/chat/completions');
    expect(received?.authorization).toBe('Bearer sk-test-123');
    expect(received?.body.model).toBe('llava:13b');
    expect(received?.body.response_format?.type).toBe('json_schema');
    expect(received?.body.response_format?.json_schema?.name).toBe('event_description');
    expect(received?.body.response_format?.json_schema?.strict).toBe(true);
    const text = receivedText(received!);
    expect(text).toContain('Watch for parcels.');
    expect(text).toContain('"the postman" (person): yellow bag');
    const images = receivedImages(received!);
    expect(images.map((i) => [i.mime, i.width, i.height])).toEqual([
      ['image/jpeg', 64, 48],
      ['image/jpeg', 64, 48],
    ]);
  });

  it('accepts plain JSON from a server that ignores json_schema', async () => {
    server.reply(completion('```json\n' + JSON.stringify(validDescription()) + '\n```'));
    expect((await driver.describeEvent(request)).value.threatLevel).toBe('none');
  });

  it('asks again without response_format when the server refuses json_schema (400)', async () => {
    server.reply({ kind: 'status', status: 400, body: { error: { message: "response_format 'json_schema' is not supported" } } }, completion(validDescription()));
    expect((await driver.describeEvent(request)).value.title).toBe('Pedestrian crossing the square');
    expect(server.requests.map((r) => r.body.response_format?.type ?? 'none')).toEqual(['json_schema', 'none']);
  });

  it('says rate-limited with the retry-after of a 429, and makes one call only (no retries of its own)', async () => {
    server.reply({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
    const error = await failure(driver.describeEvent(request));
    expect(error.outcome).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(2000);
    expect(server.requests).toHaveLength(1);
  });

  it('says server-error on a 500 and rejected on a 401 (a wrong key is not retried)', async () => {
    server.reply({ kind: 'status', status: 500 }, { kind: 'status', status: 401, body: { error: { message: 'Incorrect API key' } } });
    expect((await failure(driver.describeEvent(request))).outcome).toBe('server-error');
    const rejected = await failure(driver.describeEvent(request));
    expect(rejected.outcome).toBe('rejected');
    expect(rejected.message).not.toContain('sk-test-123');
  });

  it('says timeout when the server does not answer in time', async () => {
    server.reply({ kind: 'hang' });
    const error = await failure(driver.describeEvent(request));
    expect(error.outcome).toBe('timeout');
    expect(server.requests).toHaveLength(1);
  });

  it('says malformed, with the tokens it cost, for an answer that is not JSON or not of the schema', async () => {
    server.reply(completion('A person walks by.', 1000, 7), completion({ title: 'x', summary: 'y', objects: [], threatLevel: 'catastrophic' }, 1000, 20));
    const notJson = await failure(driver.describeEvent(request));
    expect(notJson.outcome).toBe('malformed');
    expect(notJson.usage).toEqual({ promptTokens: 1000, completionTokens: 7 });
    const wrongSchema = await failure(driver.describeEvent(request));
    expect(wrongSchema.outcome).toBe('malformed');
    expect(wrongSchema.message).toMatch(/threatLevel/);
  });

  it('says connection-failed when nothing listens', async () => {
    const port = await closedPort();
    const offline = new OpenAiVisionModelDriver({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', apiKey: null, timeoutMs: 1500 });
    const error = await failure(offline.describeEvent(request));
    expect(error.outcome).toBe('connection-failed');
    expect(error.message).toMatch(/ECONNREFUSED|Cannot reach/);
  });

  it('summarises a period from text only', async () => {
    server.reply(completion({ summary: 'A quiet morning: two people passed the gate.' }));
    const answer = await driver.summarisePeriod({
      cameraName: 'Gate', language: 'en', periodText: 'today', from: new Date('2026-11-22T00:00:00Z'), to: new Date('2026-11-22T12:00:00Z'),
      cameraPrompt: null, names: [], localSummary: 'Today: 2 events.', events: [],
    });
    expect(answer.value.summary).toMatch(/quiet morning/);
    expect(server.requests[0]?.body.response_format?.json_schema?.name).toBe('period_summary');
    expect(receivedImages(server.requests[0]!)).toEqual([]);
  });
});
