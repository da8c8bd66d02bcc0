import { describe, expect, it } from 'vitest';
import { buildPeriodSummary, wantsPeriodSummary, type PeriodEvent } from './period-summary.builder.js';
import { parseQuestion } from './question-parser.js';

const TZ = 'Europe/Warsaw';
// Thursday 12 March 2026, 19:00 in Warsaw
const NOW = new Date('2026-03-12T18:00:00Z');
const parse = (text: string) => parseQuestion(text, NOW, { timeZone: TZ });

let n = 0;
function event(localTime: string, label: string, values: Partial<PeriodEvent> = {}): PeriodEvent {
  const startedAt = new Date(`${localTime}+01:00`);
  n += 1;
  return {
    id: `e${n}`,
    label,
    count: 1,
    kind: 'object',
    threatLevel: null,
    startedAt,
    endedAt: new Date(startedAt.getTime() + 10_000),
    summary: `a ${label} walked by`,
    summaryPl: `przeszedł ${label}`,
    ...values,
  };
}

describe('which questions get a period summary', () => {
  it('today, yesterday, this week, the last days; in English and Polish', () => {
    for (const text of ['what happened today?', 'what happened this week?', 'podsumuj dzień', 'co się działo w tym tygodniu?', 'what happened yesterday?', 'co się działo w ostatnich 3 dniach?']) {
      expect(wantsPeriodSummary(parse(text)), text).toBe(true);
    }
    for (const text of ['what happened in the last hour?', 'was there a car today?', 'how many people today?', 'what happened this morning?']) {
      expect(wantsPeriodSummary(parse(text)), text).toBe(false);
    }
  });

  it('reads "this week" as Monday 00:00 local until now', () => {
    const q = parse('co się działo w tym tygodniu?');
    expect(q.language).toBe('pl');
    expect(q.from?.toISOString()).toBe('2026-03-08T23:00:00.000Z');
    expect(q.to?.toISOString()).toBe(NOW.toISOString());
    expect(parse('podsumuj dzień').from?.toISOString()).toBe('2026-03-11T23:00:00.000Z');
  });
});

