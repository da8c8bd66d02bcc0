import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@cameramonit/config';
import { CameraEntity, ProjectEntity, RecorderEntity } from '@cameramonit/db';
import { openTestDatabase, testDatabaseKinds } from '../../../test/support/test-database.js';
import { RecorderDirectory } from './recorder.directory.js';

describe.each(testDatabaseKinds())('RecorderDirectory (%s)', (kind) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let directory: RecorderDirectory;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const project = await database.db.getRepository(ProjectEntity).save({ slug: 'office', name: 'Office' });
    for (const [slug, recorderId] of [['gate', null], ['desk-cam', 'front-desk'], ['lost', 'attic']] as const) {
      const camera = await database.db.getRepository(CameraEntity).save({ projectId: project.id, slug, name: slug, registryCameraId: null, bufferSeconds: 5, maxRecordMinutes: 60, animationSeconds: 4, enabled: true, analysisSettings: null, recorderId });
      ids[slug] = camera.id;
    }
    const now = new Date();
    await database.db.getRepository(RecorderEntity).insert({ recorderId: 'front-desk', url: 'http://10.0.0.7:3004', hostname: 'desk-pc', devices: '[]', startedAt: now, lastSeenAt: now });
    // the main recorder's own row says 127.0.0.1 (its default); the other apps reach it at their RECORDER_URL
    await database.db.getRepository(RecorderEntity).insert({ recorderId: 'main', url: 'http://127.0.0.1:3004', hostname: 'server', devices: '[]', startedAt: now, lastSeenAt: now });
    directory = new RecorderDirectory(database.db, loadConfig({ JWT_SECRET: 'integration-secret-0123456789', SECRETS_KEY: 'k', RECORDER_URL: 'http://recorder:3004/' }));
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('sends a camera of the main recorder to RECORDER_URL, and one of another recorder to where that recorder said it is', async () => {
    expect(await directory.liveUrl(ids.gate as string)).toBe(`http://recorder:3004/api/cameras/${ids.gate}/live.mp4`);
    expect(await directory.liveUrl(ids['desk-cam'] as string, 'sub')).toBe(`http://10.0.0.7:3004/api/cameras/${ids['desk-cam']}/live.mp4?stream=sub`);
  });

  it('says which recorder has not started when a camera names one that never reported (503)', async () => {
    await expect(directory.liveUrl(ids.lost as string)).rejects.toMatchObject({ code: 'RECORDER_UNKNOWN', httpStatus: 503, message: expect.stringContaining('recorder "attic", which has not started yet (a recorder app with RECORDER_ID=attic)') });
  });
});
