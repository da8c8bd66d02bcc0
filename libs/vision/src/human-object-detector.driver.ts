/**
 * The COCO object detector on @vladmandic/human (CenterNet), tfjs WASM backend, model files read
 * from node_modules (no download at run time). The only file that imports human or tfjs.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CameramonitError, type Detection } from '@cameramonit/contracts';
import { defaultDetectedClasses, filterDetections, type ObjectDetector } from './object-detector.js';

export interface HumanObjectDetectorOptions {
  /** drop detections below this score (default 0.3) */
  minConfidence?: number;
  /** COCO labels to report; null = all 80 (default: defaultDetectedClasses) */
  classes?: readonly string[] | null;
  /** square model input in pixels, a multiple of 32 in 128..512 (default 384; 512 is the model's native size, slower) */
  inputSize?: number;
  /** at most this many objects per frame (default 30) */
  maxDetected?: number;
}

// --- the slice of human's and tfjs's API this driver uses -------------------------------------
interface HumanObject {
  score: number;
  label: string;
  box: [number, number, number, number];
}
interface HumanResult {
  object: HumanObject[];
}
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}
interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}
interface ModelJson {
  weightsManifest: WeightsManifestGroup[];
  signature?: { inputs?: Record<string, { tensorShape?: { dim?: { size: string }[] } }> };
  modelTopology?: { node?: { op: string; attr?: { shape?: { shape?: { dim?: { size: string }[] } } } }[] };
}
interface IoHandler {
  load: () => Promise<unknown>;
}
interface TfApi {
  tensor4d(values: Uint8Array, shape: [number, number, number, number], dtype: 'int32'): unknown;
  dispose(tensor: unknown): void;
  getBackend(): string;
  io: {
    registerLoadRouter(router: (url: string | string[]) => IoHandler | null): void;
    getModelArtifactsForJSON(
      json: ModelJson,
      loadWeights: (manifest: WeightsManifestGroup[]) => Promise<[WeightSpec[], ArrayBuffer]>,
    ): Promise<unknown>;
  };
}
interface HumanInstance {
  tf: TfApi;
  load(): Promise<void>;
  detect(input: unknown): Promise<HumanResult>;
}
interface HumanModule {
  Human: new (config: Record<string, unknown>) => HumanInstance;
}

const require = createRequire(import.meta.url);

function modelError(message: string): CameramonitError {
  return new CameramonitError('OBJECT_MODEL_UNAVAILABLE', message, 500);
}

/** human's package "exports" keys lack "./", so its WASM bundle is required by absolute path. */
function loadHumanModule(): { module: HumanModule; modelsDir: string; wasmDir: string } {
  try {
    const humanDir = dirname(dirname(require.resolve('@vladmandic/human')));
    const module = require(join(humanDir, 'dist', 'human.node-wasm.js')) as HumanModule;
    const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    return { module, modelsDir: join(humanDir, 'models'), wasmDir };
  } catch (error) {
    throw modelError(
      `cannot load @vladmandic/human / @tensorflow/tfjs-backend-wasm (${(error as Error).message}); run "npm install" at the repository root.`,
    );
  }
}

/**
 * CenterNet bakes its 512 px input into int32 constants (feature map S/4, FPN upsample sizes). These
 * are the constants to rewrite for an S x S input; S must be a multiple of 32.
 */
export function centernetSizeConstants(size: number): Record<string, number[]> {
  if (!Number.isInteger(size) || size % 32 !== 0 || size < 128 || size > 512) {
    throw new CameramonitError('INVALID_DETECTOR_OPTION', `detector inputSize must be a multiple of 32 between 128 and 512, got ${size}`, 400);
  }
  const featureMap = size / 4;
  return {
    'tower_0/BatchGather/concat': [featureMap * featureMap, 4],
    'tower_0/strided_slice_6': [featureMap],
    'tower_0/CenternetHead/c5_upsample/up_sampling2d/mul': [size / 16, size / 16],
    'tower_0/CenternetHead/c4_upsample/up_sampling2d_1/mul': [size / 8, size / 8],
    'tower_0/CenternetHead/c3_upsample/up_sampling2d_2/mul': [featureMap, featureMap],
  };
}

/** Sets the model's declared input shape (signature and Placeholder node) to S x S. */
export function patchCenternetInputShape(json: ModelJson, size: number): void {
  const setDims = (dims: { size: string }[] | undefined) => {
    if (!dims || dims.length < 3) throw modelError('centernet.json has an unexpected input shape; cannot resize the model');
    dims[1].size = String(size);
    dims[2].size = String(size);
  };
  for (const input of Object.values(json.signature?.inputs ?? {})) setDims(input.tensorShape?.dim);
  const placeholder = json.modelTopology?.node?.find((node) => node.op === 'Placeholder');
  setDims(placeholder?.attr?.shape?.shape?.dim);
}

const bytesPerElement: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Rewrites the size constants inside the concatenated weight buffer. */
export function patchCenternetWeights(specs: WeightSpec[], data: ArrayBuffer, size: number): void {
  const constants = centernetSizeConstants(size);
  let offset = 0;
  let patched = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const replacement = constants[spec.name];
    if (replacement) {
      new Int32Array(data, offset, count).set(replacement);
      patched++;
    }
    offset += count * (bytesPerElement[spec.quantization?.dtype ?? spec.dtype] ?? 4);
  }
  if (offset !== data.byteLength || patched !== Object.keys(constants).length) {
    throw modelError(`centernet weights have an unexpected layout (${patched} constants, ${offset}/${data.byteLength} bytes); use inputSize 512`);
  }
}

