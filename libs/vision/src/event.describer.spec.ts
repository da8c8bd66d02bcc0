import { describe, expect, it } from 'vitest';
import { EventDescriber, formatDuration, formatEnglishCount, formatPolishCount, polishCountForm, type DescribableEvent } from './event.describer.js';

const describer = new EventDescriber();
const describe1 = (label: string, count: number, direction: Parameters<EventDescriber['describe']>[0]['direction']) =>
  describer.describe({ kind: 'object', label, count, direction });

describe('Polish plural forms', () => {
  it('follows 1 / 2-4 / 5+ with the 12-14 exception', () => {
    expect([1, 2, 3, 4, 5, 11, 12, 14, 21, 22, 24, 25, 101, 102, 112, 0].map(polishCountForm)).toEqual([
      'one', 'few', 'few', 'few', 'many', 'many', 'many', 'many', 'many', 'few', 'few', 'many', 'many', 'few', 'many', 'many',
    ]);
  });

  it('counts people and cars', () => {
    expect(['1 osoba', '2 osoby', '5 osób', '22 osoby', '12 osób']).toEqual([1, 2, 5, 22, 12].map((n) => formatPolishCount(n, 'person')));
    expect(['1 samochód', '3 samochody', '7 samochodów']).toEqual([1, 3, 7].map((n) => formatPolishCount(n, 'car')));
    expect(formatEnglishCount(1, 'person')).toBe('1 person');
    expect(formatEnglishCount(2, 'person')).toBe('2 people');
  });
});

describe('EventDescriber', () => {
  it('people walking', () => {
    expect(describe1('person', 2, 'right-to-left')).toEqual({
      en: '2 people walked from right to left',
      pl: '2 osoby przeszły z prawej do lewej',
    });
    expect(describe1('person', 1, 'left-to-right')).toEqual({
      en: 'A person walked from left to right',
      pl: 'Osoba przeszła z lewej do prawej',
    });
    expect(describe1('person', 5, 'right-to-left').pl).toBe('5 osób przeszło z prawej do lewej');
  });

  it('cars driving, with masculine agreement', () => {
    expect(describe1('car', 1, 'left-to-right')).toEqual({
      en: 'A car drove from left to right',
      pl: 'Samochód przejechał z lewej do prawej',
    });
    expect(describe1('car', 3, 'right-to-left').pl).toBe('3 samochody przejechały z prawej do lewej');
    expect(describe1('car', 6, 'right-to-left').pl).toBe('6 samochodów przejechało z prawej do lewej');
  });

  it('feminine nouns other than osoba, and animals', () => {
    expect(describe1('truck', 1, 'left-to-right').pl).toBe('Ciężarówka przejechała z lewej do prawej');
    expect(describe1('dog', 1, 'left-to-right')).toEqual({ en: 'A dog ran from left to right', pl: 'Pies przebiegł z lewej do prawej' });
    expect(describe1('dog', 2, 'left-to-right').pl).toBe('2 psy przebiegły z lewej do prawej');
  });

  it('towards and away from the camera', () => {
    expect(describe1('person', 1, 'top-to-bottom')).toEqual({ en: 'A person walked towards the camera', pl: 'Osoba przeszła w stronę kamery' });
    expect(describe1('person', 2, 'bottom-to-top')).toEqual({ en: '2 people walked away from the camera', pl: '2 osoby przeszły w głąb kadru' });
  });

  it('no clear direction', () => {
    expect(describe1('person', 1, 'none')).toEqual({ en: 'A person was moving around', pl: 'Osoba poruszała się w kadrze' });
    expect(describe1('car', 5, 'none')).toEqual({ en: '5 cars were moving around', pl: '5 samochodów poruszało się w kadrze' });
  });

  it('uses "an" before vowels and a neutral phrase for labels it has no words for', () => {
    expect(describe1('umbrella', 1, 'left-to-right').en).toBe('An object (umbrella) moved from left to right');
    expect(describe1('umbrella', 2, 'left-to-right').pl).toBe('2 obiekty (umbrella) przemieściły się z lewej do prawej');
  });

  it('motion-only events', () => {
    expect(describer.describe({ kind: 'motion', label: 'motion', count: 1, direction: 'none' }).en).toBe('Motion detected, no object recognised');
  });
});

