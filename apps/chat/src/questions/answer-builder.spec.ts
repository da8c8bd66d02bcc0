import { describe, expect, it } from 'vitest';
import {
  buildAnswer,
  describePeriod,
  filterEvents,
  polishCount,
  polishPluralForm,
  type AnswerEvent,
} from './answer-builder.js';
import { parseQuestion } from './question-parser.js';

const TZ = 'Europe/Warsaw';
/** Wednesday 12 March 2025, 15:00 in Warsaw (UTC+1). */
const NOW = new Date('2025-03-12T14:00:00Z');
const ask = (text: string) => parseQuestion(text, NOW, { timeZone: TZ });
const answer = (text: string, events: AnswerEvent[]) => {
  const q = ask(text);
  return buildAnswer(q, filterEvents(q, events), 'Gate', { timeZone: TZ, now: NOW });
};

function event(id: string, label: string, count: number, localStart: string, summary = `${label} ${id}`): AnswerEvent {
  const startedAt = new Date(`${localStart}+01:00`);
  return {
    id,
    label,
    count,
    startedAt,
    endedAt: new Date(startedAt.getTime() + 20_000),
    summary,
    summaryPl: `pl: ${summary}`,
  };
}

const EVENTS: AnswerEvent[] = [
  event('e1', 'person', 2, '2025-03-12T14:10:00', 'Two people walked to the gate.'),
  event('e2', 'car', 1, '2025-03-12T14:32:00', 'A silver car parked.'),
  event('e3', 'person', 1, '2025-03-12T14:45:00', 'A person crossed the yard.'),
  event('e4', 'truck', 1, '2025-03-12T09:05:00', 'A van stopped at the gate.'),
  event('e5', 'person', 1, '2025-03-11T23:15:00', 'Someone stood at the gate.'),
  event('e6', 'dog', 1, '2025-03-10T08:00:00', 'A dog ran by.'),
];

describe('Polish plurals', () => {
  it.each([
    [1, 'one'], [2, 'few'], [4, 'few'], [5, 'many'], [11, 'many'], [12, 'many'], [14, 'many'],
    [22, 'few'], [25, 'many'], [0, 'many'], [102, 'few'], [112, 'many'],
  ] as const)('%i -> %s', (n, form) => {
    expect(polishPluralForm(n)).toBe(form);
  });

  it('writes osoba / osoby / osób and zdarzenie / zdarzenia / zdarzeń', () => {
    const person = ['osoba', 'osoby', 'osób'] as const;
    const events = ['zdarzenie', 'zdarzenia', 'zdarzeń'] as const;
    expect([1, 2, 5, 22].map((n) => polishCount(n, person))).toEqual(['1 osoba', '2 osoby', '5 osób', '22 osoby']);
    expect([1, 3, 5, 13].map((n) => polishCount(n, events))).toEqual(['1 zdarzenie', '3 zdarzenia', '5 zdarzeń', '13 zdarzeń']);
  });
});

describe('filterEvents', () => {
  it('keeps events of the labels overlapping the range, newest first', () => {
    const q = ask('people in the last hour');
    expect(filterEvents(q, EVENTS).map((e) => e.id)).toEqual(['e3', 'e1']);
  });

  it('keeps everything when the question names no label and no time', () => {
    expect(filterEvents(ask('what happened?'), EVENTS).map((e) => e.id)).toEqual(['e3', 'e2', 'e1', 'e4', 'e5', 'e6']);
  });

  it('keeps an event that started before the range but ended inside it', () => {
    const long = { ...event('long', 'car', 1, '2025-03-12T13:55:00'), endedAt: new Date('2025-03-12T13:05:00Z') };
    expect(filterEvents(ask('last hour'), [long]).map((e) => e.id)).toEqual(['long']);
  });

  it('"van" finds the trucks and cars the detector reported', () => {
    expect(filterEvents(ask('was there a van today?'), EVENTS).map((e) => e.label)).toEqual(['car', 'truck']);
  });
});

describe('buildAnswer: the examples from the brief', () => {
  it('"what happened in the last hour?" lists what the camera saw', () => {
    const a = answer('what happened in the last hour?', EVENTS);
    expect(a.text).toBe(
      [
        'In the last hour, Gate recorded 3 events: 3 people and 1 car.',
        '• 14:45 — A person crossed the yard.',
        '• 14:32 — A silver car parked.',
        '• 14:10 — Two people walked to the gate.',
      ].join('\n'),
    );
    expect(a.eventIds).toEqual(['e3', 'e2', 'e1']);
  });

  it('"was there a car?" says yes with the time of the last one', () => {
    const a = answer('was there a car?', EVENTS);
    expect(a.text).toBe('Yes: 1 car, the last today at 14:32.\n• 14:32 — A silver car parked.');
    expect(a.eventIds).toEqual(['e2']);
  });

  it('"ile osób przeszło?" counts people with a Polish plural', () => {
    const a = answer('ile osób przeszło?', EVENTS);
    expect(a.text.split('\n')[0]).toBe('Łącznie: 4 osoby (3 zdarzenia).');
    expect(a.text).toContain('• wczoraj 23:15 — pl: Someone stood at the gate.');
    expect(a.eventIds).toEqual(['e3', 'e1', 'e5']);
  });

  it('"was anyone at the gate after 22:00?" finds the person from last night', () => {
    const a = answer('was anyone at the gate after 22:00?', EVENTS);
    expect(a.text.split('\n')[0]).toBe('Yes: 4 people after 22:00, the last today at 14:45.');
    expect(a.eventIds).toEqual(['e3', 'e1', 'e5']);
  });
});

