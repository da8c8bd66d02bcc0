/**
 * Turns a customer's chat question (English or Polish) into a structured query over stored
 * events: what they want to know (intent), about which objects (COCO labels) and when
 * (a local-time range). Rule based, no language model.
 */
import {
  ENGLISH_WORDS,
  foldText,
  isPolishLabelWord,
  labelsForWord,
  NUMBER_WORD_PATTERN,
  parseNumberWord,
  POLISH_WORDS,
  WEEKDAY_WORDS,
  type Language,
} from './question-vocabulary.js';
import { processTimeZone, startOfZonedDay, zonedClock, zonedParts } from './zoned-time.js';

export type QuestionLanguage = Language;
export type QuestionIntent = 'summary' | 'exists' | 'count' | 'last' | 'help';

export interface ClockTime {
  hour: number;
  minute: number;
}

/** Morning 05-12, afternoon 12-18, evening 18-24, night 20-06 (local time). */
export type DayPart = 'morning' | 'afternoon' | 'evening' | 'night';

/** A day named in the question: today, yesterday or the most recent given weekday (0 = Sunday). */
export type DayRef = 'today' | 'yesterday' | { weekday: number };

/** The time phrase as the customer said it; `from`/`to` are its resolution against `now`. */
export type TimePeriod =
  | { kind: 'recent'; amount: number; unit: 'minute' | 'hour' | 'day' | 'week' }
  /** the calendar week so far (from Monday 00:00 local) */
  | { kind: 'week' }
  | { kind: 'day'; day: DayRef | null; part: DayPart | null }
  | { kind: 'after' | 'before' | 'since'; day: DayRef | null; time: ClockTime }
  | { kind: 'between'; day: DayRef | null; start: ClockTime; end: ClockTime };

export interface ParsedQuestion {
  language: QuestionLanguage;
  intent: QuestionIntent;
  /** COCO labels (person, car, truck, bus, bicycle, motorcycle, dog, cat, ...); empty = any. */
  labels: string[];
  /** Inclusive start of the asked range, null = no lower bound. */
  from: Date | null;
  /** End of the asked range (never after `now`), null = no upper bound. */
  to: Date | null;
  /** The time phrase behind from/to, so answers can repeat it ("in the last hour"). */
  period?: TimePeriod | null;
}

export interface ParseQuestionOptions {
  /** IANA zone the times in the question are meant in; default: the process zone (TZ). */
  timeZone?: string;
  /** Language for questions with no clue either way ("?", "car?"); default 'en'. */
  defaultLanguage?: QuestionLanguage;
}

export function parseQuestion(text: string, now: Date, options: ParseQuestionOptions = {}): ParsedQuestion {
  const timeZone = options.timeZone ?? processTimeZone();
  const folded = foldText(text);
  const words = folded.split(/[^a-z0-9]+/).filter(Boolean);
  const language = detectLanguage(text, words, options.defaultLanguage ?? 'en');
  const labels = findLabels(words, language);
  const period = findPeriod(folded);
  const range = period ? resolvePeriod(period, now, timeZone) : { from: null, to: null };
  const intent = detectIntent(folded, words, labels, language);
  return { language, intent, labels, from: range.from, to: range.to, period };
}

// ---------------------------------------------------------------- language

const POLISH_LETTERS = /[ąćęłńóśźż]/i;

export function detectLanguage(text: string, words: readonly string[], fallback: Language = 'en'): Language {
  let polish = POLISH_LETTERS.test(text) ? 3 : 0;
  let english = 0;
  for (const word of words) {
    if (POLISH_WORDS.has(word) || isPolishLabelWord(word)) polish += 1;
    if (ENGLISH_WORDS.has(word)) english += 1;
  }
  if (polish === english) return fallback;
  return polish > english ? 'pl' : 'en';
}

// ---------------------------------------------------------------- labels

function findLabels(words: readonly string[], language: Language): string[] {
  const labels: string[] = [];
  for (const word of words) {
    for (const label of labelsForWord(word, language)) if (!labels.includes(label)) labels.push(label);
  }
  return labels;
}

// ---------------------------------------------------------------- intent

const HELP =
  /^[\s?!.]*$|^\/?(help|pomoc|pomocy|instrukcja)\b|\bwhat can (i|you) (ask|do)\b|\bhow does (this|it) work\b|\bco (moge|mozna) (zapytac|pytac)\b|\bco umiesz\b|\bjak (to )?dziala\b/;
