import { describe, expect, it } from 'vitest';
import { EventDescriber, formatEnglishCount, formatPolishCount, polishCountForm } from './event.describer.js';

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