describe('the summary of a day', () => {
  const events = [
    event('2026-03-12T07:12:00', 'person', { summary: 'A person walked from the left to the gate', summaryPl: 'Osoba przeszła z lewej do bramy' }),
    event('2026-03-12T14:05:00', 'person', { count: 2 }),
    event('2026-03-12T14:20:00', 'car'),
    event('2026-03-12T14:40:00', 'person', { kind: 'loitering', summary: 'A person stayed 40 s in the parking zone', summaryPl: 'Osoba została 40 s w strefie parkingu' }),
    event('2026-03-12T16:00:00', 'dog'),
    event('2026-03-12T18:40:00', 'person', { threatLevel: 'high', summary: 'A person climbed the fence', summaryPl: 'Osoba przeszła przez płot' }),
  ];

  it('in English: counts, kinds, first and last, the busiest hour, notable events and key animations', () => {
    const answer = buildPeriodSummary(parse('what happened today?'), events, 'Gate', { now: NOW, timeZone: TZ });
    expect(answer.text.split('\n')).toEqual([
      'Today, Gate recorded 6 events: 5 people, 1 car and 1 dog.',
      'Kinds: 5 sightings, 1 loitering.',
      'First: 07:12 — A person walked from the left to the gate',
      'Last: 18:40 — A person climbed the fence',
      'Busiest hour: 14:00–15:00 (3 events).',
      'Worth a look:',
      '• 18:40 — high threat: A person climbed the fence',
      '• 16:00 — unusual: a dog walked by',
      '• 14:40 — loitering: A person stayed 40 s in the parking zone',
    ]);
    expect(answer.eventIds).toEqual(['e6', 'e5', 'e4', 'e1']);
  });

  it('in Polish, with Polish plurals', () => {
    const answer = buildPeriodSummary(parse('podsumuj dzień'), events, 'Brama', { now: NOW, timeZone: TZ });
    expect(answer.text.split('\n')).toEqual([
      'Dzisiaj kamera Brama zarejestrowała 6 zdarzeń: 5 osób, 1 samochód i 1 pies.',
      'Rodzaje: 5 obserwacji, 1 przypadek wałęsania się.',
      'Pierwsze: 07:12 — Osoba przeszła z lewej do bramy',
      'Ostatnie: 18:40 — Osoba przeszła przez płot',
      'Najwięcej w godzinie 14:00–15:00 (3 zdarzenia).',
      'Warte uwagi:',
      '• 18:40 — wysokie zagrożenie: Osoba przeszła przez płot',
      '• 16:00 — nietypowe: przeszedł dog',
      '• 14:40 — wałęsanie się: Osoba została 40 s w strefie parkingu',
    ]);
  });

  it('Polish plurals of 2-4 and 12-14 and 22', () => {
    const few = [event('2026-03-12T09:00:00', 'person', { count: 2 }), event('2026-03-12T10:00:00', 'car', { count: 2 })];
    expect(buildPeriodSummary(parse('podsumuj dzień'), few, 'Brama', { now: NOW, timeZone: TZ }).text.split('\n')[0]).toBe(
      'Dzisiaj kamera Brama zarejestrowała 2 zdarzenia: 2 osoby i 2 samochody.',
    );
    const many = Array.from({ length: 12 }, (_, i) => event(`2026-03-12T${String(6 + i).padStart(2, '0')}:00:00`, 'person'));
    expect(buildPeriodSummary(parse('podsumuj dzień'), many, 'Brama', { now: NOW, timeZone: TZ }).text.split('\n')[0]).toBe(
      'Dzisiaj kamera Brama zarejestrowała 12 zdarzeń: 12 osób.',
    );
    const twentyTwo = [event('2026-03-12T09:00:00', 'person', { count: 22 })];
    expect(buildPeriodSummary(parse('podsumuj dzień'), twentyTwo, 'Brama', { now: NOW, timeZone: TZ }).text).toMatch(/^Dzisiaj kamera Brama zarejestrowała 1 zdarzenie: 22 osoby\./);
  });

  it('says so when nothing happened, and when nothing was unusual', () => {
    expect(buildPeriodSummary(parse('what happened today?'), [], 'Gate', { now: NOW, timeZone: TZ })).toEqual({ text: 'Nothing happened today.', eventIds: [], events: [] });
    expect(buildPeriodSummary(parse('co się działo w tym tygodniu?'), [], 'Brama', { now: NOW, timeZone: TZ }).text).toBe('W tym tygodniu nic się nie działo.');
    const calm = [event('2026-03-12T09:00:00', 'person')];
    expect(buildPeriodSummary(parse('what happened today?'), calm, 'Gate', { now: NOW, timeZone: TZ }).text.split('\n')).toEqual([
      'Today, Gate recorded 1 event: 1 person.',
      'At 09:00 — a person walked by',
      'Nothing unusual; the last one today at 09:00.',
    ]);
  });
});

describe('the summary of a week', () => {
  it('names the busiest day', () => {
    const week = [
      event('2026-03-09T08:00:00', 'person'),
      event('2026-03-10T08:00:00', 'person'),
      event('2026-03-10T09:30:00', 'car'),
      event('2026-03-10T17:00:00', 'person'),
      event('2026-03-12T10:00:00', 'person'),
    ];
    const en = buildPeriodSummary(parse('what happened this week?'), week, 'Gate', { now: NOW, timeZone: TZ }).text.split('\n');
    expect(en[0]).toBe('This week, Gate recorded 5 events: 4 people and 1 car.');
    expect(en[1]).toBe('First: 9 Mar 08:00 — a person walked by');
    expect(en).toContain('Busiest day: Tuesday 10.03 (3 events).');
    const pl = buildPeriodSummary(parse('co się działo w tym tygodniu?'), week, 'Brama', { now: NOW, timeZone: TZ }).text.split('\n');
    expect(pl[0]).toBe('W tym tygodniu kamera Brama zarejestrowała 5 zdarzeń: 4 osoby i 1 samochód.');
    expect(pl).toContain('Najwięcej zdarzeń: wtorek 10.03 (3 zdarzenia).');
  });
});
