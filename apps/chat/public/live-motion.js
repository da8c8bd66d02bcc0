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

const lerp = (a, b, f) => ({ ...b, x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f, width: a.width + (b.width - a.width) * f, height: a.height + (b.height - a.height) * f });

/** A box moved on by its track's last velocity (its centre), `aheadMs` after its last point, never further than two of its last steps. */
function coast(track, aheadMs) {
  const last = track.at(-1);
  if (track.length < 2) return last.box;
  const before = track.at(-2);
  const span = last.takenAtMs - before.takenAtMs;
  const ahead = Math.min(aheadMs, 2 * span);
  const from = centre(before.box);
  const to = centre(last.box);
  return { ...last.box, x: last.box.x + ((to.x - from.x) / span) * ahead, y: last.box.y + ((to.y - from.y) / span) * ahead };
}

const inPicture = (box) => box.x + box.width > 0.02 && box.x < 0.98 && box.y + box.height > 0.02 && box.y < 0.98;

/**
 * The objects of the moments (oldest first) followed from one to the next: a box is paired with
 * the track seen in the moment before, else with one last seen the moment before that (the detector
 * missed it once), never across more than `maxGapMs`. Each track: [{ index, takenAtMs, box }].
 */
export function trackBoxes(moments, maxGapMs = 4000) {
  const tracks = [];
  moments.forEach((moment, index) => {
    let boxes = moment.boxes.map((box, j) => ({ box, j }));
    for (const back of [1, 2]) {
      const open = tracks.filter((track) => track.at(-1).index === index - back && moment.takenAtMs - track.at(-1).takenAtMs <= maxGapMs);
      if (!open.length || !boxes.length) continue;
      // where each would be now, going on as it went
      const expected = open.map((track) => coast(track, moment.takenAtMs - track.at(-1).takenAtMs));
      const paired = new Set();
      for (const [i, k] of pairBoxes(expected, boxes.map((b) => b.box))) {
        open[i].push({ index, takenAtMs: moment.takenAtMs, box: boxes[k].box });
        paired.add(k);
      }
      boxes = boxes.filter((_, k) => !paired.has(k));
    }
    for (const { box } of boxes) tracks.push([{ index, takenAtMs: moment.takenAtMs, box }]);
  });
  return tracks;
}

/**
 * The tracks of a list of moments, followed once per list: the page draws every frame (each tile of
 * a grid of 16), and its list is a new one only when a message came (lists are not changed once made).
 */
const tracksOfMoments = new WeakMap();
function tracksOf(moments, maxGapMs) {
  const made = tracksOfMoments.get(moments);
  if (made?.maxGapMs === maxGapMs) return made.tracks;
  const tracks = trackBoxes(moments, maxGapMs);
  tracksOfMoments.set(moments, { maxGapMs, tracks });
  return tracks;
}

/**
 * The boxes of the picture taken at `at` (worker's clock), from the key frames' boxes around it
 * (`moments`: { takenAtMs, boxes }, oldest first), each object followed from moment to moment
 * (trackBoxes): between two of its sightings it moves from one to the other; after its last it goes
 * on the way it was going (while no later moment says it is gone: missed twice, or missed once
 * while going out of the picture), at most `holdMs`; before its first it shows from half-way after
 * the moment before. `current` false: no moment is near enough in time (the worker stopped
 * looking, the picture is far behind or ahead), so none should be drawn as what is there now.
 */
export function liveBoxesAt(moments, at, { holdMs = 2500, maxGapMs = 4000, leadMs = 1000 } = {}) {
  const before = moments.findLast((moment) => moment.takenAtMs <= at) ?? null;
  const after = moments.find((moment) => moment.takenAtMs > at) ?? null;
  const current = Boolean((before && at - before.takenAtMs <= holdMs) || (before && after && after.takenAtMs - before.takenAtMs <= maxGapMs) || (!before && after && after.takenAtMs - at <= leadMs));
  if (!current) return { boxes: [], current: false };
  const boxes = [];
  for (const track of tracksOf(moments, maxGapMs)) {
    const first = track[0];
    const last = track.at(-1);
    if (at < first.takenAtMs) {
      const previous = moments[first.index - 1];
      const from = previous && first.takenAtMs - previous.takenAtMs <= maxGapMs ? (previous.takenAtMs + first.takenAtMs) / 2 : first.takenAtMs - leadMs;
      if (at >= from) boxes.push(first.box);
    } else if (at <= last.takenAtMs) {
      const k = track.findIndex((point) => point.takenAtMs >= at);
      const [a, b] = [track[Math.max(0, k - 1)], track[k]];
      boxes.push(a === b ? b.box : lerp(a.box, b.box, (at - a.takenAtMs) / (b.takenAtMs - a.takenAtMs)));
    } else {
      const next = moments[last.index + 1];
      const ahead = Math.min(at - last.takenAtMs, holdMs);
      const moved = coast(track, ahead);
      // seen no more: gone once half-way to the moment that missed it, unless that was one miss in the middle of the picture
      const missedTwice = Boolean(moments[last.index + 2]);
      const goingOut = next && !inPicture(coast(track, next.takenAtMs - last.takenAtMs));
      if (next && (missedTwice || goingOut) && at > (last.takenAtMs + next.takenAtMs) / 2) continue;
      if (at - last.takenAtMs > holdMs) continue;
      if (!inPicture(moved)) continue;
      boxes.push(moved);
    }
  }
  return { boxes: boxes.map(clamp), current };
}
