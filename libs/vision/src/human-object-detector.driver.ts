/**
 * The COCO object detector: CenterNet (MobileNetV3) from @vladmandic/human's model files, run on
 * the tfjs WASM backend directly (tfjs-converter GraphModel; human's own pipeline is not used).
 * Model files are read from node_modules (no download at run time). The only file that imports
 * human or tfjs.
 *
 * Speed (see docs/video-analysis.md): the graph is fully convolutional, so its input size is patched
 * per shape (multiples of 32); the heads ("peaks" and box sizes) accept a batch, and their outputs are
 * decoded in TypeScript (centernet-output.decoder.ts), so several crops go through one model call.
 * tfjs's multi-threaded WASM build does not start in Node (its pthreads are blob: URL workers, which
 * Node's worker_threads refuse), so inference is single-threaded SIMD.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { CameramonitError, type Detection } from '@cameramonit/contracts';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { io } from '@tensorflow/tfjs-core';
type SyncGraphModel = GraphModel<io.IOHandlerSync>;
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
import { cocoClassMask, decodeCenternetOutputs, suppressOverlappingDetections } from './centernet-output.decoder.js';
import { defaultDetectedClasses, filterDetections, type DetectionRequest, type DetectorImage, type ObjectDetector } from './object-detector.js';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfConverter = typeof import('@tensorflow/tfjs-converter');
type TfWasm = typeof import('@tensorflow/tfjs-backend-wasm');

export interface HumanObjectDetectorOptions {
  /** drop detections below this score unless a request asks for another (default 0.3) */
  minConfidence?: number;
  /** COCO labels to report unless a request asks for others; null = all 80 (default: defaultDetectedClasses) */
  classes?: readonly string[] | null;
  /**
   * model input for whole frames: the longer side in pixels, a multiple of 32 in 128..512; the
   * shorter side keeps the frame's aspect ratio (default 384; 512 is the model's native size, slower)
   */
  inputSize?: number;
  /** square model inputs for crops (detectBatch), multiples of 32 in 128..512 (default [128, 192, 256]) */
  cropSizes?: readonly number[];
  /** at most this many crops in one model call (default 4) */
  maxBatch?: number;
  /** at most this many objects per image (default 30) */
  maxDetected?: number;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}
interface ModelJson {
  format?: string;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  signature?: { inputs?: Record<string, { tensorShape?: { dim?: { size: string }[] } }> };
  modelTopology?: { node?: { op: string; attr?: { shape?: { shape?: { dim?: { size: string }[] } } } }[] };
}

const require = createRequire(import.meta.url);
const peaksOutput = 'tower_0/mul_1';
const sizesOutput = 'tower_0/wh';
const overlapIou = 0.4;

function modelError(message: string): CameramonitError {
  return new CameramonitError('OBJECT_MODEL_UNAVAILABLE', message, 500);
}

function validateSize(name: string, size: number): void {
  if (!Number.isInteger(size) || size % 32 !== 0 || size < 128 || size > 512) {
    throw new CameramonitError('INVALID_DETECTOR_OPTION', `detector ${name} must be a multiple of 32 between 128 and 512, got ${size}`, 400);
  }
}

/**
 * CenterNet bakes its 512 px input into int32 constants (feature map S/4, FPN upsample sizes). These
 * are the constants to rewrite for an S x S input; S must be a multiple of 32.
 */
export function centernetSizeConstants(size: number): Record<string, number[]> {
  validateSize('inputSize', size);
  return centernetShapeConstants(size, size);
}

/** The same for a height x width input (both multiples of 32, 64..1024). */
export function centernetShapeConstants(height: number, width: number): Record<string, number[]> {
  for (const [name, value] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(value) || value % 32 !== 0 || value < 64 || value > 1024) {
      throw new CameramonitError('INVALID_DETECTOR_OPTION', `detector input ${name} must be a multiple of 32 between 64 and 1024, got ${value}`, 400);
    }
  }
  return {
    'tower_0/BatchGather/concat': [(height / 4) * (width / 4), 4],
    'tower_0/strided_slice_6': [width / 4],
    'tower_0/CenternetHead/c5_upsample/up_sampling2d/mul': [height / 16, width / 16],
    'tower_0/CenternetHead/c4_upsample/up_sampling2d_1/mul': [height / 8, width / 8],
    'tower_0/CenternetHead/c3_upsample/up_sampling2d_2/mul': [height / 4, width / 4],
  };
}

/**
 * The model input for a whole frame: the longer side `inputSize`, the shorter side the frame's
 * aspect ratio rounded to a multiple of 32 (at least 64), so people are not squashed.
 */
export function frameInputShape(frameWidth: number, frameHeight: number, inputSize: number): { width: number; height: number } {
  const shorter = (side: number, longSide: number) => Math.max(64, Math.round(((inputSize * side) / longSide) / 32) * 32);
  return frameWidth >= frameHeight
    ? { width: inputSize, height: Math.min(inputSize, shorter(frameHeight, frameWidth)) }
    : { width: Math.min(inputSize, shorter(frameWidth, frameHeight)), height: inputSize };
}