describe('buildAnswer: no events', () => {
  it.each([
    ['were there cars in the last hour?', 'No cars in the last hour.'],
    ['czy był samochód w ostatniej godzinie?', 'W ostatniej godzinie nie było samochodów.'],
    ['was anyone here before 8?', 'No one before 08:00.'],
    ['czy ktoś był po 22:00?', 'Po 22:00 nie było nikogo.'],
    ['what happened yesterday?', 'Nothing happened yesterday.'],
    ['co się działo wczoraj?', 'Wczoraj nic się nie działo.'],
    ['ile psów było dzisiaj?', 'Dzisiaj nie było psów.'],
    ['was there a van?', 'Gate has not seen any trucks or cars yet.'],
    ['czy był bus?', 'Kamera Gate nie widziała jeszcze ciężarówek ani samochodów.'],
    ['when was the last cat?', 'Gate has not seen any cats yet.'],
    ['what happened?', 'Gate has not recorded anything yet.'],
  ])('%s -> %s', (text, expected) => {
    expect(answer(text, [])).toEqual({ text: expected, eventIds: [] });
  });
});

describe('buildAnswer: per intent and language', () => {
  it('answers "czy był samochód?" in Polish', () => {
    expect(answer('czy był samochód?', EVENTS).text.split('\n')[0]).toBe('Tak. 1 samochód, ostatnio dziś o 14:32.');
  });

  it('answers "czy były dziś samochody?" with the period first', () => {
    expect(answer('czy były dziś samochody?', EVENTS).text.split('\n')[0]).toBe('Tak. Dzisiaj: 1 samochód, ostatnio dziś o 14:32.');
  });

  it('"how many people walked by today?" counts objects, not events', () => {
    expect(answer('how many people walked by today?', EVENTS).text.split('\n')[0]).toBe('3 people today (2 events).');
  });

  it('"ile osób w ostatnich 2 godzinach" uses the genitive after the period', () => {
    const many = Array.from({ length: 5 }, (_, i) => event(`p${i}`, 'person', 1, `2025-03-12T14:0${i}:00`));
    expect(answer('ile osób w ciągu ostatnich 2 godzin?', many).text.split('\n')[0]).toBe(
      'W ciągu ostatnich 2 godzin: 5 osób (5 zdarzeń).',
    );
  });

  it('"when was the last car?" names only the newest one', () => {
    const a = answer('when was the last car?', [...EVENTS, event('e0', 'car', 1, '2025-03-11T10:00:00')]);
    expect(a).toEqual({ text: 'The last car was seen today at 14:32.\n• 14:32 — A silver car parked.', eventIds: ['e2'] });
  });

  it('"kiedy ostatnio był pies?" uses the accusative and an older date', () => {
    expect(answer('kiedy ostatnio był pies?', EVENTS)).toEqual({
      text: 'Ostatnio widziano psa 10.03 o 08:00.\n• 10.03 08:00 — pl: A dog ran by.',
      eventIds: ['e6'],
    });
  });

  it('"co się działo?" summarises in Polish with the object tally', () => {
    const a = answer('co się działo dzisiaj?', EVENTS);
    expect(a.text.split('\n')[0]).toBe('Dzisiaj kamera Gate zarejestrowała 4 zdarzenia: 3 osoby, 1 samochód i 1 ciężarówka.');
    expect(a.text).toContain('• 09:05 — pl: A van stopped at the gate.');
  });

  it('lists at most five events, newest first, and says how many more', () => {
    const many = Array.from({ length: 8 }, (_, i) => event(`m${i}`, 'person', 1, `2025-03-12T0${i}:00:00`));
    const a = answer('what happened today?', many);
    expect(a.eventIds).toEqual(['m7', 'm6', 'm5', 'm4', 'm3']);
    expect(a.text.split('\n')).toHaveLength(7);
    expect(a.text.endsWith('…and 3 more.')).toBe(true);
    expect(answer('co się działo dzisiaj?', many).text.endsWith('…i jeszcze 3 zdarzenia.')).toBe(true);
  });

  it('falls back to the English summary when the Polish one is missing', () => {
    const e = { ...event('x', 'cat', 1, '2025-03-12T14:00:00', 'A cat sat.'), summaryPl: '' };
    expect(answer('czy był kot?', [e]).text).toContain('• 14:00 — A cat sat.');
  });

  it('gives help with examples in each language', () => {
    const en = answer('help', EVENTS);
    expect(en.eventIds).toEqual([]);
    expect(en.text).toContain('What happened in the last hour?');
    expect(en.text).toContain('Gate');
    const pl = answer('pomoc', EVENTS);
    expect(pl.text).toContain('Ile osób przeszło od 14:30?');
    expect(pl.text).toContain('Czy był dzisiaj samochód?');
  });
});

describe('describePeriod', () => {
  it.each([
    ['last hour', 'in the last hour', 'w ostatniej godzinie'],
    ['last 2 hours', 'in the last 2 hours', 'w ciągu ostatnich 2 godzin'],
    ['last 30 minutes', 'in the last 30 minutes', 'w ciągu ostatnich 30 minut'],
    ['this morning', 'this morning', 'dzisiaj rano'],
    ['tonight', 'tonight', 'tej nocy'],
    ['yesterday after 22:00', 'yesterday after 22:00', 'wczoraj po 22:00'],
    ['between 10 and 12', 'between 10:00 and 12:00', 'między 10:00 a 12:00'],
    ['since 14:30', 'since 14:30', 'od 14:30'],
    ['on monday', 'on Monday', 'w poniedziałek'],
  ])('%s', (text, en, pl) => {
    const period = ask(text).period;
    expect([describePeriod('en', period), describePeriod('pl', period)]).toEqual([en, pl]);
  });
});
