import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource } from 'typeorm';
import type { AuthUser } from '@cameramonit/auth';
import { CameraEntity, ChatMessageEntity, type EventEntity, type MessageKind } from '@cameramonit/db';
import { CamerasService } from './cameras.service.js';
import { ChatGateway } from './chat.gateway.js';
import type { EventView, MessageView } from './chat.types.js';
import { PeriodSummaryService } from './period-summary.service.js';
import { buildAnswer, parseQuestion, wantsPeriodSummary } from './questions/index.js';

/** Posts to a camera's thread: questions and answers, system and error messages; each goes out live. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cameras: CamerasService,
    private readonly gateway: ChatGateway,
    private readonly summaries: PeriodSummaryService,
  ) {}

  /**
   * Post a system/error message once: a second post with the same dedupe key (a redelivered
   * bus message) is ignored.
   */
  async post(cameraId: string, kind: MessageKind, text: string, dedupeKey: string | null = null): Promise<MessageView | null> {
    try {
      const saved = await this.db.getRepository(ChatMessageEntity).save({ cameraId, kind, text, authorId: null, authorName: null, eventIds: null, dedupeKey });
      const view = this.cameras.messageView(saved, new Map());
      this.gateway.message(cameraId, view);
      return view;
    } catch (error) {
      if (error instanceof QueryFailedError && dedupeKey && /unique|duplicate/i.test(error.message)) return null;
      throw error;
    }
  }

  async ask(user: AuthUser, cameraId: string, cameraName: string, text: string): Promise<{ answer: string; events: EventView[]; question: MessageView; reply: MessageView }> {
    const now = new Date();
    const parsed = parseQuestion(text, now);
    const camera = wantsPeriodSummary(parsed) ? await this.db.getRepository(CameraEntity).findOneBy({ id: cameraId }) : null;
    let events: EventEntity[];
    let answer: { text: string; eventIds: string[] };
    if (camera) {
      // "what happened today / this week": one summary message (by the project's model when it has one)
      const summary = await this.summaries.summarise(camera, parsed, now);
      events = summary.events;
      answer = summary;
    } else {
      events = parsed.intent === 'help' ? [] : await this.cameras.events(cameraId, { from: parsed.from, to: parsed.to, labels: parsed.labels, limit: 500 });
      answer = buildAnswer(parsed, events, cameraName, { now });
    }
    const repository = this.db.getRepository(ChatMessageEntity);
    const question = await repository.save({ cameraId, kind: 'question', text, authorId: user.id, authorName: user.displayName, eventIds: null, dedupeKey: null });
    const reply = await repository.save({ cameraId, kind: 'answer', text: answer.text, authorId: null, authorName: cameraName, eventIds: JSON.stringify(answer.eventIds), dedupeKey: null });
    const byId = new Map(events.map((e) => [e.id, e]));
    const views = await this.cameras.eventViews(answer.eventIds.map((id) => byId.get(id)).filter((e) => !!e));
    const viewMap = new Map(views.map((v) => [v.id, v]));
    const questionView = this.cameras.messageView(question, viewMap);
    const replyView = this.cameras.messageView(reply, viewMap);
    this.gateway.message(cameraId, questionView);
    this.gateway.message(cameraId, replyView);
    return { answer: answer.text, events: views, question: questionView, reply: replyView };
  }
}