/** Sets the model's declared input shape (signature and Placeholder node) to a batch of height x width. */
export function patchCenternetInputShape(json: ModelJson, height: number, width: number): void {
  const setDims = (dims: { size: string }[] | undefined) => {
    if (!dims || dims.length < 4) throw modelError('centernet.json has an unexpected input shape; cannot resize the model');
    dims[0].size = '-1';
    dims[1].size = String(height);
    dims[2].size = String(width);
  };
  for (const input of Object.values(json.signature?.inputs ?? {})) setDims(input.tensorShape?.dim);
  const placeholder = json.modelTopology?.node?.find((node) => node.op === 'Placeholder');
  setDims(placeholder?.attr?.shape?.shape?.dim);
}

const bytesPerElement: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Rewrites the size constants inside (a copy of) the concatenated weight buffer. */
export function patchCenternetWeights(specs: WeightSpec[], data: ArrayBuffer, height: number, width: number): void {
  const constants = centernetShapeConstants(height, width);
  const view = new DataView(data);
  let offset = 0;
  let patched = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const replacement = constants[spec.name];
    if (replacement) {
      if (replacement.length !== count || spec.dtype !== 'int32') throw modelError(`centernet constant ${spec.name} has an unexpected shape`);
      replacement.forEach((value, i) => view.setInt32(offset + i * 4, value, true));
      patched++;
    }
    offset += count * (bytesPerElement[spec.quantization?.dtype ?? spec.dtype] ?? 4);
  }
  if (offset !== data.byteLength || patched !== Object.keys(constants).length) {
    throw modelError(`centernet weights have an unexpected layout (${patched} constants, ${offset}/${data.byteLength} bytes)`);
  }
}

interface TfRuntime {
  tf: TfCore;
  converter: TfConverter;
  modelJsonText: string;
  weights: Buffer;
  modelsDir: string;
}

// One tfjs per process: the backend starts once, the model files are read once.
let runtime: Promise<TfRuntime> | null = null;

function startRuntime(): Promise<TfRuntime> {
  runtime ??= (async () => {
    let tf: TfCore;
    let converter: TfConverter;
    let wasm: TfWasm;
    let modelsDir: string;
    try {
      tf = require('@tensorflow/tfjs-core') as TfCore;
      converter = require('@tensorflow/tfjs-converter') as TfConverter;
      wasm = require('@tensorflow/tfjs-backend-wasm') as TfWasm;
      modelsDir = join(dirname(dirname(require.resolve('@vladmandic/human'))), 'models');
    } catch (error) {
      throw modelError(`cannot load tfjs / @vladmandic/human (${(error as Error).message}); run "npm install" at the repository root.`);
    }
    wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') {
      throw modelError(`tfjs WASM backend did not start (backend is "${tf.getBackend()}")`);
    }
    await tf.ready();
    let modelJsonText: string;
    let weights: Buffer;
    try {
      modelJsonText = readFileSync(join(modelsDir, 'centernet.json'), 'utf8');
      weights = readFileSync(join(modelsDir, 'centernet.bin'));
    } catch (error) {
      throw modelError(`cannot read the CenterNet object model in ${modelsDir}: ${(error as Error).message}`);
    }
    return { tf, converter, modelJsonText, weights, modelsDir };
  })();
  runtime.catch(() => {
    runtime = null; // a later call may try again (e.g. after npm install)
  });
  return runtime;
}

/** COCO objects with CenterNet on the tfjs WASM backend. Loads the model on first use (~0.2 s per input shape). */
export class HumanObjectDetector implements ObjectDetector {
  private readonly minConfidence: number;
  private readonly classes: readonly string[] | null;
  private readonly inputSize: number;
  readonly cropSizes: readonly number[];
  private readonly maxBatch: number;
  private readonly maxDetected: number;
  private readonly models = new Map<string, SyncGraphModel>();
  private disposed = false;

