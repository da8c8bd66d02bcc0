import type { AnalysedEvent, Direction, EventActivity } from '@cameramonit/contracts';

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

type Gender = 'masculine' | 'feminine' | 'neuter';

/** A Polish past-tense verb (or adjective) in the forms a subject with a number needs. */
interface PolishForms {
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
  gender: Gender;
}
/** How an object moves, in Polish: across, into, out of. */
interface PolishMotion {
  across: PolishForms;
  into: PolishForms;
  outOf: PolishForms;
}
interface Lexeme {
  en: { singular: string; plural: string; verb: string };
  pl: PolishNoun & { motion: PolishMotion };
}

const forms = (masculine: string, feminine: string, neuter: string, plural: string): PolishForms => ({ masculine, feminine, neuter, plural });
const walking: PolishMotion = {
  across: forms('przeszedł', 'przeszła', 'przeszło', 'przeszły'),
  into: forms('wszedł', 'weszła', 'weszło', 'weszły'),
  outOf: forms('wyszedł', 'wyszła', 'wyszło', 'wyszły'),
};
const driving: PolishMotion = {
  across: forms('przejechał', 'przejechała', 'przejechało', 'przejechały'),
  into: forms('wjechał', 'wjechała', 'wjechało', 'wjechały'),
  outOf: forms('wyjechał', 'wyjechała', 'wyjechało', 'wyjechały'),
};
const running: PolishMotion = {
  across: forms('przebiegł', 'przebiegła', 'przebiegło', 'przebiegły'),
  into: forms('wbiegł', 'wbiegła', 'wbiegło', 'wbiegły'),
  outOf: forms('wybiegł', 'wybiegła', 'wybiegło', 'wybiegły'),
};
const flying: PolishMotion = {
  across: forms('przeleciał', 'przeleciała', 'przeleciało', 'przeleciały'),
  into: forms('wleciał', 'wleciała', 'wleciało', 'wleciały'),
  outOf: forms('wyleciał', 'wyleciała', 'wyleciało', 'wyleciały'),
};
const moving: PolishMotion = {
  across: forms('przemieścił się', 'przemieściła się', 'przemieściło się', 'przemieściły się'),
  into: forms('przemieścił się', 'przemieściła się', 'przemieściło się', 'przemieściły się'),
  outOf: forms('przemieścił się', 'przemieściła się', 'przemieściło się', 'przemieściły się'),
};
const movedAbout = forms('poruszał się', 'poruszała się', 'poruszało się', 'poruszały się');
const was = forms('był', 'była', 'było', 'były');
const stayed = forms('został', 'została', 'zostało', 'zostały');
const parked = forms('zaparkował', 'zaparkowała', 'zaparkowało', 'zaparkowały');
const arrivedWithoutDirection = forms('przyjechał', 'przyjechała', 'przyjechało', 'przyjechały');
const droveOff = forms('odjechał', 'odjechała', 'odjechało', 'odjechały');
const stayedIn = forms('przebywał', 'przebywała', 'przebywało', 'przebywały');
/** "zaparkowany samochód", "2 zaparkowane samochody", "5 zaparkowanych samochodów" */
const parkedAdjective = { ...forms('zaparkowany', 'zaparkowana', 'zaparkowane', 'zaparkowane'), many: 'zaparkowanych' };

