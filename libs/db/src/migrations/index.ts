import { InitialPlatform1763780000000 } from './1763780000000-initial-platform.js';
import { InitialRegistry1763780000001 } from './1763780000001-initial-registry.js';
import { AnalysisWorker1763790000000 } from './1763790000000-analysis-worker.js';
import { CameraAnalysisSettings1763800000000 } from './1763800000000-camera-analysis-settings.js';
import { SceneCarryAndReanalysis1764000000001 } from './1764000000001-scene-carry-and-reanalysis.js';
import { EventDescriptions1764100000000 } from './1764100000000-event-descriptions.js';
import { AnalyserPlugins1764200000000 } from './1764200000000-analyser-plugins.js';
import { CameraSources1764300000000 } from './1764300000000-camera-sources.js';
import { PushedFrames1764500000000 } from './1764500000000-pushed-frames.js';
import { LiveRecording1764800000000 } from './1764800000000-live-recording.js';
import { Recorders1765000000000 } from './1765000000000-recorders.js';
import { WebcamCapture1765000000001 } from './1765000000001-webcam-capture.js';
import { AnalysisBehind1765100000000 } from './1765100000000-analysis-behind.js';
import { RecordingRecorder1765200000000 } from './1765200000000-recording-recorder.js';

/** In order. A migration is never edited once committed: add a new one. */
export const platformMigrations = [
  InitialPlatform1763780000000,
  AnalysisWorker1763790000000,
  CameraAnalysisSettings1763800000000,
  SceneCarryAndReanalysis1764000000001,
  EventDescriptions1764100000000,
  AnalyserPlugins1764200000000,
  CameraSources1764300000000,
  PushedFrames1764500000000,
  LiveRecording1764800000000,
  Recorders1765000000000,
  WebcamCapture1765000000001,
  AnalysisBehind1765100000000,
  RecordingRecorder1765200000000,
];
export const registryMigrations = [InitialRegistry1763780000001];
