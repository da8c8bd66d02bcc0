// A live camera's picture in its thread: live (fragmented MP4 through MediaSource, the camera's own
// H.264, not re-encoded), the last 60 seconds playing in a loop, and its recordings on a timeline
// with the events marked (click to play from there, clip after clip; pick a range to download it as
// one MP4 or to share it with a link that expires). Plain ES module, no build step; it needs from
// the page the login token (localStorage), the open camera (the cameramonit:camera-selected event)
// and the camera's live state (cameramonit:camera-status).

import { LiveClock, liveBoxesAt } from './live-motion.js';

const TOKEN_KEY = 'cameramonit.token';
const LANG_KEY = 'cameramonit.lang';

const STRINGS = {
  en: {
    open: 'Watch', live: 'Live', loop: 'Last 60 s', recordings: 'Recordings', close: 'Close',
    connecting: 'Connecting…', playing: (size) => `Live · ${size}`, behind: (s) => `${s} s behind`, reconnecting: 'The stream stopped; reconnecting…',
    unsupported: 'This browser cannot play the live picture (it needs MediaSource with H.264).',
    state: { starting: 'Connecting to the camera…', offline: 'The camera is offline', 'auth-failed': 'The camera refused its password', 'not-found': 'The camera has no such stream', stopped: 'The camera is not being recorded' },
    loopLoading: 'Loading the last 60 seconds…', loopPlaying: (from, to) => `Last 60 s (${from}–${to}), in a loop`,
    loopPlayingSub: (from, to) => `Last 60 s (${from}–${to}), in a loop, from the camera's sub-stream: this browser cannot play its main stream (H.265)`, nothingRecorded: 'Nothing recorded in that time.',
    hours: (n) => `${n} h`, recorded: 'recorded', events: 'events', playingAt: (time) => `Recording at ${time}`, pickRange: 'Drag over the timeline to pick a range to export or share.',
    range: (from, to, s) => `${from}–${to} (${s})`, download: 'Download MP4', share: 'Share link', shareHours: 'valid for', copied: 'Link copied', shareMade: (until) => `Anyone with this link can watch until ${until}:`,
    failed: 'Failed', noRecording: 'No recording at that moment.', ago: (s) => `${s} s ago`, now: 'now',
    playingSub: (time) => `Recording at ${time}, from the camera's sub-stream: this browser cannot play its main stream (H.265)`,
    cannotPlay: "This browser cannot play this camera's recordings (H.265), and the camera has no sub-stream to play instead.",
    reencoded: 're-encoded to H.264 for this browser (the camera sends H.265)',
    playingReencoded: (time) => `Recording at ${time}, re-encoded to H.264 for this browser (the camera sends H.265 and has no sub-stream)`,
    loopPlayingReencoded: (from, to) => `Last 60 s (${from}–${to}), in a loop, re-encoded to H.264 for this browser (the camera sends H.265 and has no sub-stream)`,
    loopReencoding: 'Re-encoding the last 60 seconds for this browser…',
  },
  pl: {
    open: 'Podgląd', live: 'Na żywo', loop: 'Ostatnie 60 s', recordings: 'Nagrania', close: 'Zamknij',
    connecting: 'Łączenie…', playing: (size) => `Na żywo · ${size}`, behind: (s) => `${s} s opóźnienia`, reconnecting: 'Strumień przerwany; ponowne łączenie…',
    unsupported: 'Ta przeglądarka nie odtworzy obrazu na żywo (potrzebne MediaSource z H.264).',
    state: { starting: 'Łączenie z kamerą…', offline: 'Kamera jest offline', 'auth-failed': 'Kamera odrzuciła hasło', 'not-found': 'Kamera nie ma takiego strumienia', stopped: 'Kamera nie jest nagrywana' },
    loopLoading: 'Wczytywanie ostatnich 60 sekund…', loopPlaying: (from, to) => `Ostatnie 60 s (${from}–${to}), w pętli`,
    loopPlayingSub: (from, to) => `Ostatnie 60 s (${from}–${to}), w pętli, ze strumienia pomocniczego kamery: ta przeglądarka nie odtworzy jej strumienia głównego (H.265)`, nothingRecorded: 'W tym czasie nic nie nagrano.',
    hours: (n) => `${n} h`, recorded: 'nagrane', events: 'zdarzenia', playingAt: (time) => `Nagranie z ${time}`, pickRange: 'Zaznacz zakres na osi czasu, aby go pobrać lub udostępnić.',
    range: (from, to, s) => `${from}–${to} (${s})`, download: 'Pobierz MP4', share: 'Udostępnij link', shareHours: 'ważny przez', copied: 'Skopiowano link', shareMade: (until) => `Każdy z tym linkiem może oglądać do ${until}:`,
    failed: 'Błąd', noRecording: 'Brak nagrania w tej chwili.', ago: (s) => `${s} s temu`, now: 'teraz',
    playingSub: (time) => `Nagranie z ${time}, ze strumienia pomocniczego kamery: ta przeglądarka nie odtworzy jej strumienia głównego (H.265)`,
    cannotPlay: 'Ta przeglądarka nie odtworzy nagrań tej kamery (H.265), a kamera nie ma strumienia pomocniczego.',
    reencoded: 'przekodowany do H.264 dla tej przeglądarki (kamera wysyła H.265)',
    playingReencoded: (time) => `Nagranie z ${time}, przekodowane do H.264 dla tej przeglądarki (kamera wysyła H.265 i nie ma strumienia pomocniczego)`,
    loopPlayingReencoded: (from, to) => `Ostatnie 60 s (${from}–${to}), w pętli, przekodowane do H.264 dla tej przeglądarki (kamera wysyła H.265 i nie ma strumienia pomocniczego)`,
    loopReencoding: 'Przekodowywanie ostatnich 60 sekund dla tej przeglądarki…',
  },
};
const lang = () => (localStorage.getItem(LANG_KEY) === 'pl' ? 'pl' : 'en');
const t = (key, ...args) => {
  const value = STRINGS[lang()][key] ?? STRINGS.en[key];
  return typeof value === 'function' ? value(...args) : value;
};

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