describe('EventDescriber: zones, stays, parking, leaving, loitering (each sentence reviewed in both languages)', () => {
  const table: [DescribableEvent, string, string][] = [
    [{ kind: 'object', label: 'person', count: 12, direction: 'top-to-bottom' }, '12 people walked towards the camera', '12 osób przeszło w stronę kamery'],
    [{ kind: 'object', label: 'person', count: 22, direction: 'bottom-to-top' }, '22 people walked away from the camera', '22 osoby przeszły w głąb kadru'],
    [
      { kind: 'object', label: 'person', count: 2, direction: 'right-to-left', zone: { name: 'parking', relation: 'into' }, stayedSec: 40 },
      '2 people walked from the right into the parking zone and stayed 40 s',
      '2 osoby weszły z prawej strony do strefy „parking” i zostały tam przez 40 s',
    ],
    [{ kind: 'object', label: 'car', count: 1, direction: 'left-to-right', zone: { name: 'parking', relation: 'into' } }, 'A car drove from the left into the parking zone', 'Samochód wjechał z lewej strony do strefy „parking”'],
    [{ kind: 'object', label: 'truck', count: 1, direction: 'right-to-left', zone: { name: 'parking', relation: 'out-of' } }, 'A truck drove out of the parking zone to the left', 'Ciężarówka wyjechała ze strefy „parking” w lewą stronę'],
    [{ kind: 'object', label: 'dog', count: 3, direction: 'left-to-right', zone: { name: 'garden', relation: 'through' } }, '3 dogs ran from left to right through the garden zone', '3 psy przebiegły z lewej do prawej przez strefę „garden”'],
    [{ kind: 'object', label: 'cat', count: 1, direction: 'left-to-right', zone: { name: 'garden', relation: 'in' } }, 'A cat walked from left to right in the garden zone', 'Kot przeszedł z lewej do prawej w strefie „garden”'],
    [{ kind: 'object', label: 'horse', count: 5, direction: 'left-to-right', zone: { name: 'paddock', relation: 'into' } }, '5 horses walked from the left into the paddock zone', '5 koni weszło z lewej strony do strefy „paddock”'],
    [{ kind: 'object', label: 'person', count: 1, direction: 'none', zone: { name: 'gate', relation: 'in' }, stayedSec: 95 }, 'A person stayed in the gate zone for 2 min', 'Osoba była w strefie „gate” przez 2 min'],
    [{ kind: 'object', label: 'person', count: 3, direction: 'none', stayedSec: 40 }, '3 people stayed for 40 s', '3 osoby były w kadrze przez 40 s'],
    [{ kind: 'object', label: 'person', count: 1, direction: 'left-to-right', stayedSec: 6 }, 'A person walked from left to right', 'Osoba przeszła z lewej do prawej'],
    [{ kind: 'object', label: 'person', count: 1, direction: 'none', dwellSec: 63 }, 'A person was moving around for 1 min', 'Osoba poruszała się w kadrze przez 1 min'],
    [{ kind: 'object', label: 'person', count: 2, direction: 'none', dwellSec: 36, stayedSec: 12 }, '2 people were moving around for 36 s', '2 osoby poruszały się w kadrze przez 36 s'],
    [{ kind: 'object', label: 'dog', count: 1, direction: 'none', dwellSec: 12 }, 'A dog was moving around', 'Pies poruszał się w kadrze'],
    [{ kind: 'object', label: 'car', count: 1, direction: 'left-to-right', activity: 'arrived' }, 'A car drove in from the left and parked', 'Samochód wjechał z lewej strony i zaparkował'],
    [
      { kind: 'object', label: 'truck', count: 1, direction: 'top-to-bottom', activity: 'arrived', zone: { name: 'loading area', relation: 'into' } },
      'A truck drove in from the back of the picture and parked in the loading area',
      'Ciężarówka wjechała z głębi kadru i zaparkowała w strefie „loading area”',
    ],
    [{ kind: 'object', label: 'car', count: 2, direction: 'none', activity: 'arrived' }, '2 cars arrived and parked', '2 samochody przyjechały i zaparkowały'],
    [{ kind: 'object', label: 'truck', count: 1, direction: 'left-to-right', activity: 'left', stayedSec: 7300 }, 'A parked truck drove off to the right after 2 h 2 min', 'Zaparkowana ciężarówka odjechała w prawą stronę po 2 godz. 2 min'],
    [{ kind: 'object', label: 'truck', count: 1, direction: 'right-to-left', activity: 'left', stayedSec: null }, 'A parked truck drove off to the left', 'Zaparkowana ciężarówka odjechała w lewą stronę'],
    [
      { kind: 'object', label: 'car', count: 2, direction: 'left-to-right', activity: 'left', stayedSec: 600, zone: { name: 'parking', relation: 'out-of' } },
      '2 parked cars drove off from the parking zone to the right after 10 min',
      '2 zaparkowane samochody odjechały ze strefy „parking” w prawą stronę po 10 min',
    ],
    [{ kind: 'object', label: 'car', count: 5, direction: 'none', activity: 'left', stayedSec: 5 }, '5 parked cars drove off', '5 zaparkowanych samochodów odjechało'],
    [{ kind: 'object', label: 'car', count: 1, direction: 'bottom-to-top', activity: 'left', stayedSec: 90 }, 'A parked car drove off away from the camera after 2 min', 'Zaparkowany samochód odjechał w głąb kadru po 2 min'],
    [{ kind: 'loitering', label: 'person', count: 1, direction: 'none', zone: { name: 'gate', relation: 'in' }, stayedSec: 130, open: true }, 'A person has been in the gate zone for 2 min', 'Osoba przebywa w strefie „gate” od 2 min'],
    [{ kind: 'loitering', label: 'person', count: 1, direction: 'none', zone: { name: 'gate', relation: 'in' }, stayedSec: 45, open: false }, 'A person stayed in the gate zone for 45 s', 'Osoba przebywała w strefie „gate” przez 45 s'],
    [{ kind: 'loitering', label: 'car', count: 1, direction: 'none', zone: { name: 'entrance', relation: 'in' }, stayedSec: 3600, open: true }, 'A car has been in the entrance zone for 1 h', 'Samochód przebywa w strefie „entrance” od 1 godz.'],
    [{ kind: 'loitering', label: 'truck', count: 1, direction: 'none', zone: { name: 'entrance', relation: 'in' }, stayedSec: 300, open: false }, 'A truck stayed in the entrance zone for 5 min', 'Ciężarówka przebywała w strefie „entrance” przez 5 min'],
    [{ kind: 'motion', label: 'motion', count: 1, direction: 'none', zone: { name: 'garden', relation: 'in' } }, 'Motion in the garden zone, no object recognised', 'Ruch w strefie „garden”, bez rozpoznanego obiektu'],
  ];
  it.each(table)('%j', (event, en, pl) => {
    expect(describer.describe(event)).toEqual({ en, pl });
  });

  it('formats durations', () => {
    expect([0, 40, 59.4, 60, 95, 3599, 3600, 4800].map((sec) => formatDuration(sec, 'en'))).toEqual(['0 s', '40 s', '59 s', '1 min', '2 min', '1 h', '1 h', '1 h 20 min']);
    expect(formatDuration(4800, 'pl')).toBe('1 godz. 20 min');
  });
});
