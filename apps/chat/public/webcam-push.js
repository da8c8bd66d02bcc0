// "Record from this browser": the browser's webcam as a camera that pushes JPEG frames
// (docs/pushed-frames.md). getUserMedia -> a preview -> frames drawn to a canvas at the chosen fps
// and POSTed as JPEGs to the push API -> finish -> the clip, its analysis and events. The clip's
// messages arrive in the camera's thread like any other (app.js). Plain ES module, no build step;
// it needs from the page only the login token (localStorage) and the open camera (#camera=<id>).

const TOKEN_KEY = 'cameramonit.token';
const LANG_KEY = 'cameramonit.lang';

const STRINGS = {
  en: {
    open: 'Record from this browser', title: 'Record from this browser', fps: 'Frames per second', start: 'Start', stop: 'Stop and save',
    cancel: 'Cancel', close: 'Close', noCamera: 'Pick a camera first.', noWebcam: 'This browser cannot use a camera here (it needs https or localhost).',
    denied: 'The browser was not allowed to use the camera.', starting: 'Starting…', recording: 'Recording', sent: (n, s, kb) => `${n} frames · ${s} s · ${kb} KB sent`,
    finishing: 'Saving the clip…', stored: (s) => `Clip stored (${s} s). Analysing…`, analysed: (n) => (n === 0 ? 'Analysed: nothing to report.' : `Analysed: ${n} ${n === 1 ? 'event' : 'events'}.`),
    failed: 'Failed', dropped: (n) => `${n} frames skipped (the network was slower than the camera)`, openClip: 'Open the clip', cancelled: 'Cancelled; nothing was saved.',
  },
  pl: {
    open: 'Nagraj z tej przeglądarki', title: 'Nagraj z tej przeglądarki', fps: 'Klatek na sekundę', start: 'Start', stop: 'Zatrzymaj i zapisz',
    cancel: 'Anuluj', close: 'Zamknij', noCamera: 'Najpierw wybierz kamerę.', noWebcam: 'Ta przeglądarka nie może tu użyć kamery (potrzebny https albo localhost).',
    denied: 'Przeglądarka nie dostała zgody na kamerę.', starting: 'Uruchamianie…', recording: 'Nagrywanie', sent: (n, s, kb) => `wysłano ${n} klatek · ${s} s · ${kb} KB`,
    finishing: 'Zapisywanie nagrania…', stored: (s) => `Nagranie zapisane (${s} s). Analiza…`, analysed: (n) => (n === 0 ? 'Przeanalizowano: nic do zgłoszenia.' : `Przeanalizowano: zdarzeń: ${n}.`),
    failed: 'Błąd', dropped: (n) => `pominięto ${n} klatek (sieć wolniejsza niż kamera)`, openClip: 'Otwórz nagranie', cancelled: 'Anulowano; nic nie zapisano.',
  },
};
const t = (key, ...args) => {
  const lang = localStorage.getItem(LANG_KEY) === 'pl' ? 'pl' : 'en';
  const value = STRINGS[lang][key] ?? STRINGS.en[key];
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

const selectedCamera = () => new URLSearchParams(location.hash.slice(1)).get('camera');
const token = () => localStorage.getItem(TOKEN_KEY);

async function call(path, { method = 'GET', body, type = 'application/json', headers = {} } = {}) {
  const response = await fetch(path, {
    method,
    headers: { Accept: 'application/json', Authorization: `Bearer ${token()}`, ...(body !== undefined ? { 'Content-Type': type } : {}), ...headers },
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(data?.message || `${response.status} ${response.statusText}`);
  return data;
}

const even = (n) => Math.max(32, Math.floor(n / 2) * 2);

/** One recording session of the dialog. */
class WebcamPush {
  constructor(ui) {
    this.ui = ui;
    this.stream = null;
    this.pushId = null;
    this.timer = null;
    this.queue = [];
    this.sending = false;
    this.sent = 0;
    this.bytes = 0;
    this.dropped = 0;
    this.stopped = false;
  }

  async openCamera() {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error(t('noWebcam'));
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    } catch (error) {
      throw new Error(`${t('denied')} (${error?.name ?? error})`);
    }
    this.ui.preview.srcObject = this.stream;
    await this.ui.preview.play().catch(() => undefined);
  }

  async start(cameraId, fps) {
    const video = this.ui.preview;
    const width = even(video.videoWidth || 640);
    const height = even(video.videoHeight || 480);
    this.canvas = h('canvas', { width, height });
    this.fps = fps;
    const push = await call(`/api/cameras/${encodeURIComponent(cameraId)}/pushes`, { method: 'POST', body: { fps, width, height } });
    this.pushId = push.pushId;
    this.timer = setInterval(() => this.capture(), 1000 / fps);
    this.capture();
  }

  capture() {
    if (this.stopped) return;
    const context = this.canvas.getContext('2d');
    context.drawImage(this.ui.preview, 0, 0, this.canvas.width, this.canvas.height);
    const capturedAt = new Date().toISOString();
    this.canvas.toBlob((blob) => {
      if (!blob) return;
      // keep the clip's timing: every tick is a frame; a network slower than the camera skips some
      if (this.queue.length >= 30) {
        this.dropped += 1;
        return;
      }
      this.queue.push({ blob, capturedAt });
      void this.drain();
    }, 'image/jpeg', 0.82);
  }

  async drain() {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length) {
        const { blob, capturedAt } = this.queue.shift();
        await call(`/api/pushes/${this.pushId}/frames`, { method: 'POST', body: blob, type: 'image/jpeg', headers: { 'X-Captured-At': capturedAt } });
        this.sent += 1;
        this.bytes += blob.size;
        this.ui.progress(this);
      }
    } catch (error) {
      this.ui.fail(error);
      this.stopCapture();
    } finally {
      this.sending = false;
    }
  }

  stopCapture() {
    this.stopped = true;
    clearInterval(this.timer);
  }

  async finish() {
    this.stopCapture();
    // the last toBlob calls land a moment later
    await new Promise((resolve) => setTimeout(resolve, 150));
    while (this.sending || this.queue.length) {
      await this.drain();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return call(`/api/pushes/${this.pushId}/finish`, { method: 'POST', body: {} });
  }

  async cancel() {
    this.stopCapture();
    if (this.pushId) await call(`/api/pushes/${this.pushId}`, { method: 'DELETE' }).catch(() => undefined);
  }

  close() {
    this.stopCapture();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
  }
}

function openDialog() {
  const cameraId = selectedCamera();
  if (!cameraId) {
    alert(t('noCamera'));
    return;
  }
  const preview = h('video', { class: 'webcam-push__preview', 'data-testid': 'webcam-preview', muted: true, playsinline: true, autoplay: true });
  preview.muted = true;
  const fpsSelect = h('select', { 'data-testid': 'webcam-fps' }, ...[1, 2, 5, 10].map((n) => h('option', { value: n, selected: n === 5, text: String(n) })));
  const startButton = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'webcam-start', text: t('start'), disabled: true });
  const stopButton = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'webcam-stop', text: t('stop'), hidden: true });
  const cancelButton = h('button', { type: 'button', class: 'button button--ghost', 'data-testid': 'webcam-cancel', text: t('cancel') });
  const status = h('p', { class: 'webcam-push__status', 'data-testid': 'webcam-status', role: 'status', 'aria-live': 'polite' });
  const counter = h('p', { class: 'webcam-push__counter', 'data-testid': 'webcam-progress' });
  const result = h('div', { class: 'webcam-push__result', 'data-testid': 'webcam-result' });
  const dialog = h(
    'dialog',
    { class: 'webcam-push', 'data-testid': 'webcam-dialog', 'aria-labelledby': 'webcam-push-title' },
    h('h2', { id: 'webcam-push-title', class: 'webcam-push__title', text: t('title') }),
    preview,
    h('div', { class: 'webcam-push__controls' }, h('label', { class: 'webcam-push__fps' }, t('fps'), ' ', fpsSelect), startButton, stopButton, cancelButton),
    counter,
    status,
    result,
  );
  document.body.append(dialog);

  const ui = {
    preview,
    progress(session) {
      counter.textContent = t('sent', session.sent, (session.sent / session.fps).toFixed(1), Math.round(session.bytes / 1024)) + (session.dropped ? ` · ${t('dropped', session.dropped)}` : '');
    },
    fail(error) {
      status.textContent = `${t('failed')}: ${error?.message ?? error}`;
      status.classList.add('is-error');
      stopButton.hidden = true;
      cancelButton.textContent = t('close');
    },
  };
  const session = new WebcamPush(ui);
  let done = false;
  const close = async () => {
    if (!done && session.pushId) await session.cancel();
    session.close();
    dialog.close();
    dialog.remove();
  };
  cancelButton.addEventListener('click', () => void close());
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    void close();
  });

  startButton.addEventListener('click', async () => {
    startButton.disabled = true;
    fpsSelect.disabled = true;
    status.textContent = t('starting');
    try {
      await session.start(cameraId, Number(fpsSelect.value));
      status.textContent = t('recording');
      startButton.hidden = true;
      stopButton.hidden = false;
    } catch (error) {
      ui.fail(error);
    }
  });

  stopButton.addEventListener('click', async () => {
    stopButton.disabled = true;
    status.textContent = t('finishing');
    try {
      const stored = await session.finish();
      done = true;
      session.close();
      // the clip takes the preview's place
      preview.hidden = true;
      cancelButton.textContent = t('close');
      stopButton.hidden = true;
      status.textContent = t('stored', Math.round(stored.durationSec));
      showClip(result, stored);
      await followAnalysis(stored.pushId, status, result);
    } catch (error) {
      ui.fail(error);
    }
  });

  dialog.showModal();
  session
    .openCamera()
    .then(() => {
      startButton.disabled = false;
    })
    .catch((error) => ui.fail(error));
}

