/**
 * "What happened today / this week?": one summary message of a period built from the stored
 * events (counts per kind and label, first and last, the busiest hour, notable events), in the
 * question's language with correct Polish plurals. The chat sends it to the project's vision
 * model to be told in sentences when there is one; this text is the fallback and the model's facts.
 */
import type { ParsedQuestion, QuestionLanguage } from './question-parser.js';
import {
  atWhen,
  capitalize,
  countOf,
  describePeriod,
  eventsCount,
  joinList,
  noEventsText,
  polishCount,
  shortWhen,
  summaryOf,
  type Answer,
  type AnswerEvent,
} from './answer-builder.js';
import { formatClock, pad2, processTimeZone, zonedDaysAgo, zonedParts } from './zoned-time.js';

export interface PeriodEvent extends AnswerEvent {
  kind: string;
  threatLevel: string | null;
}

export interface PeriodSummaryOptions {
  timeZone?: string;
  now?: Date;
  /** how many key events the message shows animations of (default 4) */
  keyEvents?: number;
  /** how many notable events it lists (default 5) */
  notableLimit?: number;
}

export interface PeriodSummaryAnswer extends Answer {
  /** the events the summary is about, for the model (newest first) */
  events: PeriodEvent[];
}

/** Labels that are everyday for a camera; anything else (a dog, a horse, a suitcase) is worth a mention. */
const EVERYDAY_LABELS = new Set(['person', 'car', 'truck', 'bus', 'bicycle', 'motorcycle']);
const ALARMING = new Set(['medium', 'high']);

/** A summary question about a whole period: today, yesterday, a weekday, this week, the last days. */
export function wantsPeriodSummary(q: ParsedQuestion): boolean {
  if (q.intent !== 'summary' || !q.period) return false;
  const p = q.period;
  return p.kind === 'week' || (p.kind === 'day' && !p.part) || (p.kind === 'recent' && (p.unit === 'day' || p.unit === 'week'));
}

const KIND_WORDS: Record<string, { en: [string, string]; pl: [string, string, string] }> = {
  object: { en: ['sighting', 'sightings'], pl: ['obserwacja', 'obserwacje', 'obserwacji'] },
  loitering: { en: ['loitering', 'loiterings'], pl: ['przypadek wałęsania się', 'przypadki wałęsania się', 'przypadków wałęsania się'] },
  motion: { en: ['motion alert', 'motion alerts'], pl: ['alarm ruchu', 'alarmy ruchu', 'alarmów ruchu'] },
};

function kindCount(lang: QuestionLanguage, kind: string, n: number): string {
  const words = KIND_WORDS[kind] ?? { en: [kind, kind], pl: [kind, kind, kind] };
  return lang === 'en' ? `${n} ${n === 1 ? words.en[0] : words.en[1]}` : polishCount(n, words.pl);
}

const THREAT_WORDS: Record<string, { en: string; pl: string }> = {
  low: { en: 'low threat', pl: 'niskie zagrożenie' },
  medium: { en: 'medium threat', pl: 'średnie zagrożenie' },
  high: { en: 'high threat', pl: 'wysokie zagrożenie' },
};

const EN_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const PL_WEEKDAYS = ['niedziela', 'poniedziałek', 'wtorek', 'środa', 'czwartek', 'piątek', 'sobota'];

/** Why an event is notable, or null: a threat the model saw, loitering, an unusual label. */
function notableReason(lang: QuestionLanguage, event: PeriodEvent): string | null {
  if (event.threatLevel && ALARMING.has(event.threatLevel)) return THREAT_WORDS[event.threatLevel]?.[lang] ?? event.threatLevel;
  if (event.kind === 'loitering') return lang === 'en' ? 'loitering' : 'wałęsanie się';
  if (!EVERYDAY_LABELS.has(event.label)) return lang === 'en' ? 'unusual' : 'nietypowe';
  return null;
}

