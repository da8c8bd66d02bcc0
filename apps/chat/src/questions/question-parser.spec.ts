import { describe, expect, it } from 'vitest';
import { parseQuestion, type ParsedQuestion } from './question-parser.js';

const TZ = 'Europe/Warsaw';
/** Wednesday 12 March 2025, 15:00 in Warsaw (UTC+1). */
const NOW = new Date('2025-03-12T14:00:00Z');
const parse = (text: string, now = NOW): ParsedQuestion => parseQuestion(text, now, { timeZone: TZ });
const iso = (date: Date | null) => date?.toISOString() ?? null;

describe('parseQuestion: the examples from the brief', () => {
  it('"what happened in the last hour?" is an English summary of the last 60 minutes', () => {
    const q = parse('what happened in the last hour?');
    expect(q).toMatchObject({ language: 'en', intent: 'summary', labels: [] });
    expect(iso(q.from)).toBe('2025-03-12T13:00:00.000Z');
    expect(iso(q.to)).toBe('2025-03-12T14:00:00.000Z');
  });

  it('"was there a car?" asks whether a car was seen, at any time', () => {
    expect(parse('was there a car?')).toMatchObject({ language: 'en', intent: 'exists', labels: ['car'], from: null, to: null });
  });

  it('"ile osób przeszło?" counts people, in Polish', () => {
    expect(parse('ile osób przeszło?')).toMatchObject({ language: 'pl', intent: 'count', labels: ['person'], from: null, to: null });
  });

  it('"was anyone at the gate after 22:00?" asked in the afternoon means since 22:00 last night', () => {
    const q = parse('was anyone at the gate after 22:00?');
    expect(q).toMatchObject({ language: 'en', intent: 'exists', labels: ['person'] });
    expect(iso(q.from)).toBe('2025-03-11T21:00:00.000Z');
    expect(iso(q.to)).toBe(iso(NOW));
  });

  it('"after 22:00" asked at 23:00 means tonight', () => {
    const q = parse('was anyone at the gate after 22:00?', new Date('2025-03-12T22:00:00Z'));
    expect(iso(q.from)).toBe('2025-03-12T21:00:00.000Z');
  });
});

describe('parseQuestion: language', () => {
  it.each([
    ['czy był samochód?', 'pl'],
    ['czy byl samochod', 'pl'],
    ['co się działo?', 'pl'],
    ['kiedy ostatnio był pies?', 'pl'],
    ['pomoc', 'pl'],
    ['samochody dzisiaj?', 'pl'],
    ['how many people walked by?', 'en'],
    ['help', 'en'],
    ['any dogs today?', 'en'],
  ] as const)('%s -> %s', (text, language) => {
    expect(parse(text).language).toBe(language);
  });

  it('falls back to the configured language when there is no clue', () => {
    expect(parseQuestion('?', NOW, { timeZone: TZ, defaultLanguage: 'pl' }).language).toBe('pl');
    expect(parseQuestion('?', NOW, { timeZone: TZ }).language).toBe('en');
  });
});

describe('parseQuestion: intent', () => {
  it.each([
    ['was there a car?', 'exists'],
    ['were there any people?', 'exists'],
    ['did anyone come today?', 'exists'],
    ['czy był samochód?', 'exists'],
    ['czy ktoś był przy bramie?', 'exists'],
    ['car?', 'exists'],
    ['how many people walked by?', 'count'],
    ['ile osób przeszło?', 'count'],
    ['ile samochodów wjechało dzisiaj?', 'count'],
    ['what happened in the last hour?', 'summary'],
    ['co się działo?', 'summary'],
    ["what's new?", 'summary'],
    ['podsumuj dzisiejszy dzień', 'summary'],
    ['when was the last car?', 'last'],
    ['kiedy ostatnio był pies?', 'last'],
    ['show me the last person', 'last'],
    ['ostatni samochód', 'last'],
    ['help', 'help'],
    ['pomoc', 'help'],
    ['?', 'help'],
    ['what can I ask?', 'help'],
  ] as const)('%s -> %s', (text, intent) => {
    expect(parse(text).intent).toBe(intent);
  });

  it('"the last hour" is a time phrase, not the "last" intent', () => {
    expect(parse('cars in the last hour').intent).not.toBe('last');
    expect(parse('ostatnia godzina').intent).toBe('summary');
  });
});

describe('parseQuestion: labels', () => {
  it.each([
    ['people', ['person']],
    ['was anybody here?', ['person']],
    ['a pedestrian or a woman', ['person']],
    ['osoby', ['person']],
    ['czy ktoś przechodził?', ['person']],
    ['ludzie', ['person']],
    ['człowiek z psem', ['person', 'dog']],
    ['przechodzień', ['person']],
    ['cars', ['car']],
    ['auto', ['car']],
    ['samochodów', ['car']],
    ['samochodu', ['car']],
    ['vehicle', ['car', 'truck', 'bus', 'motorcycle']],
    ['pojazdy', ['car', 'truck', 'bus', 'motorcycle']],
    ['a van', ['truck', 'car']],
    ['furgonetka', ['truck', 'car']],
    ['czy był bus?', ['truck', 'car']],
    ['the school bus', ['bus']],
    ['lorry', ['truck']],
    ['ciężarówka', ['truck']],
    ['bikes', ['bicycle']],
    ['rower', ['bicycle']],
    ['czy był pies?', ['dog']],
    ['psa', ['dog']],
    ['kot', ['cat']],
    ['cats and dogs', ['cat', 'dog']],
    ['what happened?', []],
  ] as const)('%s -> %j', (text, labels) => {
    expect(parse(text).labels).toEqual(labels);
  });
});