function showClip(container, push) {
  if (!push.clip) return;
  const video = h('video', { src: push.clip.url, controls: true, playsinline: true, preload: 'metadata', 'data-testid': 'webcam-clip', class: 'webcam-push__clip' });
  const link = h('a', { href: push.clip.url, target: '_blank', rel: 'noopener', 'data-testid': 'webcam-clip-link', text: t('openClip') });
  container.replaceChildren(video, h('p', {}, link));
}

/** Polls the push until its analysis is done (3 minutes at most) and lists its events. */
async function followAnalysis(pushId, status, container) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const push = await call(`/api/pushes/${pushId}`).catch(() => null);
    const analysis = push?.analysis;
    if (!analysis) continue;
    if (analysis.status === 'failed') {
      status.textContent = `${t('failed')}: ${analysis.error ?? analysis.errorCode}`;
      return;
    }
    if (analysis.status === 'done') {
      status.textContent = t('analysed', push.events.length);
      const list = h('ul', { class: 'webcam-push__events', 'data-testid': 'webcam-events' }, ...push.events.map((event) => h('li', { text: event.summary })));
      container.append(list);
      return;
    }
    status.textContent = `${t('stored', Math.round(push.durationSec))} ${Math.round((analysis.progress ?? 0) * 100)}%`;
  }
}

const openButton = document.getElementById('record-webcam');
if (openButton) {
  openButton.title = t('open');
  openButton.setAttribute('aria-label', t('open'));
  openButton.addEventListener('click', openDialog);
}