const COUNT = /\bhow (many|much|often)\b|\bnumber of\b|\bcount\b|\bile\b|\bliczba\b|\bpolicz\b|\bjak (czesto|wiele)\b/;
const LAST =
  /\bwhen\b|\blast time\b|\blatest\b|\bmost recent\b|\bkiedy\b|\bostatni raz\b|\bo ktorej\b|\bo jakiej godzinie\b|\bwhat time\b/;
const SUMMARY =
  /\bwhat\b.*\bhappen|\bwhat'?s (new|up|going on)\b|\bwhat (was|did|went) on\b|\bsummar|\boverview\b|\bco sie (dzialo|stalo|dzieje|wydarzylo)\b|\bco nowego\b|\bpodsumu|\bco slychac\b|\bco bylo\b/;
const EXISTS_START =
  /^(was|were|is|are|did|does|do|has|have|had|any|anyone|anybody|someone|somebody|anything|something|czy|byl|byla|bylo|byly|jest|ktos|cos|pojawil|przyjechal|przeszedl)\b/;
const EXISTS_ANYWHERE = /\b(was|were|is) there\b|\bczy\b|\bany(one|body|thing)?\b|\bktos\b/;
const LAST_WORDS = new Set(['last', 'latest', 'ostatni', 'ostatnia', 'ostatnie', 'ostatniego', 'ostatnim']);

function detectIntent(
  folded: string,
  words: readonly string[],
  labels: readonly string[],
  language: Language,
): QuestionIntent {
  if (HELP.test(folded)) return 'help';
  if (COUNT.test(folded)) return 'count';
  if (LAST.test(folded)) return 'last';
  // "the last car", "ostatni samochód" (but not "the last hour", "ostatnia godzina")
  for (let i = 0; i + 1 < words.length; i++) {
    if (LAST_WORDS.has(words[i] ?? '') && labelsForWord(words[i + 1] ?? '', language).length > 0) return 'last';
  }
  if (SUMMARY.test(folded)) return 'summary';
  if (EXISTS_START.test(folded) || EXISTS_ANYWHERE.test(folded)) return 'exists';
  // "car?", "samochód dzisiaj?"
  if (labels.length > 0 && folded.endsWith('?')) return 'exists';
  return 'summary';
}

// ---------------------------------------------------------------- time phrases

/** A clock time; three groups: hour, minute, am/pm. */
const CLOCK =
  String.raw`(?:(?:godz(?:ina|iny|inie|ine|\.)?|o)\s*)?(\d{1,2})(?:[:.](\d{2}))?(?:\s*-?\s*(?:ej|tej|ciej|giej|mej))?(?:\s*(am|pm|a\.m\.|p\.m\.))?(?:\s*o'?clock)?(?![\d:])`;

const BETWEEN = [
  new RegExp(String.raw`\bbetween\s+${CLOCK}\s+(?:and|&)\s+${CLOCK}`),
  new RegExp(String.raw`\bfrom\s+${CLOCK}\s+(?:to|till|until|-)\s+${CLOCK}`),
  new RegExp(String.raw`\b(?:miedzy|pomiedzy)\s+${CLOCK}\s+(?:a|i|-)\s+${CLOCK}`),
  new RegExp(String.raw`\bod\s+${CLOCK}\s+do\s+${CLOCK}`),
  new RegExp(String.raw`\b(\d{1,2}):(\d{2})()\s*[-–]\s*(\d{1,2}):(\d{2})()`),
];
const AFTER = [new RegExp(String.raw`\bafter\s+${CLOCK}`), new RegExp(String.raw`\bpo\s+${CLOCK}`)];
const BEFORE = [new RegExp(String.raw`\bbefore\s+${CLOCK}`), new RegExp(String.raw`\bprzed\s+${CLOCK}`)];
const SINCE = [
  new RegExp(String.raw`\bsince\s+${CLOCK}`),
  new RegExp(String.raw`\bfrom\s+${CLOCK}`),
  new RegExp(String.raw`\bod\s+${CLOCK}`),
];

