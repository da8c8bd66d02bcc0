/**
 * The COCO object detector: CenterNet (MobileNetV3) from @vladmandic/human's model files, run on
 * the tfjs WASM backend directly (tfjs-converter GraphModel; human's own pipeline is not used).
 * Model files are read from node_modules (no download at run time). The only file that imports
 * human or tfjs.
 *
 * Speed (see docs/video-analysis.md): the graph is fully convolutional; once its three upsamplings
 * follow the feature maps instead of 512 px constants (makeCenternetAnySize), one model takes any
 * input size (multiples of 32) and a batch. Only its heads ("peaks" and box sizes) are run and they
 * are decoded in TypeScript (centernet-output.decoder.ts), so several crops go through one call.
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
   * shorter side keeps the frame's aspect ratio (default 320; 512 is the model's native size, slower)
   */
  inputSize?: number;
  /** square model inputs for crops (detectBatch), multiples of 32 in 128..512 (default [128, 192, 256]) */
  cropSizes?: readonly number[];
  /** at most this many crops in one model call (default 4) */
  maxBatch?: number;
  /** at most this many objects per image (default 30) */
  maxDetected?: number;
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: { shape?: { shape?: { dim?: { size: string }[] } } } & Record<string, unknown>;
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
  modelTopology?: { node?: GraphNode[] };
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

/** The whole-frame model input's longer side when none is given (DETECTOR_INPUT_SIZE's default too). */
export const defaultDetectorInputSize = 320;

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

/** The FPN upsamplings of CenterNet's head and the feature map each one must match in size. */
const centernetUpsamplings: [resize: string, partner: string][] = [
  ['tower_0/CenternetHead/c5_upsample/up_sampling2d/ResizeBilinear', 'tower_0/CenternetHead/c4_reverse/3x3/BatchNorm/FusedBatchNorm'],
  ['tower_0/CenternetHead/c4_upsample/up_sampling2d_1/ResizeBilinear', 'tower_0/CenternetHead/c3_reverse/3x3/BatchNorm/FusedBatchNorm'],
  ['tower_0/CenternetHead/c3_upsample/up_sampling2d_2/ResizeBilinear', 'tower_0/CenternetHead/c2_reverse/3x3/BatchNorm/FusedBatchNorm'],
];
const sliceConstants: [name: string, value: number][] = [
  ['cameramonit/height_width/begin', 1],
  ['cameramonit/height_width/end', 3],
  ['cameramonit/height_width/strides', 1],
];

/**
 * Makes CenterNet take any input size (multiples of 32) and a batch, in one model: its three FPN
 * upsamplings resize to int32 constants baked for 512 px; they are rewired to the height and width
 * of the feature map they are concatenated with (Shape -> StridedSlice [1:3]), the input is declared
 * [-1, -1, -1, 3], and the slice bounds are appended to the weights. Only the heads are run, so the
 * graph's own post-processing (which is built for 512 px and one image) is left alone.
 * Returns the weights with the appended constants.
 */
export function makeCenternetAnySize(json: ModelJson, weights: ArrayBuffer): ArrayBuffer {
  const nodes = json.modelTopology?.node;
  const groups = json.weightsManifest;
  if (!nodes || groups.length === 0) throw modelError('centernet.json has no graph; cannot prepare the model');
  const setDims = (dims: { size: string }[] | undefined) => {
    if (!dims || dims.length !== 4) throw modelError('centernet.json has an unexpected input shape; cannot prepare the model');
    for (let i = 0; i < 3; i++) dims[i].size = '-1';
  };
  for (const input of Object.values(json.signature?.inputs ?? {})) setDims(input.tensorShape?.dim);
  setDims(nodes.find((node) => node.op === 'Placeholder')?.attr?.shape?.shape?.dim);
  const int32 = { type: 'DT_INT32' };
  for (const [name] of sliceConstants) {
    nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '1' }] } } }, dtype: int32 } });
  }
  for (const [resizeName, partner] of centernetUpsamplings) {
    const resize = nodes.find((node) => node.name === resizeName);
    if (!resize?.input || resize.input.length !== 2 || !nodes.some((node) => node.name === partner)) {
      throw modelError(`centernet.json has an unexpected head (${resizeName}); cannot prepare the model`);
    }
    const shape = `${resizeName}/cameramonit_shape`;
    const heightWidth = `${resizeName}/cameramonit_height_width`;
    nodes.push({ name: shape, op: 'Shape', input: [partner], attr: { T: { type: 'DT_FLOAT' }, out_type: int32 } });
    nodes.push({
      name: heightWidth,
      op: 'StridedSlice',
      input: [shape, ...sliceConstants.map(([name]) => name)],
      attr: {
        T: int32,
        Index: int32,
        begin_mask: { i: '0' },
        end_mask: { i: '0' },
        ellipsis_mask: { i: '0' },
        new_axis_mask: { i: '0' },
        shrink_axis_mask: { i: '0' },
      },
    });
    resize.input[1] = heightWidth;
  }
  groups[groups.length - 1].weights.push(...sliceConstants.map(([name]) => ({ name, shape: [1], dtype: 'int32' })));
  const extended = new ArrayBuffer(weights.byteLength + sliceConstants.length * 4);
  new Uint8Array(extended).set(new Uint8Array(weights));
  const view = new DataView(extended);
  sliceConstants.forEach(([, value], i) => view.setInt32(weights.byteLength + i * 4, value, true));
  return extended;
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

