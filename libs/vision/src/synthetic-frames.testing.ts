/** Synthetic RGB frames for unit tests (not exported from the lib). */

/** Deterministic pseudo-random numbers (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A textured gray scene: a gradient plus a fixed pattern, values 40..200. */
export function sceneGray(width: number, height: number): Float32Array {
  const random = seededRandom(7);
  const gray = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) gray[y * width + x] = 60 + (100 * x) / width + 40 * random();
  }
  return gray;
}

export interface FrameEdit {
  /** gray = gray * gain + offset for the whole frame */
  gain?: number;
  offset?: number;
  /** gaussian-ish sensor noise sigma */
  noise?: number;
  noiseSeed?: number;
  /** a filled square */
  square?: { x: number; y: number; size: number; value: number };
}

export function renderFrame(base: Float32Array, width: number, height: number, edit: FrameEdit = {}): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const random = seededRandom(edit.noiseSeed ?? 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = base[y * width + x];
      const square = edit.square;
      if (square && x >= square.x && x < square.x + square.size && y >= square.y && y < square.y + square.size) value = square.value;
      value = value * (edit.gain ?? 1) + (edit.offset ?? 0);
      if (edit.noise) value += edit.noise * (random() + random() + random() - 1.5) * 2; // approx. N(0, noise)
      const clamped = Math.max(0, Math.min(255, Math.round(value)));
      const i = (y * width + x) * 3;
      rgb[i] = clamped;
      rgb[i + 1] = clamped;
      rgb[i + 2] = clamped;
    }
  }
  return rgb;
}
