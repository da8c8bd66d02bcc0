import type { Detection } from '@cameramonit/contracts';

/** A packed RGB image (3 bytes per pixel): a frame or a crop of one. */
export interface DetectorImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** What one call should report; what is not given falls back to the detector's own options. */
export interface DetectionRequest {
  /** COCO labels to report; null = all 80 */
  classes?: readonly string[] | null;
  /** drop detections below this score */
  minConfidence?: number;
}

/** Finds objects in RGB images. Boxes are in the given image's pixels. */
export interface ObjectDetector {
  /** one whole frame */
  detect(rgb: Uint8Array, width: number, height: number, request?: DetectionRequest): Promise<Detection[]>;
  /**
   * Several square crops at once: crops of the same size in one model call where the model takes a
   * batch. A crop whose side is one of `cropSizes` runs at that size, others are scaled to the
   * largest. Optional: without it, detect() runs per crop.
   */
  detectBatch?(images: readonly DetectorImage[], request?: DetectionRequest): Promise<Detection[][]>;
  /** square model inputs for crops, in pixels (the frame loop cuts crops at these sizes; default [128, 192, 256]) */
  readonly cropSizes?: readonly number[];
  /** frees the model; the detector cannot be used afterwards */
  dispose(): Promise<void>;
}

export { defaultDetectedClasses } from '@cameramonit/contracts';

/** Labels other COCO-trained models use for the same classes (VOC and older exports). */
const cocoAliases: Record<string, string> = {
  motorbike: 'motorcycle',
  aeroplane: 'airplane',
  sofa: 'couch',
  tvmonitor: 'tv',
  pottedplant: 'potted plant',
  diningtable: 'dining table',
  people: 'person',
  pedestrian: 'person',
  van: 'truck',
};

/** The COCO name for a detector's label ("Motorbike" -> "motorcycle"). */
export function toCocoLabel(label: string): string {
  const normalised = label.trim().toLowerCase().replace(/_/g, ' ');
  return cocoAliases[normalised] ?? normalised;
}

export interface DetectionFilter {
  minConfidence: number;
  /** COCO labels to keep; null keeps every class */
  classes: readonly string[] | null;
  frameWidth: number;
  frameHeight: number;
}

/** COCO labels, confidence and class filter, boxes clipped to the frame; the most confident first. */
export function filterDetections(detections: Detection[], filter: DetectionFilter): Detection[] {
  const wanted = filter.classes ? new Set(filter.classes.map(toCocoLabel)) : null;
  const kept: Detection[] = [];
  for (const detection of detections) {
    const label = toCocoLabel(detection.label);
    if (detection.confidence < filter.minConfidence) continue;
    if (wanted && !wanted.has(label)) continue;
    const x = Math.max(0, detection.box.x);
    const y = Math.max(0, detection.box.y);
    const width = Math.min(filter.frameWidth, detection.box.x + detection.box.width) - x;
    const height = Math.min(filter.frameHeight, detection.box.y + detection.box.height) - y;
    if (width <= 1 || height <= 1) continue;
    kept.push({ label, confidence: detection.confidence, box: { x, y, width, height } });
  }
  return kept.sort((a, b) => b.confidence - a.confidence);
}
