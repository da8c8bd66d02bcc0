import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const root = resolve(import.meta.dirname, '../../..');
const vtest = join(root, 'fixtures/vtest.avi');
let workDir = '';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } } };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cameramonit-cli-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('cameramonit analyse', () => {
  it('--json prints one event per line for vtest.avi', async () => {
    const { io, out, err } = capture();
    const code = await runCli(['analyse', vtest, '--json'], io);
    expect(err.join('')).toBe(''); // no progress noise in JSON mode
    expect(code).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const event of events) {
      expect(event).toEqual(
        expect.objectContaining({
          kind: 'object',
          label: expect.any(String),
          count: expect.any(Number),
          direction: expect.any(String),
          startSec: expect.any(Number),
          endSec: expect.any(Number),
          confidence: expect.any(Number),
          summary: expect.any(String),
          summaryPl: expect.any(String),
        }),
      );
      expect(event.endSec as number).toBeGreaterThan(event.startSec as number);
      expect(event.endSec as number).toBeLessThanOrEqual(79.5);
    }
    expect(events.some((event) => event.label === 'person' && /walked/.test(event.summary as string))).toBe(true);
    expect(events.some((event) => event.label === 'car' || event.label === 'truck')).toBe(false);
  });

  it('a text file is refused with exit code 1 and a clear message', async () => {
    const file = join(workDir, 'holiday.mp4');
    await writeFile(file, 'these are my holiday notes, not a video\n');
    const { io, out, err } = capture();
    expect(await runCli(['analyse', file], io)).toBe(1);
    expect(out.join('')).toBe('');
    expect(err.join('')).toMatch(/holiday\.mp4 is not a video file.*\[NOT_VIDEO\]/);
  });

  it('the built binary runs (when built) and exits 1 for an empty file', async () => {
    const main = join(root, 'apps/cli/dist/main.js');
    if (!existsSync(main)) return; // `npx tsc -b apps/cli` builds it
    const file = join(workDir, 'empty.avi');
    await writeFile(file, '');
    const run = spawnSync(process.execPath, [main, 'analyse', file], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/empty.*\[EMPTY_FILE\]/);
  });
});
