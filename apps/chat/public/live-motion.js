// Live boxes that follow the picture. The worker runs the detector on the live picture's key frames
// and says when each was taken, on its clock (`takenAtMs`, told from when the stream's fragments
// came). The browser plays the camera's picture a little later, and moves on between key frames; so
// it works out when the picture it shows was taken (from when that picture's fragment came, the same
// way), on the worker's clock (told by when the worker's messages come), and draws the boxes of that
// moment: between two key frames' boxes it moves each object from one to the other, after the newest
// it moves each on the way it was going. Plain ES module, no DOM: the page and the tests use it.

/** the smallest of the last `size` numbers added; a number above the smallest by more than `jump` starts over */
class LeastRecent {
  constructor(size = 20, jump = Infinity) {
    this.size = size;
    this.jump = jump;
    this.values = [];
  }

  add(value) {
    if (!Number.isFinite(value)) return;
    const least = this.least();
    if (least !== null && value > least + this.jump) this.values = [];
    this.values.push(value);
    if (this.values.length > this.size) this.values.shift();
  }

  least() {
    return this.values.length ? Math.min(...this.values) : null;
  }

  clear() {
    this.values = [];
  }
}

/**
 * When the picture at a media time of the live <video> was taken, on the worker's clock. A fragment
 * comes whole once the picture after its last has been taken, so "came − the media time it ends" is
 * the stream's delay plus a constant, the least of the recent ones ties media time to this browser's
 * clock (libs/media/src/live-clock.ts does the same on the worker); "came − sent" of the worker's
 * messages, the least of the recent ones, ties this browser's clock to the worker's.
 */
export class LiveClock {
  constructor() {
    this.arrivals = new LeastRecent(20, 1000);
    this.skews = new LeastRecent(20);
  }

  /** A new stream: its media times start over. */
  reset() {
    this.arrivals.clear();
  }

  /** Pictures up to media time `mediaEnd` (seconds) came in with bytes that arrived at `arrivedAtMs` (this browser's clock). */
  fragment(mediaEnd, arrivedAtMs) {
    this.arrivals.add(arrivedAtMs - mediaEnd * 1000);
  }

  /** A message the worker sent at `sentAtMs` (its clock) came at `receivedAtMs` (this browser's clock). */
  message(sentAtMs, receivedAtMs) {
    if (typeof sentAtMs === 'number') this.skews.add(receivedAtMs - sentAtMs);
  }

  /** When the picture at `mediaTime` (seconds) was taken, on the worker's clock; null until both are known. */
  takenAt(mediaTime) {
    const arrival = this.arrivals.least();
    const skew = this.skews.least();
    if (arrival === null || skew === null || !Number.isFinite(mediaTime)) return null;
    return mediaTime * 1000 + arrival - skew;
  }
}

const centre = (box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

/**
 * The boxes of one moment paired with those of another: the same label, the nearest first, not
 * further apart than three times their size, nor more than three times larger. [i, j] pairs.
 */
export function pairBoxes(from, to) {
  const candidates = [];
  from.forEach((a, i) => {
    to.forEach((b, j) => {
      if (a.label !== b.label) return;
      const areaRatio = (a.width * a.height) / Math.max(1e-9, b.width * b.height);
      if (areaRatio > 3 || areaRatio < 1 / 3) return;
      const ca = centre(a);
      const cb = centre(b);
      const size = Math.max((a.width + b.width) / 2, (a.height + b.height) / 2, 1e-6);
      const distance = Math.hypot(ca.x - cb.x, ca.y - cb.y) / size;
      if (distance <= 3) candidates.push({ i, j, distance });
    });
  });
  candidates.sort((p, q) => p.distance - q.distance);
  const usedFrom = new Set();
  const usedTo = new Set();
  const pairs = [];
  for (const { i, j } of candidates) {
    if (usedFrom.has(i) || usedTo.has(j)) continue;
    usedFrom.add(i);
    usedTo.add(j);
    pairs.push([i, j]);
  }
  return pairs;
}

const clamp = (box) => {
  const width = Math.min(1, Math.max(0, box.width));
  const height = Math.min(1, Math.max(0, box.height));
  return { ...box, x: Math.min(1 - width, Math.max(0, box.x)), y: Math.min(1 - height, Math.max(0, box.y)), width, height };
};

/** The boxes a fraction `f` of the way from one moment's to the next: paired ones move, the others show on their own side of half-way. */
export function interpolateBoxes(from, to, f) {
  const pairs = pairBoxes(from, to);
  const pairedFrom = new Set(pairs.map(([i]) => i));
  const pairedTo = new Set(pairs.map(([, j]) => j));
  const moved = pairs.map(([i, j]) => {
    const a = from[i];
    const b = to[j];
    return { ...b, x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f, width: a.width + (b.width - a.width) * f, height: a.height + (b.height - a.height) * f };
  });
  const alone = f < 0.5 ? from.filter((_, i) => !pairedFrom.has(i)) : to.filter((_, j) => !pairedTo.has(j));
  return [...moved, ...alone].map(clamp);
}

/** The newest moment's boxes `aheadMs` after it, each paired one moved on the way it went since the moment before. */
export function extrapolateBoxes(previous, newest, aheadMs) {
  const span = newest.takenAtMs - previous.takenAtMs;
  const pairs = new Map(pairBoxes(previous.boxes, newest.boxes).map(([i, j]) => [j, i]));
  return newest.boxes.map((box, j) => {
    const i = pairs.get(j);
    if (i === undefined || !(span > 0)) return clamp(box);
    const from = centre(previous.boxes[i]);
    const to = centre(box);
    return clamp({ ...box, x: box.x + ((to.x - from.x) / span) * aheadMs, y: box.y + ((to.y - from.y) / span) * aheadMs });
  });
}

/**
 * The boxes of the picture taken at `at` (worker's clock), from the key frames' boxes around it
 * (`moments`: { takenAtMs, boxes }, oldest first). `current` false: none is near enough in time
 * (the worker stopped looking, the picture is far behind or ahead), so none should be drawn as
 * what is there now.
 */
export function liveBoxesAt(moments, at, { holdMs = 2500, maxGapMs = 4000, leadMs = 1000 } = {}) {
  let before = null;
  let previous = null;
  let after = null;
  for (const moment of moments) {
    if (moment.takenAtMs <= at) {
      previous = before;
      before = moment;
    } else {
      after = moment;
      break;
    }
  }
  if (before && after && after.takenAtMs - before.takenAtMs <= maxGapMs) {
    return { boxes: interpolateBoxes(before.boxes, after.boxes, (at - before.takenAtMs) / (after.takenAtMs - before.takenAtMs)), current: true };
  }
  if (before && at - before.takenAtMs <= holdMs) {
    if (previous && before.takenAtMs - previous.takenAtMs <= maxGapMs) {
      // never further ahead than the two moments were apart
      const ahead = Math.min(at - before.takenAtMs, before.takenAtMs - previous.takenAtMs);
      return { boxes: extrapolateBoxes(previous, before, ahead), current: true };
    }
    return { boxes: before.boxes.map(clamp), current: true };
  }
  if (!before && after && after.takenAtMs - at <= leadMs) return { boxes: after.boxes.map(clamp), current: true };
  return { boxes: [], current: false };
}