/** COCO objects with CenterNet on the tfjs WASM backend. Loads the model on first use (~0.2 s). */
export class HumanObjectDetector implements ObjectDetector {
  private readonly minConfidence: number;
  private readonly classes: readonly string[] | null;
  private readonly inputSize: number;
  readonly cropSizes: readonly number[];
  private readonly maxBatch: number;
  private readonly maxDetected: number;
  private graph: SyncGraphModel | null = null;
  private disposed = false;

  constructor(options: HumanObjectDetectorOptions = {}) {
    this.minConfidence = options.minConfidence ?? 0.3;
    this.classes = options.classes === undefined ? defaultDetectedClasses : options.classes;
    this.inputSize = options.inputSize ?? defaultDetectorInputSize;
    this.cropSizes = [...(options.cropSizes ?? [128, 192, 256])].sort((a, b) => a - b);
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 4));
    this.maxDetected = options.maxDetected ?? 30;
    validateSize('inputSize', this.inputSize);
    if (this.cropSizes.length === 0) throw new CameramonitError('INVALID_DETECTOR_OPTION', 'detector cropSizes must name at least one size', 400);
    for (const size of this.cropSizes) validateSize('cropSizes', size);
  }

  /** Starts tfjs and loads the model now (otherwise the first detect() does). */
  async load(): Promise<void> {
    await this.model();
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
    this.graph?.dispose();
    this.graph = null;
  }

  private async run(images: readonly DetectorImage[], inputHeight: number, inputWidth: number, request: DetectionRequest): Promise<Detection[][]> {
    if (images.length === 0) return [];
    const model = await this.model();
    const { tf } = await startRuntime();
    const minConfidence = request.minConfidence ?? this.minConfidence;
    const classes = request.classes === undefined ? this.classes : request.classes;
    const input = tf.tidy(() => {
      const resized = images.map((image) => {
        // float32 from the bytes: V8 converts Uint8Array to Float32Array about ten times faster than to Int32Array, and the model wants floats
        const pixels = tf.tensor3d(new Float32Array(image.rgb), [image.height, image.width, 3], 'float32') as Tensor3D;
        return image.width === inputWidth && image.height === inputHeight ? pixels : tf.image.resizeBilinear(pixels, [inputHeight, inputWidth]);
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

  private async model(): Promise<SyncGraphModel> {
    if (this.disposed) throw modelError('the object detector was disposed');
    if (this.graph) return this.graph;
    const { converter, modelJsonText, weights, modelsDir } = await startRuntime();
    if (this.disposed) throw modelError('the object detector was disposed');
    if (this.graph) return this.graph; // another call loaded it meanwhile
    try {
      const json = JSON.parse(modelJsonText) as ModelJson;
      const data = makeCenternetAnySize(json, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer);
      this.graph = converter.loadGraphModelSync([json as never, data]);
      return this.graph;
    } catch (error) {
      if (error instanceof CameramonitError) throw error;
      throw modelError(`cannot load the CenterNet object model from ${modelsDir}: ${(error as Error).message}`);
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
