import { parseArgs } from 'node:util';
import { CameramonitError } from '@cameramonit/contracts';
import { analyseVideoWithStats, type AnalyseVideoOptions, type ObjectDetector } from '@cameramonit/vision';
import { formatEventJsonLine, formatEventTable } from './event.formatter.js';
import { ProgressReporter, type ProgressStream } from './progress.reporter.js';
import { runEvalCommand } from './eval/eval.command.js';

export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  /** inject a detector (tests); default the real CenterNet detector */
  detector?: ObjectDetector;
}

export const usage = `Usage: cameramonit analyse <video> [options]
       cameramonit eval [options]      score the engine on annotated clips (cameramonit eval --help)

Analyse a video file locally (no server): people, vehicles and animals that moved, as events.

Options:
  --json                 one JSON object per event per line (kind, label, count, direction,
                         startSec, endSec, confidence, bestSec, bestBox, summary, summaryPl)
  --fps <n>              frames analysed per second of video (default 5)
  --width <px>           analysis frame width, never upscaled (default 512)
  --min-confidence <x>   ignore detections scoring below x, 0..1 (default 0.3)
  --classes <list>       COCO labels to look for, comma separated
                         (default person,bicycle,car,motorcycle,bus,truck,dog,cat,horse; "all" for all 80)
  --motion-events        also report motion no object explains
  -h, --help             show this help

Exit codes: 0 done, 1 the video could not be analysed (not a video, damaged...), 2 wrong usage.
Environment: FFMPEG_PATH / FFPROBE_PATH to use ffmpeg binaries that are not on PATH.
`;

class UsageError extends Error {}

function parseNumber(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number between ${min} and ${max}, got "${text}"`);
  }
  return value;
}

function parseCli(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        fps: { type: 'string' },
        width: { type: 'string' },
        'min-confidence': { type: 'string' },
        classes: { type: 'string' },
        'motion-events': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The whole CLI; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  let options: AnalyseVideoOptions;
  let file: string;
  if (argv[0] === 'eval') return runEvalCommand(argv.slice(1), io);
  try {
    parsed = parseCli(argv);
    if (parsed.values.help || argv.length === 0) {
      (parsed.values.help ? io.stdout : io.stderr).write(usage);
      return parsed.values.help ? ExitCode.ok : ExitCode.usage;
    }
    const [command, video, ...extra] = parsed.positionals;
    if (command !== 'analyse' && command !== 'analyze') throw new UsageError(`unknown command "${command ?? ''}"`);
    if (!video) throw new UsageError('which video? give a file: cameramonit analyse <video>');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    file = video;
    const width = parseNumber('width', parsed.values.width, 64, 4096);
    if (width !== undefined && !Number.isInteger(width)) throw new UsageError('--width must be a whole number of pixels');
    const classesText = parsed.values.classes?.trim();
    options = {
      fps: parseNumber('fps', parsed.values.fps, 0.1, 60),
      width: width === undefined ? undefined : Math.floor(width / 2) * 2,
      minConfidence: parseNumber('min-confidence', parsed.values['min-confidence'], 0, 1),
      classes:
        classesText === undefined
          ? undefined
          : classesText === 'all'
            ? null
            : classesText.split(',').map((label) => label.trim().toLowerCase()).filter((label) => label.length > 0),
      motionEvents: parsed.values['motion-events'],
      detector: io.detector,
    };
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`cameramonit: ${error.message}\nRun "cameramonit --help" for usage.\n`);
      return ExitCode.usage;
    }
    throw error;
  }

  const json = parsed.values.json;
  const progress = json ? null : new ProgressReporter(io.stderr, `analysing ${file}`);
  try {
    const { result, stats } = await analyseVideoWithStats(file, options, progress ? (p) => progress.report(p) : undefined);
    progress?.finish();
    if (json) {
      for (const event of result.events) io.stdout.write(formatEventJsonLine(event) + '\n');
    } else {
      io.stdout.write(formatEventTable(file, result, stats.wallMs / 1000));
    }
    return ExitCode.ok;
  } catch (error) {
    progress?.finish();
    if (error instanceof CameramonitError) {
      io.stderr.write(`cameramonit: ${error.message} [${error.code}]\n`);
      return ExitCode.failed;
    }
    io.stderr.write(`cameramonit: unexpected error while analysing ${file}: ${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.failed;
  }
}
