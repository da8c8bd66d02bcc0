/**
 * Words the question parser knows, in English and Polish. Polish words are stored folded
 * (lower case, no diacritics: "samochód" -> "samochod") so questions typed without a Polish
 * keyboard are understood too.
 */

export type Language = 'en' | 'pl';

/** Lower case, Polish (and other Latin) diacritics removed, whitespace collapsed. */
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .replace(/ł/g, 'l')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The groups a word can stand for. "van" and "vehicle" stand for more than one COCO label. */
const VEHICLE = ['car', 'truck', 'bus', 'motorcycle'];
const VAN = ['truck', 'car'];

interface LabelWords {
  labels: readonly string[];
  en: readonly string[];
  pl: readonly string[];
}

const LABEL_WORDS: readonly LabelWords[] = [
  {
    labels: ['person'],
    en: [
      'person', 'persons', 'people', 'someone', 'somebody', 'anyone', 'anybody', 'nobody', 'noone',
      'man', 'men', 'woman', 'women', 'pedestrian', 'pedestrians', 'human', 'humans', 'visitor',
      'visitors', 'guy', 'guys', 'kid', 'kids', 'child', 'children', 'intruder', 'intruders',
      'stranger', 'strangers', 'postman', 'courier',
    ],
    pl: [
      'osoba', 'osoby', 'osob', 'osobe', 'osobie', 'osobami', 'osobach', 'osobom', 'ktos', 'kogos',
      'ktokolwiek', 'kogokolwiek', 'nikt', 'nikogo', 'ludzie', 'ludzi', 'ludzmi', 'czlowiek',
      'czlowieka', 'czlowiekiem', 'przechodzien', 'przechodnia', 'przechodnie', 'przechodniow',
      'przechodniem', 'przechodniami', 'mezczyzna', 'mezczyzny', 'mezczyzn', 'mezczyzne', 'kobieta',
      'kobiety', 'kobiet', 'kobiete', 'dziecko', 'dzieci', 'gosc', 'goscie', 'gosci', 'intruz',
      'intruza', 'listonosz', 'listonosza', 'kurier', 'kuriera',
    ],
  },
  {
    labels: ['car'],
    en: ['car', 'cars', 'auto', 'autos', 'automobile', 'automobiles'],
    pl: [
      'samochod', 'samochodu', 'samochody', 'samochodow', 'samochodem', 'samochodzie', 'samochodami',
      'samochodach', 'auto', 'auta', 'aut', 'autem', 'aucie', 'autami', 'osobowka', 'osobowki',
      'osobowek',
    ],
  },
  {
    // COCO has no van: the detector calls one a truck or a car. In Polish a "bus" is a van.
    labels: VAN,
    en: ['van', 'vans', 'minivan', 'minivans'],
    pl: [
      'bus', 'busa', 'busy', 'busow', 'busem', 'busie', 'furgonetka', 'furgonetki', 'furgonetek',
      'furgonetke', 'dostawczak', 'dostawczaka', 'dostawczaki', 'dostawczakow', 'van', 'vana', 'vany',
    ],
  },
  {
    labels: ['bus'],
    en: ['bus', 'buses', 'coach', 'coaches'],
    pl: ['autobus', 'autobusu', 'autobusy', 'autobusow', 'autobusem', 'autobusie'],
  },
  {
    labels: ['truck'],
    en: ['truck', 'trucks', 'lorry', 'lorries', 'pickup', 'pickups'],
    pl: ['ciezarowka', 'ciezarowki', 'ciezarowek', 'ciezarowke', 'ciezarowkami', 'tir', 'tira', 'tiry', 'tirow'],
  },
  {
    labels: VEHICLE,
    en: ['vehicle', 'vehicles'],
    pl: ['pojazd', 'pojazdu', 'pojazdy', 'pojazdow', 'pojazdem', 'pojazdami'],
  },
  {
    labels: ['bicycle'],
    en: ['bicycle', 'bicycles', 'bike', 'bikes', 'cyclist', 'cyclists'],
    pl: [
      'rower', 'roweru', 'rowery', 'rowerow', 'rowerem', 'rowerze', 'rowerzysta', 'rowerzysty',
      'rowerzysci', 'rowerzystow', 'rowerzyste',
    ],
  },
  {
    labels: ['motorcycle'],
    en: ['motorcycle', 'motorcycles', 'motorbike', 'motorbikes', 'scooter', 'scooters', 'moped', 'mopeds'],
    pl: [
      'motocykl', 'motocykla', 'motocykle', 'motocykli', 'motor', 'motoru', 'motory', 'motorow',
      'skuter', 'skutera', 'skutery', 'skuterow',
    ],
  },
  {
    labels: ['dog'],
    en: ['dog', 'dogs', 'puppy', 'puppies'],
    pl: ['pies', 'psa', 'psy', 'psow', 'psem', 'piesek', 'pieska', 'pieski'],
  },
  {
    labels: ['cat'],
    en: ['cat', 'cats', 'kitten', 'kittens'],
    pl: ['kot', 'kota', 'koty', 'kotow', 'kotem', 'kotek', 'kotka', 'kotki'],
  },
  { labels: ['bird'], en: ['bird', 'birds'], pl: ['ptak', 'ptaka', 'ptaki', 'ptakow'] },
  { labels: ['horse'], en: ['horse', 'horses'], pl: ['kon', 'konia', 'konie', 'koni'] },
  { labels: ['backpack'], en: ['backpack', 'backpacks'], pl: ['plecak', 'plecaka', 'plecaki', 'plecakiem'] },
  { labels: ['umbrella'], en: ['umbrella', 'umbrellas'], pl: ['parasol', 'parasola', 'parasolem', 'parasolka'] },
  { labels: ['suitcase'], en: ['suitcase', 'suitcases'], pl: ['walizka', 'walizki', 'walizek', 'walizke'] },
  { labels: ['handbag'], en: ['handbag', 'handbags'], pl: ['torebka', 'torebki', 'torebek', 'torebke'] },
];

