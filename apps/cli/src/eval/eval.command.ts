import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CameramonitError } from '@cameramonit/contracts';
import type { ObjectDetector } from '@cameramonit/vision';
import { clipGroups, type ClipGroup } from './ground-truth.js';
import { runEvaluation } from './eval.runner.js';
import { formatEvalDetails, formatEvalTable } from './eval.table.js';

export const evalUsage = `Usage: cameramonit eval [options]

Scores the analysis engine on the annotated clips (a video + a ground-truth JSON each): precision and
recall of events, start/end timing error, and false events on clips where nothing happens.

Options:
  --clips <dir>      folder of annotated clips (default fixtures/eval)
  --only <list>      only clips whose name contains one of these, comma separated
  --group <list>     only these groups: synthetic, nothing, vtest (comma separated)
  --report <file>    JSON report (default test-results/eval.json)
  --details          also list every missed and every false event
  --detector-size <px>  the object detector's working size (multiple of 32, 128-512; default 320,
                     as DETECTOR_INPUT_SIZE): how a smaller, faster size scores
  -h, --help         show this help

Exit codes: 0 evaluated (read the table), 1 the clips could not be read, 2 wrong usage.
`;

export interface EvalIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  detector?: ObjectDetector;
}

export async function runEvalCommand(argv: string[], io: EvalIo): Promise<number> {
  let values: { clips?: string; only?: string; group?: string; report?: string; 'detector-size'?: string; details: boolean; help: boolean };
  let detectorInputSize: number | undefined;
  let groups: ClipGroup[] | undefined;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        clips: { type: 'string' },
        only: { type: 'string' },
        group: { type: 'string' },
        report: { type: 'string' },
        'detector-size': { type: 'string' },
        details: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    values = parsed.values as typeof values;
    if (values['detector-size'] !== undefined) {
      detectorInputSize = Number(values['detector-size']);
      if (!Number.isInteger(detectorInputSize) || detectorInputSize < 128 || detectorInputSize > 512 || detectorInputSize % 32 !== 0) {
        throw new Error(`--detector-size must be a multiple of 32 from 128 to 512 (got ${values['detector-size']})`);
      }
    }
    if (values.group !== undefined) {
      groups = values.group.split(',').map((g) => g.trim()) as ClipGroup[];
      const unknown = groups.filter((g) => !clipGroups.includes(g));
      if (unknown.length > 0) throw new Error(`--group: ${unknown.join(', ')} is not a group (synthetic, nothing, vtest)`);
    }
  } catch (error) {
    io.stderr.write(`cameramonit eval: ${(error as Error).message}\nRun "cameramonit eval --help" for usage.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(evalUsage);
    return 0;
  }
  const clipsDir = resolve(values.clips ?? 'fixtures/eval');
  const reportFile = resolve(values.report ?? 'test-results/eval.json');
  const only = values.only?.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  try {
    const report = await runEvaluation({
      clipsDir,
      only,
      groups,
      engine: io.detector ? { detector: io.detector } : detectorInputSize ? { detectorInputSize } : {},
      onStart: (truth, index, total) => io.stderr.write(`[${index + 1}/${total}] ${truth.clip} ...`),
      onClip: (clip) =>
        io.stderr.write(
          clip.error ? ` ${clip.error.code}\n` : ` ${clip.events.length} event(s), ${(clip.wallMs / 1000).toFixed(1)} s (${clip.speedVsRealtime}x realtime)\n`,
        ),
    });
    io.stdout.write('\n' + formatEvalTable(report));
    if (values.details) io.stdout.write('\n' + formatEvalDetails(report));
    await mkdir(dirname(reportFile), { recursive: true });
    await writeFile(reportFile, JSON.stringify(report, null, 2) + '\n');
    io.stdout.write(`report: ${reportFile}\n`);
    return 0;
  } catch (error) {
    if (error instanceof CameramonitError) {
      io.stderr.write(`cameramonit eval: ${error.message} [${error.code}]\n`);
      return 1;
    }
    throw error;
  }
}
