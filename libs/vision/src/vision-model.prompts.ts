/**
 * What Cameramonit says to a vision-language model and how it reads the answers: the chat messages
 * (system + user text + images), the JSON schemas asked for as structured output, and strict
 * validation of what comes back. Pure functions: unit tests assert them without a model.
 */
import { threatLevels, type DescribedObject, type ThreatLevel } from '@cameramonit/contracts';

/** A supervisor's name for a known object of the camera ("the postman", "our van"). */
export interface KnownObjectName {
  name: string;
  /** COCO label: person, car, truck, dog... */
  label: string;
  description: string;
}

/** A JPEG sent with the question. */
export interface DescriptionImage {
  /** crop: one object of the event, cut from its best view; context: the whole picture */
  role: 'crop' | 'context';
  jpeg: Uint8Array;
  /** what it shows, said in the text next to it ("object 1: person at 12.4 s") */
  caption: string;
}

export interface EventDescriptionRequest {
  cameraName: string;
  /** when the event started */
  at: Date;
  /** zone the time is written in (default: the process zone) */
  timeZone?: string;
  /** the local text of the event (built from the track) */
  localSummary: string;
  label: string;
  count: number;
  durationSec: number;
  zones: string[];
  /** the camera's own instructions (CameraAnalysisSettings.prompt) */
  cameraPrompt: string | null;
  names: KnownObjectName[];
  images: DescriptionImage[];
}

export interface EventDescription {
  title: string;
  summary: string;
  summaryPl: string | null;
  objects: DescribedObject[];
  threatLevel: ThreatLevel;
}

/** One stored event, as a line in a period summary's request. */
export interface SummaryEventLine {
  at: Date;
  label: string;
  count: number;
  kind: string;
  text: string;
  threatLevel: ThreatLevel | null;
}

export interface PeriodSummaryRequest {
  cameraName: string;
  language: 'en' | 'pl';
  /** "today", "this week", "w tym tygodniu" */
  periodText: string;
  from: Date;
  to: Date;
  timeZone?: string;
  cameraPrompt: string | null;
  names: KnownObjectName[];
  /** the local summary (counts, busiest hour...), so the model has the numbers right */
  localSummary: string;
  events: SummaryEventLine[];
}

export interface PeriodSummary {
  summary: string;
}

/** The chat-completions messages, in the shape of the OpenAI API (and every compatible server). */
export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail: 'low' | 'high' | 'auto' } };
export type ChatMessage = { role: 'system'; content: string } | { role: 'user'; content: string | ChatContentPart[] };

/** A JSON schema for `response_format: {type: 'json_schema'}`; strict mode wants every field required. */
export interface StructuredOutputSchema {
  name: string;
  strict: true;
  schema: Record<string, unknown>;
}

/** Longest texts kept from an answer (a model that rambles is cut, not refused). */
const MAX_TITLE = 120;
const MAX_SUMMARY = 1000;
/** Most event lines sent for a period summary (the newest and the notable ones are chosen by the caller). */
export const MAX_SUMMARY_EVENT_LINES = 80;

export class MalformedAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedAnswerError';
  }
}

// ---------------------------------------------------------------- event description

export const eventDescriptionSchema: StructuredOutputSchema = {
  name: 'event_description',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['title', 'summary', 'summaryPl', 'objects', 'threatLevel'],
    properties: {
      title: { type: 'string', description: 'A short headline of what happened, at most 8 words, in English.' },
      summary: { type: 'string', description: 'One or two sentences in English: who or what did what, where in the picture.' },
      summaryPl: { type: ['string', 'null'], description: 'The same summary in Polish, or null.' },
      objects: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['label', 'name', 'description'],
          properties: {
            label: { type: 'string', description: 'COCO class: person, car, truck, bicycle, dog...' },
            name: { type: ['string', 'null'], description: "The supervisor's name for it when it is a known object, else null." },
            description: { type: 'string', description: 'What it looks like: clothing, colour, what it carries.' },
          },
        },
      },
      threatLevel: { type: 'string', enum: [...threatLevels], description: 'none for ordinary activity; low, medium, high for suspicious to dangerous.' },
    },
  },
};