  constructor(options: HumanObjectDetectorOptions = {}) {
    this.minConfidence = options.minConfidence ?? 0.3;
    this.classes = options.classes === undefined ? defaultDetectedClasses : options.classes;
    this.inputSize = options.inputSize ?? 384;
    this.cropSizes = [...(options.cropSizes ?? [128, 192, 256])].sort((a, b) => a - b);
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 4));
    this.maxDetected = options.maxDetected ?? 30;
    validateSize('inputSize', this.inputSize);
    if (this.cropSizes.length === 0) throw new CameramonitError('INVALID_DETECTOR_OPTION', 'detector cropSizes must name at least one size', 400);
    for (const size of this.cropSizes) validateSize('cropSizes', size);
  }

  /** Starts tfjs and loads the model for crops now (otherwise the first detect() does). */
  async load(): Promise<void> {
    for (const size of this.cropSizes) await this.model(size, size);
  }

  /** The model input a whole frame of this size is scaled to. */
  wholeFrameInput(frameWidth: number, frameHeight: number): { width: number; height: number } {
    return frameInputShape(frameWidth, frameHeight, this.inputSize);
  }

  async detect(rgb: Uint8Array, width: number, height: number, request: DetectionRequest = {}): Promise<Detection[]> {
    checkImage({ rgb, width, height });
    const shape = this.wholeFrameInput(width, height);
    const [detections] = await this.run([{ rgb, width, height }], shape.height, shape.width, request);
    return detections;
  }

  async detectBatch(images: readonly DetectorImage[], request: DetectionRequest = {}): Promise<Detection[][]> {
    images.forEach(checkImage);
    const largest = this.cropSizes[this.cropSizes.length - 1];
    const inputOf = (image: DetectorImage) => (image.width === image.height && this.cropSizes.includes(image.width) ? image.width : largest);
    const results: Detection[][] = new Array<Detection[]>(images.length);
    for (const size of new Set(images.map(inputOf))) {
      const indices = images.flatMap((image, i) => (inputOf(image) === size ? [i] : []));
      for (let start = 0; start < indices.length; start += this.maxBatch) {
        const chunk = indices.slice(start, start + this.maxBatch);
        const found = await this.run(chunk.map((i) => images[i]), size, size, request);
        chunk.forEach((imageIndex, k) => {
          results[imageIndex] = found[k];
        });
      }
    }
    return results;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const model of this.models.values()) model.dispose();
    this.models.clear();
  }

  private async run(images: readonly DetectorImage[], inputHeight: number, inputWidth: number, request: DetectionRequest): Promise<Detection[][]> {
    if (images.length === 0) return [];
    const model = await this.model(inputHeight, inputWidth);
    const { tf } = await startRuntime();
    const minConfidence = request.minConfidence ?? this.minConfidence;
    const classes = request.classes === undefined ? this.classes : request.classes;
    const input = tf.tidy(() => {
      const resized = images.map((image) => {
        const pixels = tf.tensor3d(image.rgb, [image.height, image.width, 3], 'int32') as Tensor3D;
        return image.width === inputWidth && image.height === inputHeight
          ? tf.cast(pixels, 'float32')
          : tf.image.resizeBilinear(pixels, [inputHeight, inputWidth]);
      });
      return tf.stack(resized) as Tensor4D;
    });
    let outputs: Tensor[] = [];
    try {
      outputs = model.execute(input, [peaksOutput, sizesOutput]) as Tensor[];
      const [peaks, sizes] = (await Promise.all(outputs.map((output) => output.data()))) as Float32Array[];
      const featureHeight = inputHeight / 4;
      const featureWidth = inputWidth / 4;
      const peaksPerImage = featureHeight * featureWidth * 80;
      const sizesPerImage = featureHeight * featureWidth * 4;
      const classMask = cocoClassMask(classes);
      return images.map((image, i) => {
        const raw = decodeCenternetOutputs(
          peaks.subarray(i * peaksPerImage, (i + 1) * peaksPerImage),
          sizes.subarray(i * sizesPerImage, (i + 1) * sizesPerImage),
          {
            featureWidth,
            featureHeight,
            inputWidth,
            inputHeight,
            imageWidth: image.width,
            imageHeight: image.height,
            minScore: minConfidence,
            classMask,
          },
        );
        const kept = suppressOverlappingDetections(raw, overlapIou, this.maxDetected);
        return filterDetections(kept, { minConfidence, classes, frameWidth: image.width, frameHeight: image.height });
      });
    } catch (error) {
      if (error instanceof CameramonitError) throw error;
      throw new CameramonitError('DETECTOR_FAILED', `the object detector failed on a ${inputWidth}x${inputHeight} input: ${(error as Error).message}`, 500);
    } finally {
      tf.dispose([input, ...outputs]);
    }
  }

  private async model(height: number, width: number): Promise<SyncGraphModel> {
    if (this.disposed) throw modelError('the object detector was disposed');
    const key = `${height}x${width}`;
    const cached = this.models.get(key);
    if (cached) return cached;
    const { converter, modelJsonText, weights, modelsDir } = await startRuntime();
    if (this.disposed) throw modelError('the object detector was disposed');
    const again = this.models.get(key); // another call loaded it meanwhile
    if (again) return again;
    try {
      const json = JSON.parse(modelJsonText) as ModelJson;
      patchCenternetInputShape(json, height, width);
      const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
      patchCenternetWeights(json.weightsManifest.flatMap((group) => group.weights), data, height, width);
      const model = converter.loadGraphModelSync([json as never, data]);
      this.models.set(key, model);
      return model;
    } catch (error) {
      if (error instanceof CameramonitError) throw error;
      throw modelError(`cannot load the CenterNet object model from ${modelsDir} at ${width}x${height}: ${(error as Error).message}`);
    }
  }
}

function checkImage(image: DetectorImage): void {
  if (!(image.width > 0 && image.height > 0) || image.rgb.length !== image.width * image.height * 3) {
    throw new CameramonitError(
      'INVALID_FRAME',
      `frame of ${image.width}x${image.height} needs ${image.width * image.height * 3} bytes, got ${image.rgb.length}`,
      400,
    );
  }
}