const token = () => localStorage.getItem(TOKEN_KEY);
const pad = (n) => String(n).padStart(2, '0');
const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
const seconds = (s) => (s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

async function call(path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    headers: { Accept: 'application/json', Authorization: `Bearer ${token()}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error(data?.message || `${response.status} ${response.statusText}`), { status: response.status, code: data?.code });
  return data;
}

/**
 * Feeds fragmented MP4 bytes to a <video> through MediaSource, staying near the live edge; says
 * when the pictures up to each new media time came (`onMedia(mediaEnd, arrivedAtMs)`), so the live
 * boxes can be drawn for the picture shown (LiveClock).
 */
class MseSink {
  constructor(video, codec, onMedia = () => undefined) {
    this.video = video;
    this.onMedia = onMedia;
    /** the bytes being appended, with when they came */
    this.appending = null;
    /** the furthest the buffered media has reached, and how far each of the last appends moved it (seconds) */
    this.bufferedEnd = 0;
    this.steps = [];
    this.mime = `video/mp4; codecs="${codec || 'avc1.640028'}"`;
    this.queue = [];
    this.buffer = null;
    this.source = null;
    this.objectUrl = null;
  }

  get supported() {
    return Boolean(window.MediaSource && MediaSource.isTypeSupported(this.mime));
  }

  async open() {
    const source = new MediaSource();
    this.source = source;
    this.objectUrl = URL.createObjectURL(source);
    this.video.src = this.objectUrl;
    await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
    const buffer = source.addSourceBuffer(this.mime);
    // sequence: a gap (a slow moment, skipped fragments) is closed up, never waited for
    buffer.mode = 'sequence';
    buffer.addEventListener('updateend', () => {
      const ranges = this.video.buffered;
      if (ranges.length) {
        const end = ranges.end(ranges.length - 1);
        if (this.appending && end > this.bufferedEnd + 0.001) {
          this.onMedia(end, this.appending.arrivedAtMs);
          // the stream's step: its usual fragment (half a second from the recorder, a key-frame interval from a re-encoding), the median of the last few
          if (this.bufferedEnd > 0) this.steps = [...this.steps, end - this.bufferedEnd].slice(-9);
        }
        const step = this.steps.length ? [...this.steps].sort((a, b) => a - b)[Math.floor(this.steps.length / 2)] : 0.5;
        this.bufferedEnd = Math.max(this.bufferedEnd, end);
        // joined between two key frames (the fragments since the last came at once), a tab in the
        // background, a slow moment: jump to the live edge rather than lag behind
        if (end - this.video.currentTime > step + 1) this.video.currentTime = Math.max(ranges.start(ranges.length - 1), end - Math.min(step, 0.5));
      }
      this.pump();
    });
    this.buffer = buffer;
    this.video.play().catch(() => undefined);
    this.pump();
  }

  /** Bytes of the stream, which came at `arrivedAtMs`. */
  append(bytes, arrivedAtMs = Date.now()) {
    this.queue.push({ bytes, arrivedAtMs });
    this.pump();
  }

  pump() {
    const buffer = this.buffer;
    if (!buffer || buffer.updating || this.source?.readyState !== 'open') return;
    const ranges = this.video.buffered;
    // only the last seconds are kept
    if (ranges.length && this.video.currentTime - ranges.start(0) > 30) {
      buffer.remove(0, this.video.currentTime - 10);
      return;
    }
    this.appending = this.queue.shift() ?? null;
    if (this.appending) buffer.appendBuffer(this.appending.bytes);
  }

  lag() {
    const ranges = this.video.buffered;
    return ranges.length ? ranges.end(ranges.length - 1) - this.video.currentTime : 0;
  }

  close() {
    this.queue = [];
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = null;
    this.buffer = null;
    this.source = null;
  }
}

let streamCounter = 0;

/**
 * Plays a camera's live picture: the recorder's fragmented MP4 (the camera's own H.264) through
 * MediaSource. It comes over the page's socket.io connection when there is one (any number of
 * cameras share one WebSocket: a grid of 16 is not held up by the browser's six HTTP connections
 * per host), else by a streamed fetch of /api/cameras/:id/live.mp4. When the stream ends (the
 * camera or the recorder restarted) it connects again.
 */
export class LivePlayer {
  /** options.stream 'sub': the camera's sub-stream when it has one (the grid: many small pictures) */
  constructor(video, onStatus, socket = null, options = {}) {
    this.video = video;
    this.onStatus = onStatus;
    this.socket = socket;
    this.stream = options.stream === 'sub' ? 'sub' : 'main';
    /** when the picture shown was taken (the live boxes follow it) */
    this.clock = new LiveClock();
    this.stopped = true;
    this.cleanup = null;
    this.sink = null;
    this.timer = null;
  }

  async start(cameraId) {
    this.stop();
    this.stopped = false;
    this.cameraId = cameraId;
    this.onStatus({ kind: 'connecting' });
    const socket = this.socket ?? window.cameramonitSocket ?? null;
    if (socket?.connected) this.viaSocket(socket, cameraId);
    else await this.viaFetch(cameraId);
  }

  /** A stream began: its codec and size are known; MediaSource opens. */
  async began(codec, size, stream) {
    // which of the camera's streams plays (main; sub: asked for, or an H.265 camera's H.264 sub-stream; reencoded: an H.265 camera without one, re-encoded by its recorder)
    this.video.dataset.stream = stream || 'main';
    this.clock.reset();
    const sink = new MseSink(this.video, codec, (mediaEnd, arrivedAtMs) => this.clock.fragment(mediaEnd, arrivedAtMs));
    if (!sink.supported) {
      this.cleanup?.();
      return this.onStatus({ kind: 'error', message: t('unsupported') });
    }
    this.sink = sink;
    await sink.open();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.onStatus({ kind: 'playing', size, lag: sink.lag(), stream: stream || 'main' }), 1000);
  }

  viaSocket(socket, cameraId) {
    const streamId = `live-${++streamCounter}`;
    let pending = [];
    const onStart = async (payload) => {
      if (payload?.streamId !== streamId) return;
      await this.began(payload.codec, payload.size || '', payload.stream);
      for (const { bytes, arrivedAtMs } of pending) this.sink?.append(bytes, arrivedAtMs);
      pending = [];
    };
    const onData = (payload, ack) => {
      if (payload?.streamId === streamId) {
        const bytes = new Uint8Array(payload.chunk);
        if (this.sink?.buffer) this.sink.append(bytes);
        else pending.push({ bytes, arrivedAtMs: Date.now() });
      }
      if (typeof ack === 'function') ack();
    };
    const onEnd = (payload) => {
      if (payload?.streamId !== streamId) return;
      this.cleanup?.();
      if (payload.status === 503 || payload.code === 'STREAM_ENDED' || payload.code === 'RECORDER_UNAVAILABLE') this.retry(payload.message);
      else this.onStatus({ kind: 'error', message: payload.message, code: payload.code });
    };
    const onDisconnect = () => {
      this.cleanup?.();
      this.retry(t('reconnecting'));
    };
    socket.on('live:start', onStart);
    socket.on('live:data', onData);
    socket.on('live:end', onEnd);
    socket.on('disconnect', onDisconnect);
    this.cleanup = () => {
      socket.off('live:start', onStart);
      socket.off('live:data', onData);
      socket.off('live:end', onEnd);
      socket.off('disconnect', onDisconnect);
      if (socket.connected) socket.emit('live:stop', { streamId });
      this.cleanup = null;
    };
    socket.emit('live:watch', { cameraId, streamId, stream: this.stream });
  }

  async viaFetch(cameraId) {
    const abort = new AbortController();
    this.cleanup = () => {
      abort.abort();
      this.cleanup = null;
    };
    let response;
    try {
      response = await fetch(`/api/cameras/${encodeURIComponent(cameraId)}/live.mp4${this.stream === 'sub' ? '?stream=sub' : ''}`, { headers: { Authorization: `Bearer ${token()}` }, signal: abort.signal });
    } catch (error) {
      if (!abort.signal.aborted) this.retry(error.message);
      return;
    }
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      this.onStatus({ kind: 'error', message: data?.message || `${response.status}`, code: data?.code });
      if (response.status === 503) this.retryLater(5000);
      return;
    }
    await this.began(response.headers.get('x-codec'), response.headers.get('x-video-size') || '', response.headers.get('x-stream'));
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.sink?.append(value);
      }
    } catch {
      // aborted, or the connection dropped
    }
    if (!abort.signal.aborted) this.retry(t('reconnecting'));
  }

  retry(message) {
    if (this.stopped) return;
    this.onStatus({ kind: 'reconnecting', message });
    this.retryLater(1500);
  }

  retryLater(ms) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) void this.start(this.cameraId);
    }, ms);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.timer);
    this.cleanup?.();
    this.sink?.close();
    this.sink = null;
    this.video.removeAttribute('src');
    this.video.load();
  }
}

const LABEL_COLOURS = { person: '#2563eb', car: '#ea580c', truck: '#c2410c', bus: '#9a3412', bicycle: '#0d9488', motorcycle: '#0f766e', dog: '#7c3aed', cat: '#db2777' };
/** a detection is drawn this long after it arrived, fading */
const BOX_SHOW_MS = 20_000;
/** the boxes of a live key frame stand until the next key frame's come, or this long */
const LIVE_BOX_SHOW_MS = 2500;
/** live key frames' boxes kept to draw the picture's moment from (about one a second) */
const LIVE_MOMENTS_KEPT = 12;

/**
 * What the analysis found, drawn over a live picture (the grid's tiles, the live panel): while the
 * worker looks at the live picture, the detector's boxes of its key frames (`live:boxes`, about one
 * a second: what is there now), drawn for the moment the picture shown was taken and moved between
 * key frames (live-motion.js, with the player's LiveClock; without it, the newest key frame's until
 * the next); else each event's boxes (its objects at their best moment, fractions of the picture),
 * which come with the event a few seconds after the clip was recorded, so each says how old it is
 * and fades out.
 */
export class DetectionOverlay {
  constructor(video, testId, clock = null) {
    this.video = video;
    this.clock = clock;
    this.detections = [];
    /** the newest live key frame's boxes, and when they came */
    this.live = { boxes: [], shownAt: 0 };
    /** the live key frames' boxes with when each was taken (worker's clock), oldest first */
    this.moments = [];
    this.canvas = h('canvas', { class: 'detections', 'data-testid': testId, 'aria-hidden': 'true' });
    // for tests and tools: the live boxes drawn for the picture at a media time of the video
    this.canvas.liveBoxesAt = (mediaTime) => this.liveBoxes(mediaTime);
  }

  /** The detector's boxes of one of the camera's live key frames (a `live:boxes` message). */
  setLive(payload, receivedAt = Date.now()) {
    const boxes = Array.isArray(payload?.boxes) ? payload.boxes.slice(0, 50) : [];
    this.live = { boxes, shownAt: receivedAt };
    this.clock?.message(payload?.sentAtMs, receivedAt);
    if (typeof payload?.takenAtMs !== 'number') return;
    this.moments = this.moments.filter((moment) => moment.takenAtMs !== payload.takenAtMs);
    this.moments.push({ takenAtMs: payload.takenAtMs, boxes });
    this.moments.sort((a, b) => a.takenAtMs - b.takenAtMs);
    this.moments = this.moments.slice(-LIVE_MOMENTS_KEPT);
  }

  /**
   * The live boxes to draw over the picture at `mediaTime`: those of the moment it was taken when
   * the clock knows it, else the newest key frame's until the next; `current` false: none now.
   */
  liveBoxes(mediaTime, now = Date.now()) {
    const at = this.clock?.takenAt(mediaTime) ?? null;
    if (at !== null && this.moments.length) return { ...liveBoxesAt(this.moments, at, { holdMs: LIVE_BOX_SHOW_MS }), timed: true };
    return { boxes: this.live.boxes, current: now - this.live.shownAt < LIVE_BOX_SHOW_MS, timed: false };
  }

  /** An event (new or updated) of this camera: its boxes replace the ones it had. */
  add(event, receivedAt = Date.now()) {
    this.detections = this.detections.filter((d) => d.eventId !== event.id);
    for (const box of event.boxes ?? []) this.detections.push({ ...box, eventId: event.id, seenAt: Date.parse(event.endedAt) || receivedAt, shownAt: receivedAt });
    this.detections = this.detections.slice(-30);
  }

  clear() {
    this.detections = [];
    this.live = { boxes: [], shownAt: 0 };
    this.moments = [];
  }

  /** Draws the boxes over the part of the video element the picture fills (object-fit: contain). */
  draw(enabled = true) {
    const { canvas, video } = this;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const context = canvas.getContext('2d');
    context.clearRect(0, 0, width, height);
    const now = Date.now();
    this.detections = this.detections.filter((d) => now - d.shownAt < BOX_SHOW_MS);
    // while live key frames come, their boxes are what is there now: the events' older boxes step aside
    const live = this.liveBoxes(video.currentTime, now);
    const liveNow = live.current;
    const shown = liveNow ? live.boxes.map((box) => ({ ...box, shownAt: now, live: true })) : this.detections;
    const visible = enabled && video.videoWidth;
    canvas.dataset.boxes = String(visible ? shown.length : 0);
    canvas.dataset.liveBoxes = String(visible && liveNow ? shown.length : 0);
    // 'picture': drawn for the moment the picture shown was taken; 'arrival': as they came
    canvas.dataset.liveTiming = live.timed ? 'picture' : 'arrival';
    if (!enabled || !video.videoWidth || !width || !height) return;
    // the video element may be smaller than the canvas (the live panel's picture keeps 16:9)
    const box = video.getBoundingClientRect();
    const area = canvas.getBoundingClientRect();
    const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
    const pictureWidth = video.videoWidth * scale;
    const pictureHeight = video.videoHeight * scale;
    const left = box.left - area.left + (box.width - pictureWidth) / 2;
    const top = box.top - area.top + (box.height - pictureHeight) / 2;
    context.font = '12px system-ui, sans-serif';
    context.lineWidth = 2;
    for (const detection of shown) {
      const colour = LABEL_COLOURS[detection.label] ?? '#e5e7eb';
      const x = left + detection.x * pictureWidth;
      const y = top + detection.y * pictureHeight;
      const alpha = detection.live ? 1 : Math.max(0.15, 1 - (now - detection.shownAt) / BOX_SHOW_MS);
      context.globalAlpha = alpha;
      context.strokeStyle = colour;
      context.strokeRect(x, y, detection.width * pictureWidth, detection.height * pictureHeight);
      // older boxes fade without their label, so a busy scene stays readable
      if (alpha < 0.5) continue;
      const text = detection.live ? `${detection.label} · ${t('now')}` : `${detection.label} · ${t('ago', Math.max(0, Math.round((now - detection.seenAt) / 1000)))}`;
      context.fillStyle = colour;
      context.fillRect(x, Math.max(0, y - 16), context.measureText(text).width + 8, 16);
      context.fillStyle = '#fff';
      context.fillText(text, x + 4, Math.max(12, y - 4));
    }
    context.globalAlpha = 1;
  }
}

/** The live panel above the open camera's thread. */
class LivePanel {
  constructor() {
    this.camera = null;
    this.mode = 'live';
    /** the camera whose loop plays from its sub-stream or re-encoded (this browser refused its main stream): { cameraId, stream } */
    this.loopFallback = null;
    this.button = document.getElementById('live-open');
    this.root = document.getElementById('live-panel');
    this.status = h('span', { class: 'live__status', 'data-testid': 'live-status', role: 'status' });
    this.video = h('video', { class: 'live__video', 'data-testid': 'live-video', muted: true, playsinline: true, autoplay: true });
    this.video.muted = true;
    this.tabs = ['live', 'loop', 'recordings'].map((mode) =>
      h('button', { type: 'button', class: 'segmented__button', 'data-mode': mode, 'data-testid': `live-mode-${mode}`, 'aria-pressed': 'false', onclick: () => this.show(mode) }),
    );
    this.timeline = new Timeline(this);
    this.player = new LivePlayer(this.video, (status) => this.playerStatus(status));
    this.root.append(
      h('div', { class: 'live__bar' }, h('div', { class: 'segmented', role: 'group' }, this.tabs), this.status,
        h('button', { type: 'button', class: 'icon-button live__close', 'data-testid': 'live-close', 'aria-label': t('close'), title: t('close'), onclick: () => this.close(), text: '✕' })),
      h('div', { class: 'live__stage' }, this.video, (this.overlay = new DetectionOverlay(this.video, 'live-boxes-layer', this.player.clock)).canvas),
      this.timeline.root,
    );
    // what the analysis finds is drawn over the live picture (not over the loop or recordings: their time is another)
    window.addEventListener('cameramonit:live-boxes', (e) => {
      if (e.detail.cameraId === this.camera?.id) this.overlay.setLive(e.detail);
    });
    window.addEventListener('cameramonit:event', (e) => {
      if (e.detail.cameraId === this.camera?.id) this.overlay.add(e.detail.event);
    });
    this.drawing = false;
    this.video.addEventListener('ended', () => {
      if (this.mode === 'loop') void this.loadLoop();
      else if (this.mode === 'recordings') void this.timeline.playNext();
    });
    this.button.addEventListener('click', () => (this.root.hidden ? this.open() : this.close()));
    window.addEventListener('cameramonit:camera-selected', (e) => this.select(e.detail.camera));
    window.addEventListener('cameramonit:camera-status', (e) => {
      if (e.detail.camera.id === this.camera?.id) this.cameraStatusChanged(e.detail.camera);
    });
    this.labels();
  }

  labels() {
    this.button.title = t('open');
    this.button.setAttribute('aria-label', t('open'));
    for (const tab of this.tabs) tab.textContent = t(tab.dataset.mode);
  }

  select(camera) {
    const changed = camera.id !== this.camera?.id;
    this.camera = camera;
    if (changed) this.overlay.clear();
    this.button.hidden = !camera.live;
    this.button.dataset.state = camera.live?.state ?? '';
    if (!camera.live) return this.close();
    if (changed && !this.root.hidden) this.show(this.mode);
  }

  open() {
    if (!this.camera?.live) return;
    this.root.hidden = false;
    this.drawBoxes();
    this.button.setAttribute('aria-pressed', 'true');
    this.labels();
    this.show(this.mode);
  }

  /** Draws the boxes every frame while the panel is open (the loop ends when it is closed). */
  drawBoxes() {
    if (this.drawing) return;
    this.drawing = true;
    const frame = () => {
      if (this.root.hidden) {
        this.drawing = false;
        return;
      }
      this.overlay.draw(this.mode === 'live');
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  close() {
    this.player.stop();
    this.timeline.stop();
    this.root.hidden = true;
    this.button.setAttribute('aria-pressed', 'false');
  }

  show(mode) {
    this.mode = mode;
    for (const tab of this.tabs) tab.setAttribute('aria-pressed', String(tab.dataset.mode === mode));
    this.root.dataset.mode = mode;
    this.player.stop();
    this.timeline.stop();
    this.video.loop = false;
    this.timeline.root.hidden = mode !== 'recordings';
    if (mode === 'live') {
      void this.recentDetections();
      if (this.camera.live.state !== 'online') this.setStatus(t('state')[this.camera.live.state] ?? this.camera.live.state, 'is-warning');
      void this.player.start(this.camera.id);
    } else if (mode === 'loop') {
      void this.loadLoop();
    } else {
      void this.timeline.load();
    }
  }

  /** The boxes of the camera's events that ended in the last half minute, so some show at once when the panel opens. */
  async recentDetections() {
    const camera = this.camera;
    try {
      const from = new Date(Date.now() - 30_000).toISOString();
      const events = await call(`/api/cameras/${encodeURIComponent(camera.id)}/events?from=${encodeURIComponent(from)}`);
      if (this.camera === camera) for (const event of [...events].reverse()) this.overlay.add(event);
    } catch {
      // no boxes until the next event: the picture matters more
    }
  }

  cameraStatusChanged(camera) {
    this.button.dataset.state = camera.live.state;
    if (this.root.hidden || this.mode !== 'live') return;
    // back online: connect at once instead of waiting for the next retry
    if (camera.live.state === 'online') void this.player.start(camera.id);
    else this.setStatus(`${t('state')[camera.live.state] ?? camera.live.state}${camera.live.message ? `: ${camera.live.message}` : ''}`, 'is-warning');
  }

  playerStatus(status) {
    if (this.mode !== 'live') return;
    this.video.dataset.state = status.kind;
    if (status.kind === 'connecting') this.setStatus(t('connecting'));
    else if (status.kind === 'playing') this.setStatus(`${t('playing', status.size)}${status.stream === 'reencoded' ? ` · ${t('reencoded')}` : ''}${status.lag > 2 ? ` · ${t('behind', status.lag.toFixed(1))}` : ''}`, 'is-live');
    else if (status.kind === 'reconnecting') this.setStatus(status.message || t('reconnecting'), 'is-warning');
    else this.setStatus(status.message, 'is-warning');
  }

  setStatus(text, className = '') {
    this.status.textContent = text;
    this.status.className = `live__status ${className}`;
  }

  /**
   * The last 60 s as one MP4 (made by storage from the stored clips), played to its end and then
   * loaded again. Where the browser refuses the main stream (H.265), the sub-stream's, from then on.
   */
  async loadLoop() {
    const camera = this.camera;
    const to = new Date();
    const from = new Date(to.getTime() - 60_000);
    const stream = this.loopFallback?.cameraId === camera.id ? this.loopFallback.stream : 'main';
    this.setStatus(t(stream === 'playable' ? 'loopReencoding' : 'loopLoading'));
    try {
      const { url, startedAt, durationSec } = await call(`/api/cameras/${encodeURIComponent(camera.id)}/exports`, { method: 'POST', body: { from: from.toISOString(), to: to.toISOString(), stream } });
      if (this.mode !== 'loop' || this.camera !== camera) return;
      this.video.src = url;
      this.video.dataset.state = 'loop';
      this.video.dataset.stream = stream;
      let refused = null;
      await this.video.play().catch((error) => {
        refused = error;
      });
      if (stream === 'main' && cannotPlay(this.video, refused)) {
        this.loopFallback = { cameraId: camera.id, stream: 'sub' };
        return this.loadLoop();
      }
      if (stream === 'playable' && cannotPlay(this.video, refused)) return this.setStatus(t('cannotPlay'), 'is-warning');
      const start = new Date(startedAt);
      const span = [clock(start), clock(new Date(start.getTime() + durationSec * 1000))];
      this.setStatus(t({ main: 'loopPlaying', sub: 'loopPlayingSub', playable: 'loopPlayingReencoded' }[stream], ...span), 'is-live');
    } catch (error) {
      if (this.mode !== 'loop') return;
      // no sub-stream (or nothing of it then): the main stream re-encoded for this browser
      if (stream === 'sub' && error.code === 'NO_RECORDING') {
        this.loopFallback = { cameraId: camera.id, stream: 'playable' };
        return this.loadLoop();
      }
      this.setStatus(error.code === 'NO_RECORDING' ? t('nothingRecorded') : `${t('failed')}: ${error.message}`, 'is-warning');
      setTimeout(() => this.mode === 'loop' && this.camera === camera && !this.root.hidden && this.loadLoop(), 5000);
    }
  }
}

/** Whether the video element refused its source as one it cannot decode (not a pause, not autoplay rules). */
function cannotPlay(video, refused) {
  return refused?.name === 'NotSupportedError' || video.error?.code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED || video.error?.code === MediaError.MEDIA_ERR_DECODE;
}

/**
 * The camera's recordings over the last hours: recorded spans, event markers (a tick each, coloured
 * by label), the playing position; click plays from there (clip after clip across their boundaries),
 * a drag picks a range to download as one MP4 or share with an expiring link.
 */
class Timeline {
  constructor(panel) {
    this.panel = panel;
    this.hours = 1;
    this.data = null;
    this.playing = null;
    /** the camera whose recordings play from its sub-stream or re-encoded (its main stream would not play here): { cameraId, stream } */
    this.fallback = null;
    this.selection = null;
    this.track = h('div', { class: 'timeline__track', 'data-testid': 'timeline-track' });
    this.cursor = h('div', { class: 'timeline__cursor', hidden: true });
    this.selectionBox = h('div', { class: 'timeline__selection', hidden: true });
    this.track.append(this.cursor, this.selectionBox);
    this.scale = h('div', { class: 'timeline__scale' });
    this.info = h('p', { class: 'timeline__info', 'data-testid': 'timeline-info' });
    this.actions = h('div', { class: 'timeline__actions', hidden: true },
      h('button', { type: 'button', class: 'button', 'data-testid': 'timeline-download', onclick: () => void this.download() }),
      h('label', { class: 'timeline__hours' }, h('span'), h('select', { 'data-testid': 'share-hours' }, ...[1, 24, 168].map((n) => h('option', { value: n, text: n === 168 ? '7 d' : `${n} h` })))),
      h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'timeline-share', onclick: () => void this.share() }));
    this.shareResult = h('p', { class: 'timeline__share', 'data-testid': 'share-result', hidden: true });
    this.zoom = [1, 6, 24].map((n) => h('button', { type: 'button', class: 'segmented__button', 'aria-pressed': String(n === 1), 'data-testid': `timeline-zoom-${n}`, text: `${n} h`, onclick: () => this.setHours(n) }));
    this.root = h('div', { class: 'timeline', hidden: true, 'data-testid': 'timeline' },
      h('div', { class: 'timeline__head' }, h('div', { class: 'segmented' }, this.zoom), this.info),
      this.track, this.scale, this.actions, this.shareResult);
    this.track.addEventListener('pointerdown', (e) => this.pointerDown(e));
    this.panel.video.addEventListener('timeupdate', () => this.moveCursor());
  }

  stop() {
    this.playing = null;
    this.cursor.hidden = true;
  }

  /** The stream recordings play from: the main stream; after it would not play here, the sub-stream, else the main one re-encoded. */
  streamOf(camera) {
    return this.fallback?.cameraId === camera.id ? this.fallback.stream : 'main';
  }

  setHours(n) {
    this.hours = n;
    for (const button of this.zoom) button.setAttribute('aria-pressed', String(button.textContent === `${n} h`));
    void this.load();
  }

  async load() {
    const camera = this.panel.camera;
    const to = new Date();
    const from = new Date(to.getTime() - this.hours * 3600_000);
    this.range = { from, to };
    this.panel.setStatus('…');
    try {
      this.data = await call(`/api/cameras/${encodeURIComponent(camera.id)}/recordings?from=${from.toISOString()}&to=${to.toISOString()}`);
    } catch (error) {
      return this.panel.setStatus(`${t('failed')}: ${error.message}`, 'is-warning');
    }
    if (this.panel.camera !== camera || this.panel.mode !== 'recordings') return;
    this.render();
    const recordedSec = this.data.spans.reduce((sum, span) => sum + (Date.parse(span.to) - Date.parse(span.from)) / 1000, 0);
    this.panel.setStatus(this.data.spans.length ? `${seconds(recordedSec)} ${t('recorded')} · ${this.data.events.length} ${t('events')}` : t('nothingRecorded'));
    this.info.textContent = t('pickRange');
  }

  x(time) {
    const { from, to } = this.range;
    return Math.min(100, Math.max(0, ((time - from.getTime()) / (to.getTime() - from.getTime())) * 100));
  }

  timeAt(clientX) {
    const rect = this.track.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
    return new Date(this.range.from.getTime() + f * (this.range.to.getTime() - this.range.from.getTime()));
  }

  render() {
    for (const node of [...this.track.querySelectorAll('.timeline__span, .timeline__event')]) node.remove();
    for (const span of this.data.spans) {
      const left = this.x(Date.parse(span.from));
      const width = Math.max(0.2, this.x(Date.parse(span.to)) - left);
      this.track.append(h('div', { class: 'timeline__span', 'data-testid': 'timeline-span', style: `left:${left}%;width:${width}%` }));
    }
    for (const event of this.data.events) {
      const colour = LABEL_COLOURS[event.label] ?? '#475569';
      this.track.append(h('button', {
        type: 'button', class: 'timeline__event', 'data-testid': 'timeline-event', 'data-event-id': event.id, title: `${clock(new Date(event.startedAt))} ${event.summary}`,
        style: `left:${this.x(Date.parse(event.startedAt))}%;background:${colour}`,
        onclick: (e) => {
          e.stopPropagation();
          void this.playAt(new Date(Date.parse(event.startedAt) - 1000));
        },
      }));
    }
    const ticks = 6;
    this.scale.replaceChildren(...Array.from({ length: ticks + 1 }, (_, i) => {
      const time = new Date(this.range.from.getTime() + (i / ticks) * (this.range.to.getTime() - this.range.from.getTime()));
      return h('span', { style: `left:${(i / ticks) * 100}%`, text: `${pad(time.getHours())}:${pad(time.getMinutes())}` });
    }));
  }

  pointerDown(e) {
    // a drag may start on an event marker too; a click on one plays that event (its own handler)
    const onMarker = Boolean(e.target.closest('.timeline__event'));
    const start = this.timeAt(e.clientX);
    let moved = false;
    const move = (m) => {
      const now = this.timeAt(m.clientX);
      if (Math.abs(m.clientX - e.clientX) > 4) moved = true;
      if (moved) this.select(start < now ? start : now, start < now ? now : start);
    };
    const up = (u) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      if (!moved && !onMarker) void this.playAt(this.timeAt(u.clientX));
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  /** Pick a range (also used by tests and keyboard users through the data attributes). */
  select(from, to) {
    this.selection = { from, to };
    const left = this.x(from.getTime());
    this.selectionBox.hidden = false;
    this.selectionBox.style.left = `${left}%`;
    this.selectionBox.style.width = `${Math.max(0.3, this.x(to.getTime()) - left)}%`;
    this.actions.hidden = false;
    this.shareResult.hidden = true;
    const [download, hours, share] = this.actions.children;
    download.textContent = t('download');
    hours.firstChild.textContent = t('shareHours');
    share.textContent = t('share');
    this.info.textContent = t('range', clock(from), clock(to), seconds((to - from) / 1000));
  }

  /**
   * Plays the recording at `time`: the clip that holds it, from that moment. A main-stream clip this
   * browser cannot play (an H.265 camera) is played from the camera's sub-stream instead, and so
   * are the camera's next clips.
   */
  async playAt(time) {
    const camera = this.panel.camera;
    const stream = this.streamOf(camera);
    try {
      const found = await call(`/api/cameras/${encodeURIComponent(camera.id)}/recordings/at?time=${time.toISOString()}${stream === 'main' ? '' : `&stream=${stream}`}`);
      if (this.panel.camera !== camera) return;
      this.playing = found;
      const video = this.panel.video;
      video.src = `${found.clip.url}#t=${found.offsetSec.toFixed(2)}`;
      video.dataset.state = 'recording';
      video.dataset.clipId = found.clip.id;
      video.dataset.stream = found.stream;
      const refused = await video.play().then(() => null, (error) => error);
      if (this.panel.camera !== camera) return;
      if (found.stream === 'main' && cannotPlay(video, refused)) {
        this.fallback = { cameraId: camera.id, stream: 'sub' };
        return this.playAt(time);
      }
      if (found.stream === 'playable' && cannotPlay(video, refused)) return this.panel.setStatus(t('cannotPlay'), 'is-warning');
      this.cursor.hidden = false;
      this.moveCursor();
      const at = clock(new Date(Date.parse(found.clip.startedAt) + found.offsetSec * 1000));
      this.panel.setStatus(t({ main: 'playingAt', sub: 'playingSub', playable: 'playingReencoded' }[found.stream] ?? 'playingAt', at));
      // an H.265 clip is re-encoded when asked for: the next one is asked for now, so it is ready when this one ends
      if (found.stream === 'playable' && found.next) void this.prepare(camera, new Date(found.next));
    } catch (error) {
      // no sub-stream (or nothing of it then): the main stream re-encoded for this browser
      if (stream === 'sub' && error.status === 404) {
        this.fallback = { cameraId: camera.id, stream: 'playable' };
        return this.playAt(time);
      }
      this.panel.setStatus(error.status === 404 ? t('noRecording') : `${t('failed')}: ${error.message}`, 'is-warning');
    }
  }

  /** Asks for the re-encoded clip at `time` (its first bytes), so it is made before it is played. */
  async prepare(camera, time) {
    try {
      const found = await call(`/api/cameras/${encodeURIComponent(camera.id)}/recordings/at?time=${time.toISOString()}&stream=playable`);
      const response = await fetch(found.clip.url, { headers: { Range: 'bytes=0-0' } });
      await response.body?.cancel();
    } catch {
      // it is made when it is played, then
    }
  }

  /** The clip ended: the next one goes on where it stopped (across the clip boundary). */
  async playNext() {
    if (!this.playing?.next) return;
    await this.playAt(new Date(this.playing.next));
  }

  moveCursor() {
    if (!this.playing || this.panel.mode !== 'recordings') return;
    const time = Date.parse(this.playing.clip.startedAt) + this.panel.video.currentTime * 1000;
    this.cursor.style.left = `${this.x(time)}%`;
  }

  async download() {
    const { from, to } = this.selection ?? {};
    if (!from) return;
    try {
      const { url } = await call(`/api/cameras/${encodeURIComponent(this.panel.camera.id)}/exports`, { method: 'POST', body: { from: from.toISOString(), to: to.toISOString() } });
      const link = h('a', { href: `${url}&download=1`, download: '' });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      this.info.textContent = error.code === 'NO_RECORDING' ? t('nothingRecorded') : `${t('failed')}: ${error.message}`;
    }
  }

  async share() {
    const { from, to } = this.selection ?? {};
    if (!from) return;
    const hours = Number(this.actions.querySelector('select').value);
    try {
      const made = await call(`/api/cameras/${encodeURIComponent(this.panel.camera.id)}/shares`, { method: 'POST', body: { from: from.toISOString(), to: to.toISOString(), hours } });
      const input = h('input', { class: 'timeline__share-url', 'data-testid': 'share-url', readonly: true, value: made.url });
      this.shareResult.replaceChildren(h('span', { text: t('shareMade', new Date(made.expiresAt).toLocaleString()) }), input);
      this.shareResult.hidden = false;
      input.select();
      await navigator.clipboard?.writeText(made.url).then(() => (this.info.textContent = t('copied'))).catch(() => undefined);
    } catch (error) {
      this.info.textContent = error.code === 'NO_RECORDING' ? t('nothingRecorded') : `${t('failed')}: ${error.message}`;
    }
  }
}

if (document.getElementById('live-panel')) window.cameramonitLive = new LivePanel();
