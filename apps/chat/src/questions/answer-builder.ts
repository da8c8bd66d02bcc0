/**
 * Builds the chat answer to a parsed question from stored events, in the question's language,
 * with correct Polish plurals and local HH:MM times.
 */
import type { ParsedQuestion, QuestionLanguage, TimePeriod, DayRef, ClockTime } from './question-parser.js';
import { formatClock, pad2, processTimeZone, zonedDaysAgo, zonedParts } from './zoned-time.js';

export interface AnswerEvent {
  id: string;
  label: string;
  /** How many objects of the label the event holds (0 is read as 1). */
  count: number;
  startedAt: Date;
  endedAt: Date;
  summary: string;
  summaryPl: string;
}

export interface Answer {
  text: string;
  /** Events whose animations the chat shows under the answer, newest first. */
  eventIds: string[];
}

export interface BuildAnswerOptions {
  /** Zone the times are written in; default: the process zone (TZ). */
  timeZone?: string;
  /** "Today" / "yesterday" are relative to this; default: the current time. */
  now?: Date;
  /** How many events the answer lists (default 5). */
  listLimit?: number;
}

// ---------------------------------------------------------------- filtering

/**
 * The events that answer the question: overlapping [from, to] and of one of its labels,
 * newest first. Pure; the caller may also filter in the database with the same rule.
 */
