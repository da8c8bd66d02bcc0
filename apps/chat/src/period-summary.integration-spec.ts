import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { CameraEntity, EventEntity, ModelUsageEntity, ProjectEntity, ProjectIntegrationEntity } from '@cameramonit/db';
import { VisionModelAccess } from '@cameramonit/server';
import { completion, OpenAiCompatibleServer, receivedImages, receivedText } from '../../../test/support/openai-compatible.server.js';
import { openTestDatabase, testDatabaseKinds } from '../../../test/support/test-database.js';
import { PeriodSummaryService } from './period-summary.service.js';
import { parseQuestion } from './questions/index.js';

describe.each(testDatabaseKinds())('a summary of a period, told by the vision model (%s)', (kind) => {
  const server = new OpenAiCompatibleServer(() => completion({ summary: 'A calm couple of days: people passed the gate and one car parked.' }, 400, 30));
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let db: DataSource;
  let service: PeriodSummaryService;
  let camera: CameraEntity;
  const now = new Date();

  beforeAll(async () => {
    await server.start();
    database = await openTestDatabase(kind);
    db = database.db;
    service = new PeriodSummaryService(db, new VisionModelAccess(db, 'summary-secrets'), { retryBaseDelayMs: 10, timeZone: 'UTC' });
    const project = await db.getRepository(ProjectEntity).save({ slug: `s-${kind}`, name: 'S' });
    camera = await db.getRepository(CameraEntity).save({
      projectId: project.id, slug: 'gate', name: 'Gate', registryCameraId: null, bufferSeconds: 5, maxRecordMinutes: 60, animationSeconds: 4, enabled: true, analysisSettings: null,
    });
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000);
    const base = { cameraId: camera.id, clipId: camera.id, kind: 'object' as const, count: 1, startSec: 0, endSec: 5, confidence: 0.8, direction: 'left-to-right' as const, snapshotPath: null, animationPath: null };
    await db.getRepository(EventEntity).save([
      { ...base, label: 'person', startedAt: at(30), endedAt: at(29.9), summary: 'A person walked to the gate', summaryPl: 'Osoba podeszła do bramy' },
      { ...base, label: 'car', startedAt: at(5), endedAt: at(4.9), summary: 'A car parked', summaryPl: 'Samochód zaparkował' },
      { ...base, label: 'person', kind: 'loitering' as const, startedAt: at(1), endedAt: at(0.9), summary: 'A person stayed 40 s at the gate', summaryPl: 'Osoba została 40 s przy bramie', threatLevel: 'medium' as const },
    ]);
  });

  afterAll(async () => {
    await server.close();
    await database?.drop();
  });

  beforeEach(async () => {
    server.reset();
    await db.getRepository(ProjectIntegrationEntity).delete({ projectId: camera.projectId });
    await db.getRepository(ProjectIntegrationEntity).save({
      projectId: camera.projectId, kind: 'vision-model', baseUrl: server.baseUrl, model: 'qwen2.5vl', apiKeySealed: null, enabled: true, options: null, updatedAt: new Date(),
    });
  });

  const ledger = () => db.getRepository(ModelUsageEntity).find({ where: { purpose: 'summary' }, order: { createdAt: 'ASC' } });

  it('sends the local summary and the event texts (no images) and answers with what the model wrote', async () => {
    const question = parseQuestion('what happened in the last 2 days?', now, { timeZone: 'UTC' });
    const result = await service.summarise(camera, question, now);
    expect(result.writtenBy).toBe('model');
    expect(result.text).toBe('A calm couple of days: people passed the gate and one car parked.');
    expect(result.eventIds.length).toBeGreaterThan(0);
    const [request] = server.requests;
    expect(request?.body.model).toBe('qwen2.5vl');
    expect(request?.body.response_format?.json_schema?.name).toBe('period_summary');
    expect(receivedImages(request!)).toEqual([]);
    const text = receivedText(request!);
    expect(text).toContain('Write in English');
    expect(text).toContain('Local summary: In the last 2 days, Gate recorded 3 events: 2 people and 1 car.');
    expect(text).toContain('loitering 1 × person: A person stayed 40 s at the gate [threat: medium]');
    expect(text).toContain('object 1 × car: A car parked');
    expect((await ledger()).map((r) => [r.outcome, r.promptTokens, r.completionTokens, r.cameraId, r.eventId])).toEqual([['ok', 400, 30, camera.id, null]]);
  });

  it('asks in Polish for a Polish question', async () => {
    await service.summarise(camera, parseQuestion('co się działo w ciągu ostatnich 2 dni?', now, { timeZone: 'UTC' }), now);
    const text = receivedText(server.requests[0]!);
    expect(text).toContain('Write in Polish');
    expect(text).toContain('Osoba została 40 s przy bramie');
  });

  it('falls back to the local summary when the model fails (server errors, malformed answers), with every call in the ledger', async () => {
    await db.getRepository(ModelUsageEntity).delete({ purpose: 'summary' });
    server.reply({ kind: 'status', status: 503 }, completion('no JSON here', 300, 5));
    const result = await service.summarise(camera, parseQuestion('what happened in the last 2 days?', now, { timeZone: 'UTC' }), now);
    expect(result.writtenBy).toBe('local');
    expect(result.text.split('\n')[0]).toBe('In the last 2 days, Gate recorded 3 events: 2 people and 1 car.');
    expect(result.text).toContain('medium threat: A person stayed 40 s at the gate');
    expect((await ledger()).map((r) => [r.outcome, r.completionTokens])).toEqual([
      ['server-error', 0],
      ['malformed', 5],
    ]);
  });

  it('uses the local summary without calling anything when the project has no model', async () => {
    await db.getRepository(ProjectIntegrationEntity).delete({ projectId: camera.projectId });
    const result = await service.summarise(camera, parseQuestion('what happened in the last 2 days?', now, { timeZone: 'UTC' }), now);
    expect(result.eventIds.length).toBeGreaterThan(0);
    expect(result.writtenBy).toBe('local');
    expect(server.requests).toHaveLength(0);
  });
});