/**
 * The COCO labels a single folded word stands for, or none. The question's own language is
 * tried first ("bus" is a van in Polish and a bus in English), then the other one.
 */
export function labelsForWord(word: string, language: Language): readonly string[] {
  const other: Language = language === 'en' ? 'pl' : 'en';
  for (const lang of [language, other]) {
    const entry = LABEL_WORDS.find((candidate) => candidate[lang].includes(word));
    if (entry) return entry.labels;
  }
  return [];
}

/** True for a Polish object word that is not also English ("samochod", "rower"; not "auto"). */
export function isPolishLabelWord(word: string): boolean {
  return LABEL_WORDS.some((entry) => entry.pl.includes(word)) && !LABEL_WORDS.some((entry) => entry.en.includes(word));
}

/** Words that mark a question as Polish (folded). */
export const POLISH_WORDS = new Set([
  'czy', 'byl', 'byla', 'bylo', 'byly', 'jest', 'sa', 'ile', 'co', 'sie', 'kiedy', 'ktos', 'nikt',
  'dzisiaj', 'dzis', 'wczoraj', 'po', 'przed', 'od', 'miedzy', 'pomiedzy', 'ostatnio', 'ostatni',
  'ostatnia', 'ostatnie', 'ostatniej', 'ostatnich', 'godzina', 'godzinie', 'godziny', 'godzin',
  'minut', 'pomoc', 'jaki', 'jakie', 'jakis', 'przeszlo', 'przeszla', 'przeszedl', 'dzialo',
  'stalo', 'rano', 'wieczorem', 'nocy', 'w', 'z', 'na', 'przy', 'bramie', 'pod', 'jak', 'raz',
  'widziano', 'widac', 'pojawil', 'pojawila', 'przyjechal', 'przyjechalo', 'nowego', 'ciagu',
  'pokaz', 'podsumuj', 'podsumowanie', 'zdarzenia', 'zdarzen', 'tak', 'nie', 'moge', 'zapytac',
]);

/** Words that mark a question as English. */
export const ENGLISH_WORDS = new Set([
  'was', 'were', 'is', 'are', 'there', 'the', 'a', 'an', 'any', 'how', 'many', 'much', 'what',
  'when', 'did', 'does', 'has', 'have', 'happened', 'last', 'hour', 'hours', 'minutes', 'today',
  'yesterday', 'after', 'before', 'between', 'since', 'morning', 'tonight', 'night', 'evening',
  'help', 'at', 'in', 'of', 'walked', 'by', 'came', 'come', 'see', 'seen', 'show', 'me', 'anything',
  'and', 'to', 'gate', 'latest', 'time', 'past',
]);

const EN_NUMBERS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, forty: 40, 'forty-five': 45,
  fifty: 50, sixty: 60, few: 3, couple: 2,
};

const PL_NUMBERS: Record<string, number> = {
  jeden: 1, jedna: 1, jednej: 1, jednego: 1, dwie: 2, dwa: 2, dwoch: 2, dwu: 2, trzy: 3, trzech: 3,
  cztery: 4, czterech: 4, piec: 5, pieciu: 5, szesc: 6, szesciu: 6, siedem: 7, siedmiu: 7,
  osiem: 8, osmiu: 8, dziewiec: 9, dziewieciu: 9, dziesiec: 10, dziesieciu: 10, dwanascie: 12,
  dwunastu: 12, pietnascie: 15, pietnastu: 15, dwadziescia: 20, dwudziestu: 20, trzydziesci: 30,
  trzydziestu: 30, czterdziesci: 40, piecdziesiat: 50, kilka: 3, kilku: 3,
};

/** A number written as digits or as a small English/Polish number word, else null. */
export function parseNumberWord(word: string | undefined): number | null {
  if (!word) return null;
  if (/^\d+$/.test(word)) return Number(word);
  return EN_NUMBERS[word] ?? PL_NUMBERS[word] ?? null;
}

/** Regex alternation of every number word above, for building patterns. */
export const NUMBER_WORD_PATTERN = [...Object.keys(EN_NUMBERS), ...Object.keys(PL_NUMBERS)]
  .sort((a, b) => b.length - a.length)
  .join('|');

/** Weekday names, 0 = Sunday, folded. Polish in the forms used after "w"/"we" and as nominative. */
export const WEEKDAY_WORDS: Record<string, number> = {
  sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6,
  niedziela: 0, niedziele: 0, niedzieli: 0, poniedzialek: 1, poniedzialku: 1, wtorek: 2, wtorku: 2,
  sroda: 3, srode: 3, srody: 3, czwartek: 4, czwartku: 4, piatek: 5, piatku: 5, sobota: 6,
  sobote: 6, soboty: 6,
};