const NUM = String.raw`(\d+|${NUMBER_WORD_PATTERN})`;
const RECENT_EN = new RegExp(
  String.raw`\b(?:last|past|previous|recent)\s+(?:${NUM}\s+)?(?:of\s+)?(minutes?|mins?|hours?|hrs?|h|days?|weeks?)\b`,
);
const RECENT_EN_DIGITS = new RegExp(String.raw`\b(?:last|past|within)\s+(\d+)\s*(h|m|min|d)\b`);
const RECENT_PL = new RegExp(
  String.raw`\b(?:ostatni\w*|minion\w*|w ciagu)\s+(?:${NUM}\s+)?(minut\w*|godzin\w*|dni|dzien|dnia|dob\w*|tydzien|tygodni\w*)`,
);
const HALF_HOUR = /\bhalf (?:an )?hour\b|\bpol godziny\b/;
const QUARTER_HOUR = /\bquarter (?:of an )?hour\b|\bkwadrans\w*/;

const LAST_NIGHT = /\blast night\b|\b(?:zeszlej|ostatniej|wczorajszej|poprzedniej) nocy\b|\bwczoraj w nocy\b/;
const NIGHT = /\btonight\b|\b(?:this|at|during the|in the) night\b|\bovernight\b|\bw nocy\b|\bnoca\b|\b(?:tej|dzisiejszej) nocy\b/;
const MORNING = /\bmorning\b|\brano\b|\brankiem\b|\bprzed poludniem\b/;
const AFTERNOON = /\bafternoon\b|\bpo poludniu\b/;
const EVENING = /\bevening\b|\bwieczor\w*\b/;
const YESTERDAY = /\byesterday\b|\bwczoraj\w*/;
const THIS_WEEK = /\bthis week\b|\bw tym tygodniu\b|\bten tydzien\b|\btego tygodnia\b|\bbiezac\w* tydzien\b|\bbiezacego tygodnia\b/;
/** "podsumuj dzień", "summarise the day": today */
const DAY_SUMMARY = /\b(?:podsumu\w*|summar\w*)\s+(?:the\s+|of\s+the\s+)?(?:dnia|dzien|day)\b/;
const TODAY = /\btoday\b|\bdzisiaj\b|\bdzis\b|\bdzisiejsz\w*|\bthis (?:morning|afternoon|evening)\b/;

function unitOf(word: string): 'minute' | 'hour' | 'day' | 'week' {
  if (/^(min|m$)/.test(word)) return 'minute';
  if (/^(h|godzin)/.test(word)) return 'hour';
  if (/^(week|tydz|tygod)/.test(word)) return 'week';
  return 'day';
}

function clockOf(hourText: string | undefined, minuteText: string | undefined, meridiem: string | undefined): ClockTime | null {
  let hour = Number(hourText);
  const minute = minuteText ? Number(minuteText) : 0;
  if (!Number.isInteger(hour) || hour > 24 || minute > 59) return null;
  if (meridiem?.startsWith('p') && hour < 12) hour += 12;
  if (meridiem?.startsWith('a') && hour === 12) hour = 0;
  return { hour: hour % 24, minute };
}

function findDay(folded: string): DayRef | null {
  if (YESTERDAY.test(folded)) return 'yesterday';
  if (TODAY.test(folded)) return 'today';
  const weekday = folded.split(/[^a-z]+/).find((word) => word in WEEKDAY_WORDS);
  if (weekday) return { weekday: WEEKDAY_WORDS[weekday] ?? 0 };
  return null;
}

function findPart(folded: string): DayPart | null {
  if (NIGHT.test(folded) || LAST_NIGHT.test(folded)) return 'night';
  if (MORNING.test(folded)) return 'morning';
  if (AFTERNOON.test(folded)) return 'afternoon';
  if (EVENING.test(folded)) return 'evening';
  return null;
}