const lexicon: Record<string, Lexeme> = {
  person: { en: { singular: 'person', plural: 'people', verb: 'walked' }, pl: { one: 'osoba', few: 'osoby', many: 'osób', gender: 'feminine', motion: walking } },
  bicycle: { en: { singular: 'cyclist', plural: 'cyclists', verb: 'rode' }, pl: { one: 'rower', few: 'rowery', many: 'rowerów', gender: 'masculine', motion: driving } },
  car: { en: { singular: 'car', plural: 'cars', verb: 'drove' }, pl: { one: 'samochód', few: 'samochody', many: 'samochodów', gender: 'masculine', motion: driving } },
  motorcycle: { en: { singular: 'motorcycle', plural: 'motorcycles', verb: 'rode' }, pl: { one: 'motocykl', few: 'motocykle', many: 'motocykli', gender: 'masculine', motion: driving } },
  bus: { en: { singular: 'bus', plural: 'buses', verb: 'drove' }, pl: { one: 'autobus', few: 'autobusy', many: 'autobusów', gender: 'masculine', motion: driving } },
  truck: { en: { singular: 'truck', plural: 'trucks', verb: 'drove' }, pl: { one: 'ciężarówka', few: 'ciężarówki', many: 'ciężarówek', gender: 'feminine', motion: driving } },
  train: { en: { singular: 'train', plural: 'trains', verb: 'passed' }, pl: { one: 'pociąg', few: 'pociągi', many: 'pociągów', gender: 'masculine', motion: driving } },
  dog: { en: { singular: 'dog', plural: 'dogs', verb: 'ran' }, pl: { one: 'pies', few: 'psy', many: 'psów', gender: 'masculine', motion: running } },
  cat: { en: { singular: 'cat', plural: 'cats', verb: 'walked' }, pl: { one: 'kot', few: 'koty', many: 'kotów', gender: 'masculine', motion: walking } },
  horse: { en: { singular: 'horse', plural: 'horses', verb: 'walked' }, pl: { one: 'koń', few: 'konie', many: 'koni', gender: 'masculine', motion: walking } },
  bird: { en: { singular: 'bird', plural: 'birds', verb: 'flew' }, pl: { one: 'ptak', few: 'ptaki', many: 'ptaków', gender: 'masculine', motion: flying } },
};

function lexemeOf(label: string): Lexeme {
  return (
    lexicon[label] ?? {
      en: { singular: `object (${label})`, plural: `objects (${label})`, verb: 'moved' },
      pl: { one: `obiekt (${label})`, few: `obiekty (${label})`, many: `obiektów (${label})`, gender: 'masculine', motion: moving },
    }
  );
}

type Moving = Exclude<Direction, 'none'>;
/** "walked from right to left" */
const englishAcross: Record<Moving, string> = {
  'left-to-right': 'from left to right',
  'right-to-left': 'from right to left',
  'top-to-bottom': 'towards the camera',
  'bottom-to-top': 'away from the camera',
};
const polishAcross: Record<Moving, string> = {
  'left-to-right': 'z lewej do prawej',
  'right-to-left': 'z prawej do lewej',
  'top-to-bottom': 'w stronę kamery',
  'bottom-to-top': 'w głąb kadru',
};
/** where it came from: "drove in from the left", "wjechał z lewej strony" */
const englishOrigin: Record<Moving, string> = {
  'left-to-right': 'from the left',
  'right-to-left': 'from the right',
  'top-to-bottom': 'from the back of the picture',
  'bottom-to-top': 'from the camera side',
};
const polishOrigin: Record<Moving, string> = {
  'left-to-right': 'z lewej strony',
  'right-to-left': 'z prawej strony',
  'top-to-bottom': 'z głębi kadru',
  'bottom-to-top': 'od strony kamery',
};
/** where it went: "drove off to the right", "odjechał w prawą stronę" */
const englishExit: Record<Moving, string> = {
  'left-to-right': 'to the right',
  'right-to-left': 'to the left',
  'top-to-bottom': 'towards the camera',
  'bottom-to-top': 'away from the camera',
};
const polishExit: Record<Moving, string> = {
  'left-to-right': 'w prawą stronę',
  'right-to-left': 'w lewą stronę',
  'top-to-bottom': 'w stronę kamery',
  'bottom-to-top': 'w głąb kadru',
};

/** How the objects of an event relate to its main zone. */
export type ZoneRelation = 'into' | 'out-of' | 'in' | 'through';

export interface DescribableEvent extends Pick<AnalysedEvent, 'kind' | 'label' | 'count' | 'direction'> {
  /** default: passed (object events), loitered (loitering events) */
  activity?: EventActivity;
  /** the main zone and how the objects relate to it */
  zone?: { name: string; relation: ZoneRelation } | null;
  /** passed: the longest stop (said from 10 s on); left: how long it had been parked (null = unknown); loitered: the time in the zone */
  stayedSec?: number | null;
  /** loitering: the object is still there */
  open?: boolean;
  /** seconds the objects were in view: said of objects moving around without a direction from 20 s on */
  dwellSec?: number;
}

/** A stop this long or longer is worth saying ("and stayed 40 s"). */
export const sayStaySec = 10;

