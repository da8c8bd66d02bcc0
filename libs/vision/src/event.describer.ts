import type { AnalysedEvent, Direction } from '@cameramonit/contracts';

/** Polish nouns agree with numbers in three forms: 1 osoba, 2-4 osoby (not 12-14), 5+ osób. */
export type PolishCountForm = 'one' | 'few' | 'many';

export function polishCountForm(count: number): PolishCountForm {
  const n = Math.abs(Math.trunc(count));
  if (n === 1) return 'one';
  const lastDigit = n % 10;
  const lastTwo = n % 100;
  if (lastDigit >= 2 && lastDigit <= 4 && (lastTwo < 12 || lastTwo > 14)) return 'few';
  return 'many';
}

interface PolishVerb {
  masculine: string;
  feminine: string;
  neuter: string;
  /** non-masculine-personal plural, used after 2-4 ("przeszły") */
  plural: string;
}
interface PolishNoun {
  one: string;
  few: string;
  many: string;
  gender: 'masculine' | 'feminine' | 'neuter';
}
interface Lexeme {
  en: { singular: string; plural: string; verb: string };
  pl: PolishNoun & { verb: PolishVerb };
}

const walked: PolishVerb = { masculine: 'przeszedł', feminine: 'przeszła', neuter: 'przeszło', plural: 'przeszły' };
const drove: PolishVerb = { masculine: 'przejechał', feminine: 'przejechała', neuter: 'przejechało', plural: 'przejechały' };
const ran: PolishVerb = { masculine: 'przebiegł', feminine: 'przebiegła', neuter: 'przebiegło', plural: 'przebiegły' };
const flew: PolishVerb = { masculine: 'przeleciał', feminine: 'przeleciała', neuter: 'przeleciało', plural: 'przeleciały' };
const movedAbout: PolishVerb = { masculine: 'poruszał się', feminine: 'poruszała się', neuter: 'poruszało się', plural: 'poruszały się' };
const movedAcross: PolishVerb = { masculine: 'przemieścił się', feminine: 'przemieściła się', neuter: 'przemieściło się', plural: 'przemieściły się' };

const lexicon: Record<string, Lexeme> = {
  person: { en: { singular: 'person', plural: 'people', verb: 'walked' }, pl: { one: 'osoba', few: 'osoby', many: 'osób', gender: 'feminine', verb: walked } },
  bicycle: { en: { singular: 'cyclist', plural: 'cyclists', verb: 'rode' }, pl: { one: 'rower', few: 'rowery', many: 'rowerów', gender: 'masculine', verb: drove } },
  car: { en: { singular: 'car', plural: 'cars', verb: 'drove' }, pl: { one: 'samochód', few: 'samochody', many: 'samochodów', gender: 'masculine', verb: drove } },
  motorcycle: { en: { singular: 'motorcycle', plural: 'motorcycles', verb: 'rode' }, pl: { one: 'motocykl', few: 'motocykle', many: 'motocykli', gender: 'masculine', verb: drove } },
  bus: { en: { singular: 'bus', plural: 'buses', verb: 'drove' }, pl: { one: 'autobus', few: 'autobusy', many: 'autobusów', gender: 'masculine', verb: drove } },
  truck: { en: { singular: 'truck', plural: 'trucks', verb: 'drove' }, pl: { one: 'ciężarówka', few: 'ciężarówki', many: 'ciężarówek', gender: 'feminine', verb: drove } },
  train: { en: { singular: 'train', plural: 'trains', verb: 'passed' }, pl: { one: 'pociąg', few: 'pociągi', many: 'pociągów', gender: 'masculine', verb: drove } },
  dog: { en: { singular: 'dog', plural: 'dogs', verb: 'ran' }, pl: { one: 'pies', few: 'psy', many: 'psów', gender: 'masculine', verb: ran } },
  cat: { en: { singular: 'cat', plural: 'cats', verb: 'walked' }, pl: { one: 'kot', few: 'koty', many: 'kotów', gender: 'masculine', verb: walked } },
  horse: { en: { singular: 'horse', plural: 'horses', verb: 'walked' }, pl: { one: 'koń', few: 'konie', many: 'koni', gender: 'masculine', verb: walked } },
  bird: { en: { singular: 'bird', plural: 'birds', verb: 'flew' }, pl: { one: 'ptak', few: 'ptaki', many: 'ptaków', gender: 'masculine', verb: flew } },
};

function unknownLexeme(label: string): Lexeme {
  return {
    en: { singular: `object (${label})`, plural: `objects (${label})`, verb: 'moved' },
    pl: { one: `obiekt (${label})`, few: `obiekty (${label})`, many: `obiektów (${label})`, gender: 'masculine', verb: movedAcross },
  };
}

const englishDirection: Record<Exclude<Direction, 'none'>, string> = {
  'left-to-right': 'from left to right',
  'right-to-left': 'from right to left',
  'top-to-bottom': 'towards the camera',
  'bottom-to-top': 'away from the camera',
};
const polishDirection: Record<Exclude<Direction, 'none'>, string> = {
  'left-to-right': 'z lewej do prawej',
  'right-to-left': 'z prawej do lewej',
  'top-to-bottom': 'w stronę kamery',
  'bottom-to-top': 'w głąb kadru',
};

/** "1 osoba", "2 osoby", "5 osób", "22 samochody". */
export function formatPolishCount(count: number, label: string): string {
  const noun = (lexicon[label] ?? unknownLexeme(label)).pl;
  return `${count} ${noun[polishCountForm(count)]}`;
}

/** "1 person", "2 people". */
export function formatEnglishCount(count: number, label: string): string {
  const noun = (lexicon[label] ?? unknownLexeme(label)).en;
  return `${count} ${count === 1 ? noun.singular : noun.plural}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

export type DescribableEvent = Pick<AnalysedEvent, 'kind' | 'label' | 'count' | 'direction'>;

/** Local, model-free sentences for an event, in English and Polish. */
export class EventDescriber {
  describe(event: DescribableEvent): { en: string; pl: string } {
    if (event.kind === 'motion') {
      return { en: 'Motion detected, no object recognised', pl: 'Wykryto ruch, bez rozpoznanego obiektu' };
    }
    return { en: this.english(event), pl: this.polish(event) };
  }

  private english(event: DescribableEvent): string {
    const lexeme = (lexicon[event.label] ?? unknownLexeme(event.label)).en;
    const count = Math.max(1, event.count);
    const subject = count === 1 ? withArticle(lexeme.singular) : `${count} ${lexeme.plural}`;
    if (event.direction === 'none') {
      return capitalise(`${subject} ${count === 1 ? 'was' : 'were'} moving around`);
    }
    return capitalise(`${subject} ${lexeme.verb} ${englishDirection[event.direction]}`);
  }

  private polish(event: DescribableEvent): string {
    const noun = (lexicon[event.label] ?? unknownLexeme(event.label)).pl;
    const count = Math.max(1, event.count);
    const form = polishCountForm(count);
    const subject = form === 'one' ? noun.one : `${count} ${noun[form]}`;
    const verbs = event.direction === 'none' ? movedAbout : noun.verb;
    // 1: verb agrees with the noun's gender; 2-4: plural; 5+: neuter singular ("5 osób przeszło")
    const verb = form === 'one' ? verbs[noun.gender] : form === 'few' ? verbs.plural : verbs.neuter;
    const place = event.direction === 'none' ? 'w kadrze' : polishDirection[event.direction];
    return capitalise(`${subject} ${verb} ${place}`);
  }
}