function localTime(at: Date, timeZone: string | undefined): string {
  const zone = timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return `${text} (${zone})`;
}

function namesText(names: readonly KnownObjectName[]): string[] {
  if (!names.length) return [];
  return [
    'Known objects of this camera, named by its supervisor (use the name when you recognise one, else name null):',
    ...names.map((n) => `- "${oneLine(n.name)}" (${oneLine(n.label)}): ${oneLine(n.description)}`),
  ];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const EVENT_SYSTEM = [
  'You describe events seen by a security camera for the people who watch it, in plain words.',
  'Say only what the images show; do not guess identities beyond the names you are given.',
  'Answer with one JSON object: {"title", "summary", "summaryPl", "objects": [{"label", "name", "description"}], "threatLevel"}.',
  'threatLevel is "none" for ordinary activity (people walking, cars parking, deliveries), "low" for unusual, "medium" for suspicious, "high" for dangerous.',
].join('\n');

/** The system and user messages for one event, images after the text that introduces them. */
export function buildEventDescriptionMessages(request: EventDescriptionRequest): ChatMessage[] {
  const text = [
    `Camera: ${oneLine(request.cameraName)}`,
    `Time: ${localTime(request.at, request.timeZone)}`,
    `Detected: ${request.count} × ${request.label}, for ${Math.max(0, Math.round(request.durationSec))} s${request.zones.length ? `, in zone ${request.zones.join(', ')}` : ''}.`,
    `Local description (from the motion tracker; may be imprecise): ${oneLine(request.localSummary)}`,
    ...(request.cameraPrompt?.trim() ? [`Instructions for this camera: ${request.cameraPrompt.trim()}`] : []),
    ...namesText(request.names),
    `Images (${request.images.length}): ${request.images.map((image, i) => `${i + 1}. ${image.caption}`).join('; ')}.`,
    'Describe the event as JSON.',
  ].join('\n');
  const parts: ChatContentPart[] = [{ type: 'text', text }];
  for (const image of request.images) {
    parts.push({ type: 'image_url', image_url: { url: jpegDataUrl(image.jpeg), detail: image.role === 'context' ? 'auto' : 'low' } });
  }
  return [
    { role: 'system', content: EVENT_SYSTEM },
    { role: 'user', content: parts },
  ];
}

export function jpegDataUrl(jpeg: Uint8Array): string {
  return `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`;
}

/**
 * The model's answer as an EventDescription, or MalformedAnswerError saying what is wrong.
 * Accepts the JSON alone, or wrapped in a ```json fence or in text (local servers that ignore
 * json_schema); every required field must be there with its type; unknown fields are ignored.
 */
export function parseEventDescription(content: string | null | undefined): EventDescription {
  const value = extractJson(content);
  const problems: string[] = [];
  const title = requiredText(value, 'title', MAX_TITLE, problems);
  const summary = requiredText(value, 'summary', MAX_SUMMARY, problems);
  let summaryPl: string | null = null;
  if (value.summaryPl !== undefined && value.summaryPl !== null) {
    if (typeof value.summaryPl !== 'string') problems.push('summaryPl must be a string or null');
    else summaryPl = value.summaryPl.trim().slice(0, MAX_SUMMARY) || null;
  }
  const threatLevel = value.threatLevel;
  if (typeof threatLevel !== 'string' || !threatLevels.includes(threatLevel as ThreatLevel)) {
    problems.push(`threatLevel must be one of ${threatLevels.join(', ')}`);
  }
  const objects: DescribedObject[] = [];
  if (!Array.isArray(value.objects)) problems.push('objects must be an array');
  else {
    value.objects.slice(0, 20).forEach((item: unknown, index) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) return void problems.push(`objects[${index}] must be an object`);
      const object = item as Record<string, unknown>;
      if (typeof object.label !== 'string' || !object.label.trim()) return void problems.push(`objects[${index}].label must be a text`);
      if (object.name !== undefined && object.name !== null && typeof object.name !== 'string') return void problems.push(`objects[${index}].name must be a text or null`);
      if (object.description !== undefined && typeof object.description !== 'string') return void problems.push(`objects[${index}].description must be a text`);
      objects.push({
        label: object.label.trim().toLowerCase().slice(0, 40),
        name: typeof object.name === 'string' && object.name.trim() ? object.name.trim().slice(0, 80) : null,
        description: typeof object.description === 'string' ? object.description.trim().slice(0, 300) : '',
      });
    });
  }
  if (problems.length) throw new MalformedAnswerError(`The answer does not fit the schema: ${problems.join('; ')}`);
  return { title, summary, summaryPl, objects, threatLevel: threatLevel as ThreatLevel };
}