/** "40 s", "2 min", "1 h 20 min" (Polish: "1 godz. 20 min"). */
export function formatDuration(seconds: number, language: 'en' | 'pl'): string {
  const sec = Math.max(0, Math.round(seconds));
  if (sec < 60) return `${sec} s`;
  const minutes = Math.round(sec / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const h = language === 'pl' ? `${hours} godz.` : `${hours} h`;
  return rest > 0 ? `${h} ${rest} min` : h;
}

/** "1 osoba", "2 osoby", "5 osób", "22 samochody". */
export function formatPolishCount(count: number, label: string): string {
  const noun = lexemeOf(label).pl;
  return `${count} ${noun[polishCountForm(count)]}`;
}

/** "1 person", "2 people". */
export function formatEnglishCount(count: number, label: string): string {
  const noun = lexemeOf(label).en;
  return `${count} ${count === 1 ? noun.singular : noun.plural}`;
}

/** "the parking zone" (a name that already says zone or area is kept as it is: "the loading area"). */
export function englishZone(name: string): string {
  return /\b(zone|area)$/i.test(name) ? `the ${name}` : `the ${name} zone`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** The verb form that agrees with the subject: 1 -> the noun's gender; 2-4 -> plural; 5+ -> neuter singular ("5 osób przeszło"). */
function agree(verb: PolishForms, count: number, gender: Gender): string {
  const form = polishCountForm(count);
  return form === 'one' ? verb[gender] : form === 'few' ? verb.plural : verb.neuter;
}

/** Local, model-free sentences for an event, in English and Polish. */
export class EventDescriber {
  describe(event: DescribableEvent): { en: string; pl: string } {
    if (event.kind === 'motion') {
      if (event.zone) {
        return { en: `Motion in ${englishZone(event.zone.name)}, no object recognised`, pl: `Ruch w strefie „${event.zone.name}”, bez rozpoznanego obiektu` };
      }
      return { en: 'Motion detected, no object recognised', pl: 'Wykryto ruch, bez rozpoznanego obiektu' };
    }
    const activity = event.activity ?? (event.kind === 'loitering' ? 'loitered' : 'passed');
    const count = Math.max(1, event.count);
    const lexeme = lexemeOf(event.label);
    const english = { noun: lexeme.en, subject: count === 1 ? withArticle(lexeme.en.singular) : `${count} ${lexeme.en.plural}` };
    const noun = lexeme.pl;
    const form = polishCountForm(count);
    const polish = { noun, subject: form === 'one' ? noun.one : `${count} ${noun[form]}`, verb: (v: PolishForms) => agree(v, count, noun.gender) };
    let en: string;
    let pl: string;
    switch (activity) {
      case 'loitered': {
        const zone = event.zone?.name;
        const time = event.stayedSec ?? 0;
        const where = zone ? { en: `in ${englishZone(zone)}`, pl: `w strefie „${zone}”` } : { en: 'in view', pl: 'w kadrze' };
        if (event.open) {
          en = `${english.subject} ${count === 1 ? 'has' : 'have'} been ${where.en} for ${formatDuration(time, 'en')}`;
          const present = form === 'few' ? 'przebywają' : 'przebywa';
          pl = `${polish.subject} ${present} ${where.pl} od ${formatDuration(time, 'pl')}`;
        } else {
          en = `${english.subject} stayed ${where.en} for ${formatDuration(time, 'en')}`;
          pl = `${polish.subject} ${polish.verb(stayedIn)} ${where.pl} przez ${formatDuration(time, 'pl')}`;
        }
        break;
      }
      case 'arrived': {
        const zone = event.zone?.name;
        const inZone = zone ? { en: ` in ${englishZone(zone)}`, pl: ` w strefie „${zone}”` } : { en: '', pl: '' };
        if (event.direction === 'none') {
          en = `${english.subject} arrived and parked${inZone.en}`;
          pl = `${polish.subject} ${polish.verb(arrivedWithoutDirection)} i ${polish.verb(parked)}${inZone.pl}`;
        } else {
          en = `${english.subject} ${english.noun.verb} in ${englishOrigin[event.direction]} and parked${inZone.en}`;
          pl = `${polish.subject} ${polish.verb(noun.motion.into)} ${polishOrigin[event.direction]} i ${polish.verb(parked)}${inZone.pl}`;
        }
        break;
      }
      case 'left': {
        const zone = event.zone?.name;
        const adjective = form === 'many' ? parkedAdjective.many : agree(parkedAdjective, count, noun.gender);
        const subjectEn = count === 1 ? `a parked ${english.noun.singular}` : `${count} parked ${english.noun.plural}`;
        const subjectPl = form === 'one' ? `${adjective} ${noun.one}` : `${count} ${adjective} ${noun[form]}`;
        const fromZone = zone ? { en: ` from ${englishZone(zone)}`, pl: ` ze strefy „${zone}”` } : { en: '', pl: '' };
        const exit = event.direction === 'none' ? { en: '', pl: '' } : { en: ` ${englishExit[event.direction]}`, pl: ` ${polishExit[event.direction]}` };
        const after =
          event.stayedSec !== null && event.stayedSec !== undefined && event.stayedSec >= sayStaySec
            ? { en: ` after ${formatDuration(event.stayedSec, 'en')}`, pl: ` po ${formatDuration(event.stayedSec, 'pl')}` }
            : { en: '', pl: '' };
        en = `${subjectEn} drove off${fromZone.en}${exit.en}${after.en}`;
        pl = `${subjectPl} ${polish.verb(droveOff)}${fromZone.pl}${exit.pl}${after.pl}`;
        break;
      }
      default: {
        const stay = (event.stayedSec ?? 0) >= sayStaySec ? event.stayedSec ?? 0 : null;
        const zone = event.zone ?? null;
        if (event.direction === 'none') {
          const where = zone ? { en: ` in ${englishZone(zone.name)}`, pl: `w strefie „${zone.name}”` } : { en: '', pl: 'w kadrze' };
          // mostly standing: "stayed"; otherwise moving about, for how long when that was a while
          if (stay !== null && stay >= 0.5 * (event.dwellSec ?? 0)) {
            en = `${english.subject} stayed${where.en} for ${formatDuration(stay, 'en')}`;
            pl = `${polish.subject} ${polish.verb(was)} ${where.pl} przez ${formatDuration(stay, 'pl')}`;
          } else {
            const long = (event.dwellSec ?? 0) >= 20 ? { en: ` for ${formatDuration(event.dwellSec ?? 0, 'en')}`, pl: ` przez ${formatDuration(event.dwellSec ?? 0, 'pl')}` } : { en: '', pl: '' };
            en = `${english.subject} ${count === 1 ? 'was' : 'were'} moving around${where.en}${long.en}`;
            pl = `${polish.subject} ${polish.verb(movedAbout)} ${where.pl}${long.pl}`;
          }
          break;
        }
        const direction = event.direction;
        if (zone?.relation === 'into') {
          en = `${english.subject} ${english.noun.verb} ${englishOrigin[direction]} into ${englishZone(zone.name)}`;
          pl = `${polish.subject} ${polish.verb(noun.motion.into)} ${polishOrigin[direction]} do strefy „${zone.name}”`;
        } else if (zone?.relation === 'out-of') {
          en = `${english.subject} ${english.noun.verb} out of ${englishZone(zone.name)} ${englishExit[direction]}`;
          pl = `${polish.subject} ${polish.verb(noun.motion.outOf)} ze strefy „${zone.name}” ${polishExit[direction]}`;
        } else {
          const where = !zone
            ? { en: '', pl: '' }
            : zone.relation === 'through'
              ? { en: ` through ${englishZone(zone.name)}`, pl: ` przez strefę „${zone.name}”` }
              : { en: ` in ${englishZone(zone.name)}`, pl: ` w strefie „${zone.name}”` };
          en = `${english.subject} ${english.noun.verb} ${englishAcross[direction]}${where.en}`;
          pl = `${polish.subject} ${polish.verb(noun.motion.across)} ${polishAcross[direction]}${where.pl}`;
        }
        if (stay !== null) {
          en += ` and stayed ${formatDuration(stay, 'en')}`;
          pl += ` i ${polish.verb(stayed)} tam przez ${formatDuration(stay, 'pl')}`;
        }
      }
    }
    return { en: capitalise(en), pl: capitalise(pl) };
  }
}