describe('parseQuestion: time phrases (Warsaw, now = Wed 12 Mar 2025 15:00)', () => {
  it.each([
    ['last hour', '2025-03-12T13:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['in the last 2 hours', '2025-03-12T12:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['last 30 minutes', '2025-03-12T13:30:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['past two hours', '2025-03-12T12:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['last half hour', '2025-03-12T13:30:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['today', '2025-03-11T23:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['yesterday', '2025-03-10T23:00:00.000Z', '2025-03-11T23:00:00.000Z'],
    ['this morning', '2025-03-12T04:00:00.000Z', '2025-03-12T11:00:00.000Z'],
    ['tonight', '2025-03-11T19:00:00.000Z', '2025-03-12T05:00:00.000Z'],
    ['last night', '2025-03-11T19:00:00.000Z', '2025-03-12T05:00:00.000Z'],
    ['yesterday evening', '2025-03-11T17:00:00.000Z', '2025-03-11T23:00:00.000Z'],
    ['before 8', '2025-03-11T23:00:00.000Z', '2025-03-12T07:00:00.000Z'],
    ['between 10 and 12', '2025-03-12T09:00:00.000Z', '2025-03-12T11:00:00.000Z'],
    ['since 14:30', '2025-03-12T13:30:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['after 10pm', '2025-03-11T21:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['yesterday after 22:00', '2025-03-11T21:00:00.000Z', '2025-03-11T23:00:00.000Z'],
    ['on monday', '2025-03-09T23:00:00.000Z', '2025-03-10T23:00:00.000Z'],
    ['ostatnia godzina', '2025-03-12T13:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['w ostatniej godzinie', '2025-03-12T13:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['ostatnie 2 godziny', '2025-03-12T12:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['w ciągu ostatnich dwóch godzin', '2025-03-12T12:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['ostatnie 30 minut', '2025-03-12T13:30:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['dzisiaj', '2025-03-11T23:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['dziś', '2025-03-11T23:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['wczoraj', '2025-03-10T23:00:00.000Z', '2025-03-11T23:00:00.000Z'],
    ['wczoraj wieczorem', '2025-03-11T17:00:00.000Z', '2025-03-11T23:00:00.000Z'],
    ['dziś po południu', '2025-03-12T11:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['po 22:00', '2025-03-11T21:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['po godzinie 22', '2025-03-11T21:00:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['przed 8', '2025-03-11T23:00:00.000Z', '2025-03-12T07:00:00.000Z'],
    ['od 14:30', '2025-03-12T13:30:00.000Z', '2025-03-12T14:00:00.000Z'],
    ['od 10 do 12', '2025-03-12T09:00:00.000Z', '2025-03-12T11:00:00.000Z'],
    ['między 10 a 12', '2025-03-12T09:00:00.000Z', '2025-03-12T11:00:00.000Z'],
    ['w poniedziałek', '2025-03-09T23:00:00.000Z', '2025-03-10T23:00:00.000Z'],
  ] as const)('%s', (text, from, to) => {
    const q = parse(text);
    expect([iso(q.from), iso(q.to)]).toEqual([from, to]);
  });

  it('"between 10 and 12" asked at 11:00 stops at now', () => {
    const q = parse('between 10 and 12', new Date('2025-03-12T10:00:00Z'));
    expect([iso(q.from), iso(q.to)]).toEqual(['2025-03-12T09:00:00.000Z', '2025-03-12T10:00:00.000Z']);
  });

  it('"between 22 and 6" crosses midnight', () => {
    const q = parse('between 22 and 6', new Date('2025-03-12T09:00:00Z'));
    expect([iso(q.from), iso(q.to)]).toEqual(['2025-03-11T21:00:00.000Z', '2025-03-12T05:00:00.000Z']);
  });

  it('"today" uses the local day across a DST change (Warsaw springs forward on 30 March 2025)', () => {
    const q = parse('today', new Date('2025-03-30T10:00:00Z'));
    expect(iso(q.from)).toBe('2025-03-29T23:00:00.000Z');
    expect(iso(parse('after 22:00', new Date('2025-03-30T10:00:00Z')).from)).toBe('2025-03-29T21:00:00.000Z');
    expect(iso(parse('since 8:00', new Date('2025-03-30T10:00:00Z')).from)).toBe('2025-03-30T06:00:00.000Z');
  });

  it('honours the time zone option', () => {
    const q = parseQuestion('today', NOW, { timeZone: 'America/New_York' });
    expect(iso(q.from)).toBe('2025-03-12T04:00:00.000Z');
  });

  it('defaults to the process time zone', () => {
    const local = new Date(NOW);
    local.setHours(0, 0, 0, 0);
    expect(iso(parseQuestion('today', NOW).from)).toBe(local.toISOString());
  });

  it('keeps the time phrase for the answer', () => {
    expect(parse('after 22:00').period).toEqual({ kind: 'after', day: null, time: { hour: 22, minute: 0 } });
    expect(parse('was there a car?').period).toBeNull();
  });
});