/** The time phrase of a folded question, or null when it names no time. */
export function findPeriod(folded: string): TimePeriod | null {
  // "po południu" must not read as "after <clock>", "przed południem" not as "before <clock>".
  const text = folded.replace(/\bpo poludniu\b/g, ' afternoon ').replace(/\bprzed poludniem\b/g, ' morning ');
  const day = LAST_NIGHT.test(text) ? 'yesterday' : findDay(text);

  for (const pattern of BETWEEN) {
    const m = text.match(pattern);
    const start = m && clockOf(m[1], m[2], m[3] || m[6]);
    const end = m && clockOf(m[4], m[5], m[6]);
    if (start && end) return { kind: 'between', day, start, end };
  }
  for (const [kind, patterns] of [['after', AFTER], ['before', BEFORE], ['since', SINCE]] as const) {
    for (const pattern of patterns) {
      const m = text.match(pattern);
      const time = m && clockOf(m[1], m[2], m[3]);
      if (time) return { kind, day, time };
    }
  }
  if (THIS_WEEK.test(text)) return { kind: 'week' };
  if (HALF_HOUR.test(text)) return { kind: 'recent', amount: 30, unit: 'minute' };
  if (QUARTER_HOUR.test(text)) return { kind: 'recent', amount: 15, unit: 'minute' };
  const recent = text.match(RECENT_EN) ?? text.match(RECENT_PL);
  if (recent) {
    return { kind: 'recent', amount: parseNumberWord(recent[1]) ?? 1, unit: unitOf(recent[2] ?? 'hour') };
  }
  const recentDigits = text.match(RECENT_EN_DIGITS);
  if (recentDigits) return { kind: 'recent', amount: Number(recentDigits[1]), unit: unitOf(recentDigits[2] ?? 'h') };

  const part = findPart(text);
  if (day || part) return { kind: 'day', day, part };
  if (DAY_SUMMARY.test(text)) return { kind: 'day', day: 'today', part: null };
  return null;
}

// ---------------------------------------------------------------- resolution

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
const PARTS: Record<DayPart, [number, number]> = {
  morning: [5, 12],
  afternoon: [12, 18],
  evening: [18, 24],
  night: [20, 30],
};

function dayOffsetOf(day: DayRef, now: Date, timeZone: string): number {
  if (day === 'today') return 0;
  if (day === 'yesterday') return -1;
  return -((zonedParts(now, timeZone).weekday - day.weekday + 7) % 7);
}

/** The local-time range a time phrase means at `now`; never reaching past `now`. */
export function resolvePeriod(period: TimePeriod, now: Date, timeZone: string): { from: Date; to: Date } {
  const clock = (offset: number, hour: number, minute = 0) => zonedClock(now, timeZone, offset, hour, minute);
  const cap = (range: { from: Date; to: Date }) => {
    const to = range.to.getTime() > now.getTime() ? now : range.to;
    return { from: range.from, to: to.getTime() < range.from.getTime() ? range.from : to };
  };
  // A day the question does not name is the most recent one in which the time has begun:
  // "after 22:00" asked at 07:00 means last night.
  const pick = (day: DayRef | null, build: (offset: number) => { from: Date; to: Date }) => {
    if (day && !(day === 'today' && period.kind === 'day' && period.part === 'night')) {
      return cap(build(dayOffsetOf(day, now, timeZone)));
    }
    const today = build(0);
    return cap(today.from.getTime() > now.getTime() ? build(-1) : today);
  };

  switch (period.kind) {
    case 'recent':
      return { from: new Date(now.getTime() - period.amount * UNIT_MS[period.unit]), to: now };
    case 'week':
      return { from: startOfZonedDay(now, timeZone, -((zonedParts(now, timeZone).weekday + 6) % 7)), to: now };
    case 'day': {
      const part = period.part;
      if (!part) {
        const offset = period.day ? dayOffsetOf(period.day, now, timeZone) : 0;
        return cap({ from: startOfZonedDay(now, timeZone, offset), to: startOfZonedDay(now, timeZone, offset + 1) });
      }
      const [start, end] = PARTS[part];
      return pick(period.day, (offset) => ({ from: clock(offset, start), to: clock(offset, end) }));
    }
    case 'after':
      return pick(period.day, (offset) => ({
        from: clock(offset, period.time.hour, period.time.minute),
        to: period.day ? startOfZonedDay(now, timeZone, offset + 1) : now,
      }));
    case 'since':
      return pick(period.day, (offset) => ({ from: clock(offset, period.time.hour, period.time.minute), to: now }));
    case 'before':
      return pick(period.day, (offset) => ({
        from: startOfZonedDay(now, timeZone, offset),
        to: clock(offset, period.time.hour, period.time.minute),
      }));
    case 'between': {
      const { start, end } = period;
      const overnight = end.hour * 60 + end.minute <= start.hour * 60 + start.minute;
      return pick(period.day, (offset) => ({
        from: clock(offset, start.hour, start.minute),
        to: clock(offset + (overnight ? 1 : 0), end.hour, end.minute),
      }));
    }
  }
}