export function filterEvents<T extends Pick<AnswerEvent, 'label' | 'startedAt' | 'endedAt'>>(
  q: Pick<ParsedQuestion, 'labels' | 'from' | 'to'>,
  events: readonly T[],
): T[] {
  return events
    .filter((event) => q.labels.length === 0 || q.labels.includes(event.label))
    .filter((event) => !q.from || event.endedAt.getTime() >= q.from.getTime())
    .filter((event) => !q.to || event.startedAt.getTime() <= q.to.getTime())
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

// ---------------------------------------------------------------- words

/** Polish plural category of a count: 1 osoba, 2-4 osoby (but 12-14 osób), 5+ osób. */
export function polishPluralForm(n: number): 'one' | 'few' | 'many' {
  const abs = Math.abs(n);
  if (abs === 1) return 'one';
  const lastDigit = abs % 10;
  const lastTwo = abs % 100;
  if (lastDigit >= 2 && lastDigit <= 4 && (lastTwo < 12 || lastTwo > 14)) return 'few';
  return 'many';
}

/** "1 osoba", "2 osoby", "5 osób" from the three forms. */
export function polishCount(n: number, forms: readonly [one: string, few: string, many: string]): string {
  const form = polishPluralForm(n);
  return `${n} ${form === 'one' ? forms[0] : form === 'few' ? forms[1] : forms[2]}`;
}

interface PolishNoun {
  /** nominative singular, nominative plural (2-4), genitive plural (5+, "nie było ...") */
  forms: [string, string, string];
  /** accusative singular ("widziano samochód", "widziano osobę") */
  accusative: string;
}

const EN_NOUNS: Record<string, [string, string]> = {
  person: ['person', 'people'],
  car: ['car', 'cars'],
  truck: ['truck', 'trucks'],
  bus: ['bus', 'buses'],
  bicycle: ['bicycle', 'bicycles'],
  motorcycle: ['motorcycle', 'motorcycles'],
  dog: ['dog', 'dogs'],
  cat: ['cat', 'cats'],
  bird: ['bird', 'birds'],
  horse: ['horse', 'horses'],
  backpack: ['backpack', 'backpacks'],
  umbrella: ['umbrella', 'umbrellas'],
  suitcase: ['suitcase', 'suitcases'],
  handbag: ['handbag', 'handbags'],
};

const PL_NOUNS: Record<string, PolishNoun> = {
  person: { forms: ['osoba', 'osoby', 'osób'], accusative: 'osobę' },
  car: { forms: ['samochód', 'samochody', 'samochodów'], accusative: 'samochód' },
  truck: { forms: ['ciężarówka', 'ciężarówki', 'ciężarówek'], accusative: 'ciężarówkę' },
  bus: { forms: ['autobus', 'autobusy', 'autobusów'], accusative: 'autobus' },
  bicycle: { forms: ['rower', 'rowery', 'rowerów'], accusative: 'rower' },
  motorcycle: { forms: ['motocykl', 'motocykle', 'motocykli'], accusative: 'motocykl' },
  dog: { forms: ['pies', 'psy', 'psów'], accusative: 'psa' },
  cat: { forms: ['kot', 'koty', 'kotów'], accusative: 'kota' },
  bird: { forms: ['ptak', 'ptaki', 'ptaków'], accusative: 'ptaka' },
  horse: { forms: ['koń', 'konie', 'koni'], accusative: 'konia' },
  backpack: { forms: ['plecak', 'plecaki', 'plecaków'], accusative: 'plecak' },
  umbrella: { forms: ['parasol', 'parasole', 'parasoli'], accusative: 'parasol' },
  suitcase: { forms: ['walizka', 'walizki', 'walizek'], accusative: 'walizkę' },
  handbag: { forms: ['torebka', 'torebki', 'torebek'], accusative: 'torebkę' },
};

const PL_EVENTS: [string, string, string] = ['zdarzenie', 'zdarzenia', 'zdarzeń'];

export function enNoun(label: string, n: number): string {
  const [one, many] = EN_NOUNS[label] ?? [label, `${label}s`];
  return n === 1 ? one : many;
}

export function plNoun(label: string): PolishNoun {
  return PL_NOUNS[label] ?? { forms: [label, label, label], accusative: label };
}

export function countOf(lang: QuestionLanguage, label: string, n: number): string {
  return lang === 'en' ? `${n} ${enNoun(label, n)}` : polishCount(n, plNoun(label).forms);
}

export function eventsCount(lang: QuestionLanguage, n: number): string {
  return lang === 'en' ? `${n} ${n === 1 ? 'event' : 'events'}` : polishCount(n, PL_EVENTS);
}

/** "a, b and c" / "a, b i c" (or with "or" / "ani"). */
export function joinList(items: readonly string[], last: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------- time phrases

const EN_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const PL_WEEKDAYS = ['w niedzielę', 'w poniedziałek', 'we wtorek', 'w środę', 'w czwartek', 'w piątek', 'w sobotę'];
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clockText(time: ClockTime): string {
  return `${pad2(time.hour)}:${pad2(time.minute)}`;
}

function dayText(lang: QuestionLanguage, day: DayRef | null): string {
  if (!day) return '';
  if (day === 'today') return lang === 'en' ? 'today' : 'dzisiaj';
  if (day === 'yesterday') return lang === 'en' ? 'yesterday' : 'wczoraj';
  return lang === 'en' ? `on ${EN_WEEKDAYS[day.weekday]}` : (PL_WEEKDAYS[day.weekday] ?? '');
}

function partText(lang: QuestionLanguage, day: DayRef | null, part: NonNullable<Extract<TimePeriod, { kind: 'day' }>['part']>): string {
  const named = day && day !== 'today' ? dayText(lang, day) : '';
  if (lang === 'en') {
    if (part === 'night') return day === 'yesterday' ? 'last night' : named ? `${named} night` : 'tonight';
    const word = part === 'morning' ? 'morning' : part === 'afternoon' ? 'afternoon' : 'evening';
    if (day === 'yesterday') return `yesterday ${word}`;
    return named ? `${named} ${word}` : `this ${word}`;
  }
  if (part === 'night') return day === 'yesterday' ? 'zeszłej nocy' : named ? `${named} w nocy` : 'tej nocy';
  const word = part === 'morning' ? 'rano' : part === 'afternoon' ? 'po południu' : 'wieczorem';
  return `${named || 'dzisiaj'} ${word}`;
}

/** The time phrase of the question for the answer ("in the last hour", "w ostatniej godzinie"). */
export function describePeriod(lang: QuestionLanguage, period: TimePeriod | null | undefined): string {
  if (!period) return '';
  switch (period.kind) {
    case 'recent': {
      const { amount, unit } = period;
      if (lang === 'en') return amount === 1 ? `in the last ${unit}` : `in the last ${amount} ${unit}s`;
      if (amount === 1) {
        return { minute: 'w ostatniej minucie', hour: 'w ostatniej godzinie', day: 'w ostatniej dobie', week: 'w ostatnim tygodniu' }[unit];
      }
      return `w ciągu ostatnich ${amount} ${{ minute: 'minut', hour: 'godzin', day: 'dni', week: 'tygodni' }[unit]}`;
    }
    case 'week':
      return lang === 'en' ? 'this week' : 'w tym tygodniu';
    case 'day':
      return period.part ? partText(lang, period.day, period.part) : dayText(lang, period.day);
    case 'after':
    case 'before':
    case 'since': {
      const words = lang === 'en' ? { after: 'after', before: 'before', since: 'since' } : { after: 'po', before: 'przed', since: 'od' };
      return [dayText(lang, period.day), `${words[period.kind]} ${clockText(period.time)}`].filter(Boolean).join(' ');
    }
    case 'between': {
      const range =
        lang === 'en'
          ? `between ${clockText(period.start)} and ${clockText(period.end)}`
          : `między ${clockText(period.start)} a ${clockText(period.end)}`;
      return [dayText(lang, period.day), range].filter(Boolean).join(' ');
    }
  }
}

/** When an event happened, relative to now: "14:32", "yesterday 14:32", "12 Mar 14:32". */
export function shortWhen(lang: QuestionLanguage, date: Date, now: Date, timeZone: string): string {
  const clock = formatClock(date, timeZone);
  const daysAgo = zonedDaysAgo(date, now, timeZone);
  if (daysAgo === 0) return clock;
  if (daysAgo === 1) return `${lang === 'en' ? 'yesterday' : 'wczoraj'} ${clock}`;
  const p = zonedParts(date, timeZone);
  return lang === 'en' ? `${p.day} ${EN_MONTHS[p.month - 1]} ${clock}` : `${pad2(p.day)}.${pad2(p.month)} ${clock}`;
}

/** "today at 14:32", "dziś o 14:32", "on 12 Mar at 14:32", "12.03 o 14:32". */
export function atWhen(lang: QuestionLanguage, date: Date, now: Date, timeZone: string): string {
  const clock = formatClock(date, timeZone);
  const daysAgo = zonedDaysAgo(date, now, timeZone);
  const p = zonedParts(date, timeZone);
  if (lang === 'en') {
    if (daysAgo === 0) return `today at ${clock}`;
    if (daysAgo === 1) return `yesterday at ${clock}`;
    return `on ${p.day} ${EN_MONTHS[p.month - 1]} at ${clock}`;
  }
  if (daysAgo === 0) return `dziś o ${clock}`;
  if (daysAgo === 1) return `wczoraj o ${clock}`;
  return `${pad2(p.day)}.${pad2(p.month)} o ${clock}`;
}

// ---------------------------------------------------------------- answers

export function helpText(lang: QuestionLanguage, cameraName: string): string {
  if (lang === 'pl') {
    return [
      `Odpowiadam na pytania o to, co widziała kamera ${cameraName}. Zapytaj na przykład:`,
      '• Co się działo w ostatniej godzinie?',
      '• Czy był dzisiaj samochód?',
      '• Ile osób przeszło od 14:30?',
      '• Kiedy ostatnio był pies?',
      '• Czy ktoś był przy bramie po 22:00?',
      'Możesz też przeciągnąć tu plik wideo, żeby go przeanalizować.',
    ].join('\n');
  }
  return [
    `I answer questions about what ${cameraName} has seen. Try for example:`,
    '• What happened in the last hour?',
    '• Was there a car today?',
    '• How many people walked by since 14:30?',
    '• When was the last dog?',
    '• Was anyone at the gate after 22:00?',
    'You can also drop a video file here to have it analysed.',
  ].join('\n');
}

/** Objects per label in the events, in the question's label order, else most frequent first. */
function tally(q: ParsedQuestion, events: readonly AnswerEvent[]): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const event of events) totals.set(event.label, (totals.get(event.label) ?? 0) + Math.max(1, event.count));
  const entries = [...totals.entries()];
  if (q.labels.length > 0) {
    const rank = (label: string) => (q.labels.includes(label) ? q.labels.indexOf(label) : q.labels.length);
    return entries.sort((a, b) => rank(a[0]) - rank(b[0]));
  }
  return entries.sort((a, b) => b[1] - a[1]);
}

