import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ThreatLevel } from '@cameramonit/contracts';
import { CameraEntity, EventEntity } from '@cameramonit/db';
import { retryPolicyOf, type VisionModelAccess } from '@cameramonit/server';
import { callWithRetries, MAX_SUMMARY_EVENT_LINES, type SummaryEventLine } from '@cameramonit/vision';
import { buildPeriodSummary, describePeriod, processTimeZone, type ParsedQuestion, type PeriodEvent } from './questions/index.js';

export interface PeriodSummaryResult {
  text: string;
  /** key events whose animations go with the message */
  eventIds: string[];
  events: EventEntity[];
  /** who wrote the text: the project's model, or the local summary (no model, or it failed) */
  writtenBy: 'model' | 'local';
}

/** a question waits at most this many calls for the model before the local summary is used */
const MAX_SUMMARY_CALLS = 2;
const MAX_EVENTS = 5000;

/**
 * "What happened today / this week?": the local summary of the stored events, told in sentences
 * by the project's vision model when it has one (text only; failures fall back to the local
 * summary; every call in the usage ledger).
 */
export class PeriodSummaryService {
  private readonly logger = new Logger(PeriodSummaryService.name);

  constructor(
    private readonly db: DataSource,
    private readonly access: VisionModelAccess,
    private readonly tuning: { retryBaseDelayMs?: number; timeZone?: string } = {},
  ) {}

  async summarise(camera: CameraEntity, question: ParsedQuestion, now: Date): Promise<PeriodSummaryResult> {
    const timeZone = this.tuning.timeZone ?? processTimeZone();
    const qb = this.db.getRepository(EventEntity).createQueryBuilder('e').where('e.cameraId = :cameraId', { cameraId: camera.id });
    if (question.from) qb.andWhere('e.endedAt >= :from', { from: question.from });
    if (question.to) qb.andWhere('e.startedAt <= :to', { to: question.to });
    if (question.labels.length) qb.andWhere('e.label IN (:...labels)', { labels: question.labels });
    const events = await qb.orderBy('e.startedAt', 'DESC').limit(MAX_EVENTS).getMany();
    const local = buildPeriodSummary(question, events.map(periodEvent), camera.name, { now, timeZone });
    const result: PeriodSummaryResult = { text: local.text, eventIds: local.eventIds, events, writtenBy: 'local' };
    if (!events.length) return result;

    const model = await this.access.forProject(camera.projectId);
    if (!model) return result;
    const notableFirst = [...local.events].sort((a, b) => rank(b) - rank(a) || b.startedAt.getTime() - a.startedAt.getTime()).slice(0, MAX_SUMMARY_EVENT_LINES);
    const lines: SummaryEventLine[] = notableFirst
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
      .map((e) => ({ at: e.startedAt, label: e.label, count: e.count, kind: e.kind, text: question.language === 'pl' ? e.summaryPl || e.summary : e.summary, threatLevel: e.threatLevel as ThreatLevel | null }));
    const names = await this.access.names(camera.id);
    const run = await callWithRetries(
      (signal) =>
        model.model.summarisePeriod(
          {
            cameraName: camera.name,
            language: question.language,
            periodText: describePeriod(question.language, question.period) || (question.language === 'pl' ? 'wybrany okres' : 'the asked period'),
            from: question.from ?? events[events.length - 1]?.startedAt ?? now,
            to: question.to ?? now,
            timeZone,
            cameraPrompt: this.access.cameraPrompt(camera),
            names,
            localSummary: local.text,
            events: lines,
          },
          signal,
        ),
      {
        policy: { ...retryPolicyOf(model.options, this.tuning.retryBaseDelayMs ?? 1_000), maxAttempts: Math.min(MAX_SUMMARY_CALLS, model.options.maxAttempts), maxRetryAfterMs: 5_000 },
        onCall: (call) => this.access.recordCall({ projectId: camera.projectId, cameraId: camera.id, eventId: null, purpose: 'summary', modelName: model.modelName }, call),
      },
    );
    if (!run.ok) {
      this.logger.warn(`Summary for ${camera.name} stays local: ${run.error.outcome}: ${run.error.message}`);
      return result;
    }
    return { ...result, text: run.answer.value.summary, writtenBy: 'model' };
  }
}

/** The model's description when there is one: it is the better text of the event. */
function periodEvent(e: EventEntity): PeriodEvent {
  return {
    id: e.id,
    label: e.label,
    count: e.count,
    kind: e.kind,
    threatLevel: e.threatLevel,
    startedAt: e.startedAt,
    endedAt: e.endedAt,
    summary: e.description ?? e.summary,
    summaryPl: e.descriptionPl ?? e.summaryPl,
  };
}

function rank(e: PeriodEvent): number {
  return (e.threatLevel === 'high' ? 4 : e.threatLevel === 'medium' ? 3 : 0) + (e.kind === 'loitering' ? 2 : 0);
}