// ---------------------------------------------------------------- period summary

export const periodSummarySchema: StructuredOutputSchema = {
  name: 'period_summary',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['summary'],
    properties: {
      summary: { type: 'string', description: 'The summary of the period for the camera owner, 2 to 6 sentences, in the asked language.' },
    },
  },
};

/** Text only (no images): what the camera recorded in a period, for the model to tell in a few sentences. */
export function buildPeriodSummaryMessages(request: PeriodSummaryRequest): ChatMessage[] {
  const language = request.language === 'pl' ? 'Polish' : 'English';
  const system = [
    'You summarise what a security camera recorded in a period, for its owner, in plain words.',
    'Use only the events listed; keep the numbers of the local summary; mention what is unusual first.',
    `Write in ${language}. Answer with one JSON object: {"summary": "..."}.`,
  ].join('\n');
  const lines = request.events.slice(0, MAX_SUMMARY_EVENT_LINES).map((event) => {
    const threat = event.threatLevel && event.threatLevel !== 'none' ? ` [threat: ${event.threatLevel}]` : '';
    return `- ${localTime(event.at, request.timeZone)}: ${event.kind} ${event.count} × ${event.label}: ${oneLine(event.text)}${threat}`;
  });
  const text = [
    `Camera: ${oneLine(request.cameraName)}`,
    `Period: ${request.periodText} (${localTime(request.from, request.timeZone)} – ${localTime(request.to, request.timeZone)})`,
    ...(request.cameraPrompt?.trim() ? [`Instructions for this camera: ${request.cameraPrompt.trim()}`] : []),
    ...namesText(request.names),
    `Local summary: ${oneLine(request.localSummary)}`,
    `Events (${request.events.length}${request.events.length > lines.length ? `, ${lines.length} listed` : ''}):`,
    ...lines,
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: text },
  ];
}

export function parsePeriodSummary(content: string | null | undefined): PeriodSummary {
  const value = extractJson(content);
  const problems: string[] = [];
  const summary = requiredText(value, 'summary', 2000, problems);
  if (problems.length) throw new MalformedAnswerError(`The answer does not fit the schema: ${problems.join('; ')}`);
  return { summary };
}

// ---------------------------------------------------------------- reading JSON answers

function extractJson(content: string | null | undefined): Record<string, unknown> {
  const text = (content ?? '').trim();
  if (!text) throw new MalformedAnswerError('The answer is empty');
  const fenced = text.match(/```(?:json)?\s*([\s\S]*?)```/i)?.[1];
  const candidates = [text, fenced, text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)].filter((c): c is string => !!c && c.trim().startsWith('{'));
  for (const candidate of candidates) {
    try {
      const value = JSON.parse(candidate) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // try the next reading
    }
  }
  throw new MalformedAnswerError(`The answer is not a JSON object: ${text.slice(0, 120)}`);
}

function requiredText(value: Record<string, unknown>, key: string, max: number, problems: string[]): string {
  const field = value[key];
  if (typeof field !== 'string' || !field.trim()) {
    problems.push(`${key} must be a non-empty text`);
    return '';
  }
  return field.trim().slice(0, max);
}