// One tfjs instance per process: the file:// router is registered once and reads the size asked for by the detector loading now.
let routerRegistered = false;
let requestedInputSize = 512;
let loadQueue: Promise<unknown> = Promise.resolve();

function registerFileRouter(tf: TfApi): void {
  if (routerRegistered) return;
  routerRegistered = true;
  // tfjs routes only http(s) to fetch, and Node's fetch cannot read file:// anyway.
  tf.io.registerLoadRouter((url) => {
    const first = Array.isArray(url) ? url[0] : url;
    if (typeof first !== 'string' || !first.startsWith('file://')) return null;
    const jsonPath = fileURLToPath(first);
    const size = requestedInputSize;
    const isCenternet = jsonPath.endsWith('centernet.json') && size !== 512;
    return {
      load: async () => {
        const json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
        if (isCenternet) patchCenternetInputShape(json, size);
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs: WeightSpec[] = [];
          const buffers: Buffer[] = [];
          for (const group of manifest) {
            for (const path of group.paths) buffers.push(await readFile(join(dirname(jsonPath), path)));
            specs.push(...group.weights);
          }
          const all = Buffer.concat(buffers);
          const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
          if (isCenternet) patchCenternetWeights(specs, data, size);
          return [specs, data];
        });
      },
    };
  });
}

/** COCO objects with CenterNet on the tfjs WASM backend. Loads the model on first use (~0.1 s). */
export class HumanObjectDetector implements ObjectDetector {
  private readonly minConfidence: number;
  private readonly classes: readonly string[] | null;
  private readonly inputSize: number;
  private readonly maxDetected: number;
  private human: Promise<HumanInstance> | null = null;
  private disposed = false;
  /** inference times in ms, for measurements */
  readonly inferenceMs: number[] = [];

  constructor(options: HumanObjectDetectorOptions = {}) {
    this.minConfidence = options.minConfidence ?? 0.3;
    this.classes = options.classes === undefined ? defaultDetectedClasses : options.classes;
    this.inputSize = options.inputSize ?? 384;
    this.maxDetected = options.maxDetected ?? 30;
    centernetSizeConstants(this.inputSize); // validate early
  }

  /** Loads the model now (otherwise the first detect() does). */
  async load(): Promise<void> {
    await this.instance();
  }

  async detect(rgb: Uint8Array, width: number, height: number): Promise<Detection[]> {
    if (rgb.length !== width * height * 3) {
      throw new CameramonitError('INVALID_FRAME', `frame of ${width}x${height} needs ${width * height * 3} bytes, got ${rgb.length}`, 400);
    }
    const human = await this.instance();
    const input = human.tf.tensor4d(rgb, [1, height, width, 3], 'int32');
    const started = performance.now();
    try {
      const result = await human.detect(input);
      this.inferenceMs.push(performance.now() - started);
      const raw: Detection[] = result.object.map((object) => ({
        label: object.label,
        confidence: object.score,
        box: { x: object.box[0], y: object.box[1], width: object.box[2], height: object.box[3] },
      }));
      return filterDetections(raw, {
        minConfidence: this.minConfidence,
        classes: this.classes,
        frameWidth: width,
        frameHeight: height,
      });
    } finally {
      human.tf.dispose(input);
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.human = null; // human 3.x has no unload; dropping it lets the GC free the model's memory
  }

  private instance(): Promise<HumanInstance> {
    if (this.disposed) return Promise.reject(modelError('the object detector was disposed'));
    this.human ??= this.createInstance();
    return this.human;
  }

  private async createInstance(): Promise<HumanInstance> {
    const { module, modelsDir, wasmDir } = loadHumanModule();
    const human = new module.Human({
      backend: 'wasm',
      wasmPath: wasmDir + sep, // default is a CDN URL
      modelBasePath: pathToFileURL(modelsDir).href + '/',
      cacheModels: false,
      cacheSensitivity: 0, // always run the model, never reuse a "similar" frame's result
      debug: false,
      async: true,
      warmup: 'none',
      filter: { enabled: false },
      face: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
      object: {
        enabled: true,
        modelPath: 'centernet.json',
        minConfidence: Math.min(this.minConfidence, 0.2),
        iouThreshold: 0.4,
        maxDetected: this.maxDetected,
        skipFrames: 0,
        skipTime: 0,
      },
    });
    registerFileRouter(human.tf);
    const load = loadQueue.then(async () => {
      requestedInputSize = this.inputSize;
      await human.load();
    });
    loadQueue = load.catch(() => undefined);
    try {
      await load;
    } catch (error) {
      throw modelError(`cannot load the CenterNet object model from ${modelsDir}: ${(error as Error).message}`);
    }
    if (human.tf.getBackend() !== 'wasm') {
      throw modelError(`tfjs WASM backend did not start (backend is "${human.tf.getBackend()}")`);
    }
    return human;
  }
}
