import { describe, expect, it } from 'vitest';
import {
  buildEventDescriptionMessages,
  buildPeriodSummaryMessages,
  eventDescriptionSchema,
  MalformedAnswerError,
  parseEventDescription,
  parsePeriodSummary,
  periodSummarySchema,
  type ChatContentPart,
  type EventDescriptionRequest,
} from './vision-model.prompts.js';

const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

const request: EventDescriptionRequest = {
  cameraName: 'Gate',
  at: new Date('2026-11-22T13:05:00Z'),
  timeZone: 'Europe/Warsaw',
  localSummary: '2 people walked from the right into the parking zone',
  label: 'person',
  count: 2,
  durationSec: 12.4,
  zones: ['parking'],
  cameraPrompt: 'Tell me if someone carries a parcel.',
  names: [{ name: 'the postman', label: 'person', description: 'blue jacket, yellow bag' }],
  images: [
    { role: 'crop', jpeg, caption: 'object 1: person' },
    { role: 'context', jpeg, caption: 'the whole picture' },
  ],
};

describe('the event description prompt', () => {
  const messages = buildEventDescriptionMessages(request);
  const user = messages[1]?.content as ChatContentPart[];
  const text = (user[0] as { text: string }).text;

  it('is a system message and one user message with the text first, then every image as a JPEG data URL', () => {
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(user.map((p) => p.type)).toEqual(['text', 'image_url', 'image_url']);
    for (const part of user.slice(1)) expect((part as { image_url: { url: string } }).image_url.url).toBe(`data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`);
  });

  it("names the camera, the local time, the local text, the camera's prompt and the supervisor's names", () => {
    expect(text).toContain('Camera: Gate');
    expect(text).toContain('Sun, 22/11/2026, 14:05 (Europe/Warsaw)');
    expect(text).toContain('2 × person, for 12 s, in zone parking');
    expect(text).toContain('2 people walked from the right into the parking zone');
    expect(text).toContain('Instructions for this camera: Tell me if someone carries a parcel.');
    expect(text).toContain('- "the postman" (person): blue jacket, yellow bag');
    expect(text).toContain('Images (2): 1. object 1: person; 2. the whole picture.');
  });

  it('leaves out the instructions and names when there are none', () => {
    const bare = buildEventDescriptionMessages({ ...request, cameraPrompt: '  ', names: [] });
    const bareText = ((bare[1]?.content as ChatContentPart[])[0] as { text: string }).text;
    expect(bareText).not.toMatch(/Instructions|Known objects/);
  });

  it('asks for a strict schema with every field required', () => {
    const schema = eventDescriptionSchema.schema as { required: string[]; additionalProperties: boolean; properties: Record<string, { enum?: string[] }> };
    expect(eventDescriptionSchema.strict).toBe(true);
    expect(schema.required).toEqual(['title', 'summary', 'summaryPl', 'objects', 'threatLevel']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.threatLevel?.enum).toEqual(['none', 'low', 'medium', 'high']);
    expect((periodSummarySchema.schema as { required: string[] }).required).toEqual(['summary']);
  });
});

describe('reading a description', () => {
  const good = { title: 'Postman at the gate', summary: 'The postman left a parcel.', summaryPl: 'Listonosz zostawił paczkę.', objects: [{ label: 'Person', name: 'the postman', description: 'blue jacket' }], threatLevel: 'none' };

  it('takes a structured answer', () => {
    expect(parseEventDescription(JSON.stringify(good))).toEqual({ ...good, objects: [{ label: 'person', name: 'the postman', description: 'blue jacket' }] });
  });

  it('takes plain JSON in a code fence or in text, as local servers write it', () => {
    expect(parseEventDescription('```json\n' + JSON.stringify(good) + '\n```').title).toBe('Postman at the gate');
    expect(parseEventDescription(`Here it is: ${JSON.stringify(good)} Hope it helps.`).threatLevel).toBe('none');
  });

  it('takes a missing Polish text as null', () => {
    const { summaryPl: _dropped, ...english } = good;
    expect(parseEventDescription(JSON.stringify(english)).summaryPl).toBeNull();
  });

  it('refuses what is not JSON or does not fit the schema, saying what is wrong', () => {
    expect(() => parseEventDescription('A man walks by.')).toThrow(MalformedAnswerError);
    expect(() => parseEventDescription('')).toThrow(/empty/);
    expect(() => parseEventDescription(JSON.stringify({ ...good, threatLevel: 'severe' }))).toThrow(/threatLevel must be one of none, low, medium, high/);
    expect(() => parseEventDescription(JSON.stringify({ ...good, title: '' }))).toThrow(/title must be a non-empty text/);
    expect(() => parseEventDescription(JSON.stringify({ ...good, objects: 'a man' }))).toThrow(/objects must be an array/);
    expect(() => parseEventDescription(JSON.stringify({ ...good, objects: [{ name: 'x' }] }))).toThrow(/objects\[0\]\.label/);
    expect(() => parseEventDescription('[1,2]')).toThrow(MalformedAnswerError);
  });

  it('reads a period summary', () => {
    expect(parsePeriodSummary('{"summary":"A quiet day."}')).toEqual({ summary: 'A quiet day.' });
    expect(() => parsePeriodSummary('{"text":"A quiet day."}')).toThrow(/summary must be a non-empty text/);
  });
});

describe('the period summary prompt', () => {
  it('is text only, in the asked language, with the local summary and the event lines', () => {
    const messages = buildPeriodSummaryMessages({
      cameraName: 'Gate',
      language: 'pl',
      periodText: 'dzisiaj',
      from: new Date('2026-11-22T00:00:00Z'),
      to: new Date('2026-11-22T12:00:00Z'),
      timeZone: 'UTC',
      cameraPrompt: null,
      names: [{ name: 'our van', label: 'truck', description: 'white' }],
      localSummary: 'Dzisiaj: 3 zdarzenia.',
      events: [{ at: new Date('2026-11-22T08:00:00Z'), label: 'person', count: 1, kind: 'loitering', text: 'A person stayed 40 s', threatLevel: 'medium' }],
    });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0]?.content).toContain('Write in Polish');
    const text = messages[1]?.content as string;
    expect(typeof text).toBe('string');
    expect(text).toContain('Local summary: Dzisiaj: 3 zdarzenia.');
    expect(text).toContain('loitering 1 × person: A person stayed 40 s [threat: medium]');
    expect(text).toContain('"our van" (truck): white');
  });
});