export function tallyText(lang: QuestionLanguage, totals: ReadonlyArray<[string, number]>): string {
  return joinList(
    totals.map(([label, n]) => countOf(lang, label, n)),
    lang === 'en' ? 'and' : 'i',
  );
}

export function noEventsText(q: ParsedQuestion, cameraName: string): string {
  const period = describePeriod(q.language, q.period);
  const onlyPeople = q.labels.length === 1 && q.labels[0] === 'person';
  if (q.language === 'en') {
    if (q.labels.length === 0) return period ? `Nothing happened ${period}.` : `${cameraName} has not recorded anything yet.`;
    const what = onlyPeople ? 'one' : joinList(q.labels.map((label) => enNoun(label, 2)), 'or');
    return period ? `No ${what} ${period}.` : `${cameraName} has not seen any ${onlyPeople ? 'people' : what} yet.`;
  }
  if (q.labels.length === 0) {
    return period ? `${capitalize(period)} nic się nie działo.` : `Kamera ${cameraName} jeszcze nic nie zarejestrowała.`;
  }
  const what = onlyPeople ? 'nikogo' : joinList(q.labels.map((label) => plNoun(label).forms[2]), 'ani');
  return period ? `${capitalize(period)} nie było ${what}.` : `Kamera ${cameraName} nie widziała jeszcze ${what}.`;
}

