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

/** A scene with strong edges (fences, poles, windows): bars 16 px wide and a few horizontal lines, values 50..200. */
export function edgesScene(width: number, height: number): Float32Array {
  const gray = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bar = Math.floor(x / 16) % 2 === 0 ? 60 : 170;
      const line = y % 40 < 4 ? 40 : 0;
      gray[y * width + x] = Math.min(200, bar + line + (y * 20) / height);
    }
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
  /** camera shake: the scene is seen moved by (dx, dy) pixels */
  shift?: { dx: number; dy: number };
  /** lighting that varies over the picture: gray = gray * light(x, y) (a lamp, a cloud shadow) */
  light?: (x: number, y: number) => number;
  /** compression artefacts: this fraction of the 8x8 blocks gets a random offset of up to +-amplitude */
  blocks?: { fraction: number; amplitude: number; seed: number };
  /** leaves or a flag: inside the area, clumps of 6x6 pixels are re-drawn at random (+-amplitude) each frame */
  flicker?: { x: number; y: number; width: number; height: number; amplitude: number; seed: number };
}

export function renderFrame(base: Float32Array, width: number, height: number, edit: FrameEdit = {}): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const random = seededRandom(edit.noiseSeed ?? 1);
  const blockRandom = seededRandom(edit.blocks?.seed ?? 1);
  const blocksX = Math.ceil(width / 8);
  const blockOffsets = new Float32Array(blocksX * Math.ceil(height / 8));
  if (edit.blocks) {
    for (let i = 0; i < blockOffsets.length; i++) {
      if (blockRandom() < edit.blocks.fraction) blockOffsets[i] = (blockRandom() * 2 - 1) * edit.blocks.amplitude;
    }
  }
  const flickerRandom = seededRandom(edit.flicker?.seed ?? 1);
  const clumps = new Float32Array(Math.ceil(width / 6) * Math.ceil(height / 6)).map(() => flickerRandom() * 2 - 1);
  const dx = Math.round(edit.shift?.dx ?? 0);
  const dy = Math.round(edit.shift?.dy ?? 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.min(width - 1, Math.max(0, x - dx));
      const sy = Math.min(height - 1, Math.max(0, y - dy));
      let value = base[sy * width + sx];
      const flicker = edit.flicker;
      if (flicker && x >= flicker.x && x < flicker.x + flicker.width && y >= flicker.y && y < flicker.y + flicker.height) {
        value += clumps[Math.floor(y / 6) * Math.ceil(width / 6) + Math.floor(x / 6)] * flicker.amplitude;
      }
      const square = edit.square;
      if (square && x >= square.x && x < square.x + square.size && y >= square.y && y < square.y + square.size) value = square.value;
      if (edit.light) value *= edit.light(x, y);
      value += blockOffsets[(y >> 3) * blocksX + (x >> 3)];
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