function hourSlot(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}`;
}

export function buildPeriodSummary(q: ParsedQuestion, events: readonly PeriodEvent[], cameraName: string, options: PeriodSummaryOptions = {}): PeriodSummaryAnswer {
  const lang = q.language;
  const timeZone = options.timeZone ?? processTimeZone();
  const now = options.now ?? new Date();
  const sorted = [...events].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const newest = sorted[0];
  const oldest = sorted[sorted.length - 1];
  if (!newest || !oldest) return { text: noEventsText(q, cameraName), eventIds: [], events: [] };

  const period = describePeriod(lang, q.period);
  const totals = new Map<string, number>();
  // most frequent first; a tie in the order they were first seen
  for (const event of [...sorted].reverse()) totals.set(event.label, (totals.get(event.label) ?? 0) + Math.max(1, event.count));
  const objects = joinList(
    [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([label, n]) => countOf(lang, label, n)),
    lang === 'en' ? 'and' : 'i',
  );
  const nEvents = eventsCount(lang, sorted.length);
  const lines: string[] = [
    lang === 'en'
      ? `${period ? `${capitalize(period)}, ` : ''}${cameraName} recorded ${nEvents}: ${objects}.`
      : `${period ? `${capitalize(period)} k` : 'K'}amera ${cameraName} zarejestrowała ${nEvents}: ${objects}.`,
  ];

  const kinds = new Map<string, number>();
  for (const event of [...sorted].reverse()) kinds.set(event.kind, (kinds.get(event.kind) ?? 0) + 1);
  if (kinds.size > 1 || !kinds.has('object')) {
    const list = [...kinds.entries()].sort((a, b) => b[1] - a[1]).map(([kind, n]) => kindCount(lang, kind, n));
    lines.push(`${lang === 'en' ? 'Kinds' : 'Rodzaje'}: ${list.join(', ')}.`);
  }

  const line = (event: PeriodEvent) => `${shortWhen(lang, event.startedAt, now, timeZone)} — ${summaryOf(lang, event)}`;
  if (sorted.length === 1) {
    lines.push(`${lang === 'en' ? 'At' : 'O'} ${line(newest)}`);
  } else {
    lines.push(`${lang === 'en' ? 'First' : 'Pierwsze'}: ${line(oldest)}`);
    lines.push(`${lang === 'en' ? 'Last' : 'Ostatnie'}: ${line(newest)}`);
  }

  if (sorted.length >= 3) {
    const slots = new Map<string, { start: Date; n: number }>();
    for (const event of sorted) {
      const key = hourSlot(event.startedAt, timeZone);
      const slot = slots.get(key);
      if (slot) slot.n += 1;
      else {
        const local = zonedParts(event.startedAt, timeZone);
        const start = new Date(event.startedAt.getTime() - (local.minute * 60 + local.second) * 1000 - event.startedAt.getUTCMilliseconds());
        slots.set(key, { start, n: 1 });
      }
    }
    const busiest = [...slots.values()].sort((a, b) => b.n - a.n || a.start.getTime() - b.start.getTime())[0];
    if (busiest && busiest.n >= 2) {
      const end = formatClock(new Date(busiest.start.getTime() + 3_600_000), timeZone);
      const range = `${shortWhen(lang, busiest.start, now, timeZone)}–${end === '00:00' ? '24:00' : end}`;
      lines.push(lang === 'en' ? `Busiest hour: ${range} (${eventsCount('en', busiest.n)}).` : `Najwięcej w godzinie ${range} (${eventsCount('pl', busiest.n)}).`);
    }
    const days = new Map<number, { date: Date; n: number }>();
    for (const event of sorted) {
      const ago = zonedDaysAgo(event.startedAt, now, timeZone);
      const day = days.get(ago) ?? { date: event.startedAt, n: 0 };
      day.n += 1;
      days.set(ago, day);
    }
    if (days.size > 1) {
      const top = [...days.values()].sort((a, b) => b.n - a.n || b.date.getTime() - a.date.getTime())[0];
      if (top) {
        const p = zonedParts(top.date, timeZone);
        lines.push(
          lang === 'en'
            ? `Busiest day: ${EN_WEEKDAYS[p.weekday]} ${p.day}.${pad2(p.month)} (${eventsCount('en', top.n)}).`
            : `Najwięcej zdarzeń: ${PL_WEEKDAYS[p.weekday]} ${pad2(p.day)}.${pad2(p.month)} (${eventsCount('pl', top.n)}).`,
        );
      }
    }
  }

  const notable = sorted
    .map((event) => ({ event, reason: notableReason(lang, event) }))
    .filter((n): n is { event: PeriodEvent; reason: string } => n.reason !== null)
    .sort((a, b) => (b.event.threatLevel === 'high' ? 1 : 0) - (a.event.threatLevel === 'high' ? 1 : 0) || b.event.startedAt.getTime() - a.event.startedAt.getTime());
  const notableLimit = options.notableLimit ?? 5;
  if (notable.length) {
    lines.push(lang === 'en' ? 'Worth a look:' : 'Warte uwagi:');
    for (const { event, reason } of notable.slice(0, notableLimit)) lines.push(`• ${shortWhen(lang, event.startedAt, now, timeZone)} — ${reason}: ${summaryOf(lang, event)}`);
    if (notable.length > notableLimit) lines.push(lang === 'en' ? `…and ${notable.length - notableLimit} more.` : `…i jeszcze ${notable.length - notableLimit}.`);
  } else if (sorted.length > 0) {
    lines.push(lang === 'en' ? `Nothing unusual; the last one ${atWhen('en', newest.startedAt, now, timeZone)}.` : `Nic nietypowego; ostatnie ${atWhen('pl', newest.startedAt, now, timeZone)}.`);
  }

  const keyIds: string[] = [];
  for (const event of [...notable.map((n) => n.event), newest, oldest, ...sorted]) {
    if (keyIds.length >= (options.keyEvents ?? 4)) break;
    if (!keyIds.includes(event.id)) keyIds.push(event.id);
  }
  return { text: lines.join('\n'), eventIds: keyIds, events: sorted };
}