export function summaryOf(lang: QuestionLanguage, event: AnswerEvent): string {
  return (lang === 'pl' ? event.summaryPl || event.summary : event.summary || event.summaryPl).trim();
}

function eventLines(
  lang: QuestionLanguage,
  events: readonly AnswerEvent[],
  limit: number,
  now: Date,
  timeZone: string,
): string[] {
  const lines = events.slice(0, limit).map((event) => `• ${shortWhen(lang, event.startedAt, now, timeZone)} — ${summaryOf(lang, event)}`);
  const more = events.length - limit;
  if (more > 0) lines.push(lang === 'en' ? `…and ${eventsCount('en', more).replace(/events?$/, 'more')}.` : `…i jeszcze ${eventsCount('pl', more)}.`);
  return lines;
}

export function buildAnswer(
  q: ParsedQuestion,
  events: readonly AnswerEvent[],
  cameraName: string,
  options: BuildAnswerOptions = {},
): Answer {
  const lang = q.language;
  const timeZone = options.timeZone ?? processTimeZone();
  const now = options.now ?? new Date();
  const limit = options.listLimit ?? 5;

  if (q.intent === 'help') return { text: helpText(lang, cameraName), eventIds: [] };

  const sorted = [...events].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const newest = sorted[0];
  if (!newest) return { text: noEventsText(q, cameraName), eventIds: [] };

  const period = describePeriod(lang, q.period);
  const listed = sorted.slice(0, limit);
  const ids = listed.map((event) => event.id);
  const lines = eventLines(lang, sorted, limit, now, timeZone);
  const totals = tally(q, sorted);
  const objects = tallyText(lang, totals);
  const nEvents = eventsCount(lang, sorted.length);
  const when = atWhen(lang, newest.startedAt, now, timeZone);

  let head: string;
  switch (q.intent) {
    case 'last': {
      const summary = summaryOf(lang, newest);
      if (lang === 'en') {
        const what = q.labels.length > 0 ? enNoun(newest.label, 1) : 'event';
        head = `The last ${what} was seen ${when}${period ? ` (${period})` : ''}.`;
      } else {
        head = q.labels.length > 0 ? `Ostatnio widziano ${plNoun(newest.label).accusative} ${when}.` : `Ostatnie zdarzenie: ${when}.`;
      }
      const line = `• ${shortWhen(lang, newest.startedAt, now, timeZone)} — ${summary}`;
      return { text: [head, line].join('\n'), eventIds: [newest.id] };
    }
    case 'count':
      head =
        lang === 'en'
          ? `${capitalize(objects)} ${period || 'in total'} (${nEvents}).`
          : `${capitalize(period || 'łącznie')}: ${objects} (${nEvents}).`;
      break;
    case 'exists':
      head =
        lang === 'en'
          ? `Yes: ${objects}${period ? ` ${period}` : ''}, the last ${when}.`
          : `Tak. ${period ? `${capitalize(period)}: ` : ''}${objects}, ostatnio ${when}.`;
      break;
    case 'summary':
    default:
      head =
        lang === 'en'
          ? `${period ? `${capitalize(period)}, ` : ''}${cameraName} recorded ${nEvents}: ${objects}.`
          : `${period ? `${capitalize(period)} k` : 'K'}amera ${cameraName} zarejestrowała ${nEvents}: ${objects}.`;
  }
  return { text: [head, ...lines].join('\n'), eventIds: ids };
}
