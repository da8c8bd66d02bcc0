// Cameramonit web chat: cameras as contacts, one thread per camera, questions, uploads.
// Plain ES module, no build step. The socket.io client comes from the server as the global `io`.

const TOKEN_KEY = 'cameramonit.token';
const USER_KEY = 'cameramonit.user';
const LANG_KEY = 'cameramonit.lang';
const PAGE_SIZE = 50;
const STRIP_LIMIT = 8;

const STRINGS = {
  en: {
    loginTitle: 'Sign in', loginHint: 'Talk to your cameras.', email: 'Email', password: 'Password',
    signIn: 'Sign in', signingIn: 'Signing in…', loginFailed: 'Wrong email or password.',
    networkError: 'Cannot reach the server. Try again.', logout: 'Log out', cameras: 'Cameras',
    noCameras: 'No cameras yet.', pickCamera: 'Pick a camera', back: 'Back to cameras',
    dropHere: 'Drop a video to analyse it', upload: 'Upload a video', askLabel: 'Ask the camera',
    askPlaceholder: 'Ask: what happened in the last hour?', send: 'Send', online: 'online', offline: 'offline',
    noEventsYet: 'No events yet', emptyThread: 'Nothing here yet. Ask a question or drop a video to analyse.',
    loadOlder: 'Load earlier messages', play: '▶ play', hideClip: '✕ close', today: 'Today', yesterday: 'Yesterday',
    analysing: 'Analysing', analysisDone: 'Analysis finished', uploading: 'Uploading', uploaded: 'Uploaded',
    uploadFailed: 'Upload failed', tooLarge: 'The file is too large.', badType: 'This file type is not supported.',
    notVideo: 'Please choose a video file.', askFailed: 'The question could not be sent.', you: 'You',
    loadFailed: 'Could not load the thread.', events: (n) => `${n} ${n === 1 ? 'event' : 'events'}`,
    describing: 'describing…', threat: { low: 'low threat', medium: 'medium threat', high: 'high threat' },
    liveState: { starting: 'connecting', online: 'live', offline: 'offline', 'auth-failed': 'wrong password', 'not-found': 'no such stream', stopped: 'not recording' },
  },
  pl: {
    loginTitle: 'Zaloguj się', loginHint: 'Rozmawiaj ze swoimi kamerami.', email: 'E-mail', password: 'Hasło',
    signIn: 'Zaloguj', signingIn: 'Logowanie…', loginFailed: 'Nieprawidłowy e-mail lub hasło.',
    networkError: 'Brak połączenia z serwerem. Spróbuj ponownie.', logout: 'Wyloguj', cameras: 'Kamery',
    noCameras: 'Brak kamer.', pickCamera: 'Wybierz kamerę', back: 'Wróć do listy kamer',
    dropHere: 'Upuść plik wideo, aby go przeanalizować', upload: 'Wyślij nagranie', askLabel: 'Zapytaj kamerę',
    askPlaceholder: 'Zapytaj: co się działo w ostatniej godzinie?', send: 'Wyślij', online: 'online', offline: 'offline',
    noEventsYet: 'Brak zdarzeń', emptyThread: 'Jeszcze nic tu nie ma. Zadaj pytanie albo upuść nagranie do analizy.',
    loadOlder: 'Wczytaj wcześniejsze wiadomości', play: '▶ odtwórz', hideClip: '✕ zamknij', today: 'Dzisiaj', yesterday: 'Wczoraj',
    analysing: 'Analiza', analysisDone: 'Analiza zakończona', uploading: 'Wysyłanie', uploaded: 'Wysłano',
    uploadFailed: 'Nie udało się wysłać pliku', tooLarge: 'Plik jest za duży.', badType: 'Ten typ pliku nie jest obsługiwany.',
    notVideo: 'Wybierz plik wideo.', askFailed: 'Nie udało się wysłać pytania.', you: 'Ty',
    loadFailed: 'Nie udało się wczytać wątku.', events: (n) => `${n} ${plPlural(n, 'zdarzenie', 'zdarzenia', 'zdarzeń')}`,
    describing: 'opisuję…', threat: { low: 'niskie zagrożenie', medium: 'średnie zagrożenie', high: 'wysokie zagrożenie' },
    liveState: { starting: 'łączenie', online: 'na żywo', offline: 'offline', 'auth-failed': 'złe hasło', 'not-found': 'brak strumienia', stopped: 'nie nagrywa' },
  },
};

const LABELS_PL = {
  person: 'osoba', car: 'samochód', truck: 'ciężarówka', bus: 'autobus', bicycle: 'rower', motorcycle: 'motocykl',
  dog: 'pies', cat: 'kot', bird: 'ptak',
};

function plPlural(n, one, few, many) {
  if (n === 1) return one;
  const d = n % 10;
  const t = n % 100;
  return d >= 2 && d <= 4 && (t < 12 || t > 14) ? few : many;
}

// ------------------------------------------------------------------ state

const state = {
  token: localStorage.getItem(TOKEN_KEY),
  user: readJson(localStorage.getItem(USER_KEY)),
  lang: initialLanguage(),
  cameras: [],
  selectedId: null,
  unread: new Map(),
  /** cameraId -> Message[] (oldest first) for threads that were opened */
  threads: new Map(),
  /** cameraId -> true when older pages may exist */
  hasOlder: new Map(),
  /** cameraId -> Map(clipId -> progress payload) */
  progress: new Map(),
  /** cameraId -> pending local questions [{ localId, text, createdAt }] */
  pending: new Map(),
  /** event id -> Event seen anywhere, to resolve answers' eventIds */
  events: new Map(),
  socket: null,
  loadSeq: 0,
  /** the open thread is scrolled to its end */
  stick: true,
};

function readJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function initialLanguage() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'pl') return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('pl') ? 'pl' : 'en';
}

const t = (key, ...args) => {
  const value = STRINGS[state.lang][key] ?? STRINGS.en[key] ?? key;
  return typeof value === 'function' ? value(...args) : value;
};

// ------------------------------------------------------------------ elements

const $ = (selector) => document.querySelector(selector);
const el = {
  loginView: $('#login-view'), loginForm: $('#login-form'), loginEmail: $('#login-email'),
  loginPassword: $('#login-password'), loginError: $('#login-error'), loginSubmit: $('#login-submit'),
  appView: $('#app-view'), userName: $('#user-name'), logout: $('#logout'), connection: $('#connection'),
  cameraList: $('#camera-list'), cameraEmpty: $('#camera-empty'), pane: $('#thread-pane'), back: $('#back'),
  threadTitle: $('#thread-title'), threadSubtitle: $('#thread-subtitle'), threadAvatar: $('#thread-avatar'),
  threadWrap: $('#thread-wrap'), thread: $('#thread'), composer: $('#composer'), questionInput: $('#question-input'),
  questionSend: $('#question-send'), uploadInput: $('#upload-input'), uploadProgress: $('#upload-progress'),
};

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ------------------------------------------------------------------ time

const pad = (n) => String(n).padStart(2, '0');
const clock = (d, seconds = false) => `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
const dayKey = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

function daysAgo(d) {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const day = new Date(d);
  day.setHours(0, 0, 0, 0);
  return Math.round((today.getTime() - day.getTime()) / 86_400_000);
}

function shortDate(d) {
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleDateString(state.lang === 'pl' ? 'pl-PL' : 'en-GB', { day: 'numeric', month: 'short', year: sameYear ? undefined : 'numeric' });
}

/** HH:MM:SS, with the date in front when not today. */
function stamp(d) {
  const ago = daysAgo(d);
  if (ago === 0) return clock(d, true);
  return `${ago === 1 ? t('yesterday').toLowerCase() : shortDate(d)} ${clock(d, true)}`;
}

/** HH:MM today, else a short date and HH:MM. */
function shortStamp(d) {
  const ago = daysAgo(d);
  if (ago === 0) return clock(d);
  return `${ago === 1 ? t('yesterday').toLowerCase() : shortDate(d)} ${clock(d)}`;
}

/** Camera list: HH:MM today, "Yesterday", else a date. */
function listTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const ago = daysAgo(d);
  if (ago === 0) return clock(d);
  if (ago === 1) return t('yesterday');
  return shortDate(d);
}

function dayLabel(d) {
  const ago = daysAgo(d);
  if (ago === 0) return t('today');
  if (ago === 1) return t('yesterday');
  return d.toLocaleDateString(state.lang === 'pl' ? 'pl-PL' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long' });
}

// ------------------------------------------------------------------ API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (response.status === 401 && path !== '/api/auth/login') {
    logout();
    throw new ApiError(401, data?.message || 'unauthorized');
  }
  if (!response.ok) throw new ApiError(response.status, data?.message || response.statusText);
  return data;
}

// ------------------------------------------------------------------ login / logout

function showLogin(message) {
  el.appView.hidden = true;
  el.loginView.hidden = false;
  el.loginError.hidden = !message;
  el.loginError.textContent = message || '';
  el.loginSubmit.disabled = false;
  el.loginSubmit.textContent = t('signIn');
  (el.loginEmail.value ? el.loginPassword : el.loginEmail).focus();
}

function logout() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
  state.token = null;
  state.user = null;
  state.socket?.disconnect();
  state.socket = null;
  state.cameras = [];
  state.threads.clear();
  state.unread.clear();
  state.progress.clear();
  state.pending.clear();
  state.selectedId = null;
  el.thread.replaceChildren();
  el.loginPassword.value = '';
  showLogin();
}

el.loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const email = el.loginEmail.value.trim();
  const password = el.loginPassword.value;
  if (!email || !password) {
    el.loginError.hidden = false;
    el.loginError.textContent = t('loginFailed');
    return;
  }
  el.loginSubmit.disabled = true;
  el.loginSubmit.textContent = t('signingIn');
  el.loginError.hidden = true;
  try {
    const result = await api('/api/auth/login', { method: 'POST', body: { email, password } });
    state.token = result.accessToken;
    state.user = result.user;
    localStorage.setItem(TOKEN_KEY, state.token);
    localStorage.setItem(USER_KEY, JSON.stringify(state.user));
    el.loginPassword.value = '';
    await startApp();
  } catch (error) {
    const message = error instanceof ApiError ? (error.status === 401 ? error.message || t('loginFailed') : error.message) : t('networkError');
    showLogin(message);
  }
});

el.logout.addEventListener('click', () => logout());

// ------------------------------------------------------------------ language

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll('[data-i18n-aria]')) node.setAttribute('aria-label', t(node.dataset.i18nAria));
  for (const node of document.querySelectorAll('[data-i18n-title]')) node.title = t(node.dataset.i18nTitle);
  for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === state.lang));
  setConnection(state.socket?.connected ?? false);
  if (!state.selectedId) el.threadTitle.textContent = t('pickCamera');
}

for (const button of document.querySelectorAll('[data-lang]')) {
  button.addEventListener('click', () => {
    state.lang = button.dataset.lang;
    localStorage.setItem(LANG_KEY, state.lang);
    applyLanguage();
    renderCameraList();
    if (state.selectedId) renderThread({ keepScroll: true });
  });
}

// ------------------------------------------------------------------ app start

async function startApp() {
  el.loginView.hidden = true;
  el.appView.hidden = false;
  el.userName.textContent = state.user?.displayName || state.user?.email || '';
  applyLanguage();
  connectSocket();
  try {
    state.cameras = await api('/api/cameras');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    state.cameras = [];
  }
  renderCameraList();
  document.getElementById('grid-link').hidden = !state.cameras.some((camera) => camera.live);
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('camera');
  const initial = state.cameras.find((c) => c.id === fromHash) ?? (isNarrow() ? null : sortedCameras()[0]);
  if (initial) selectCamera(initial.id, { focus: false });
  else showEmptyPane();
}

const isNarrow = () => window.matchMedia('(max-width: 760px)').matches;

// ------------------------------------------------------------------ socket

function setConnection(online) {
  el.connection.classList.toggle('is-online', online);
  el.connection.title = t(online ? 'online' : 'offline');
  el.connection.querySelector('.connection__label').textContent = t(online ? 'online' : 'offline');
}

function connectSocket() {
  state.socket?.disconnect();
  if (typeof window.io !== 'function') return;
  const socket = window.io({ auth: { token: state.token } });
  state.socket = socket;
  // live.js sends the live pictures over this connection
  window.cameramonitSocket = socket;
  socket.on('connect', () => setConnection(true));
  socket.on('disconnect', () => setConnection(false));
  socket.on('connect_error', (error) => {
    setConnection(false);
    if (String(error?.message).toLowerCase().includes('unauthorized')) logout();
  });
  // live.js draws an event's boxes over the camera's live picture
  const announceEvent = (payload) => {
    if (payload.message.event) window.dispatchEvent(new CustomEvent('cameramonit:event', { detail: { cameraId: payload.cameraId, event: payload.message.event } }));
  };
  // the detector's boxes of a live key frame of a camera someone watches: live.js draws them
  socket.on('live:boxes', (payload) => {
    if (payload?.cameraId) window.dispatchEvent(new CustomEvent('cameramonit:live-boxes', { detail: payload }));
  });
  socket.on('message', (payload) => {
    if (payload?.cameraId && payload.message) {
      receiveMessage(payload.cameraId, payload.message);
      announceEvent(payload);
    }
  });
  socket.on('message-updated', (payload) => {
    if (payload?.cameraId && payload.message) {
      updateMessage(payload.cameraId, payload.message);
      announceEvent(payload);
    }
  });
  socket.on('progress', (payload) => {
    if (payload?.cameraId && payload.clipId) receiveProgress(payload);
  });
  socket.on('events-removed', (payload) => {
    if (payload?.cameraId && Array.isArray(payload.eventIds)) removeEvents(payload.cameraId, payload.eventIds);
  });
  socket.on('camera-status', (payload) => {
    const camera = state.cameras.find((c) => c.id === payload?.cameraId);
    if (!camera?.live) return;
    Object.assign(camera.live, { state: payload.state, message: payload.message ?? null, since: payload.since });
    renderCameraList();
    // live.js shows it on the open camera's live view
    window.dispatchEvent(new CustomEvent('cameramonit:camera-status', { detail: { camera } }));
  });
}

/** A re-analysis took these events away: they leave the thread at once. */
function removeEvents(cameraId, eventIds) {
  const gone = new Set(eventIds.map((id) => `event:${id}`));
  const list = state.threads.get(cameraId);
  if (list) state.threads.set(cameraId, list.filter((message) => !gone.has(message.id)));
  for (const id of eventIds) state.events.delete(id);
  if (state.selectedId !== cameraId) return;
  for (const node of el.thread.querySelectorAll('[data-message-id]')) if (gone.has(node.dataset.messageId)) node.remove();
}

// ------------------------------------------------------------------ camera list

const AVATAR_COLORS = ['#2563eb', '#0d9488', '#7c3aed', '#db2777', '#ea580c', '#0891b2', '#4f46e5', '#16a34a'];
function avatarColor(id) {
  let hash = 0;
  for (const ch of String(id)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return AVATAR_COLORS[hash % AVATAR_COLORS.length];
}
function initials(name) {
  const parts = String(name).trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}
function fillAvatar(node, camera) {
  node.textContent = camera ? initials(camera.name) : '';
  node.style.background = camera ? avatarColor(camera.id) : '';
}

function sortedCameras() {
  return [...state.cameras].sort((a, b) => {
    const ta = a.lastEventAt ? Date.parse(a.lastEventAt) : 0;
    const tb = b.lastEventAt ? Date.parse(b.lastEventAt) : 0;
    return tb - ta || String(a.name).localeCompare(String(b.name));
  });
}

function renderCameraList() {
  const focusedId = document.activeElement?.closest?.('[data-testid="camera-item"]')?.dataset.cameraId;
  el.cameraEmpty.hidden = state.cameras.length > 0;
  el.cameraList.replaceChildren(
    ...sortedCameras().map((camera) => {
      const unread = state.unread.get(camera.id) ?? 0;
      const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' });
      fillAvatar(avatar, camera);
      const live = camera.live;
      const liveLabel = live ? t('liveState')[live.state] ?? live.state : '';
      const label = `${camera.name}${live ? `, ${liveLabel}` : ''}${unread ? `, ${unread} unread` : ''}`;
      const button = h(
        'button',
        {
          type: 'button',
          class: `camera-item${unread ? ' has-unread' : ''}`,
          'data-testid': 'camera-item',
          'data-camera-id': camera.id,
          'data-camera-name': camera.name,
          'aria-current': camera.id === state.selectedId ? 'true' : 'false',
          'aria-label': label,
          onclick: () => selectCamera(camera.id),
        },
        avatar,
        h(
          'span',
          { class: 'camera-item__body' },
          h('span', { class: 'camera-item__row' },
            live ? h('span', { class: `live-dot live-dot--${live.state}`, 'data-testid': 'camera-live-state', 'data-state': live.state, title: live.message ? `${liveLabel}: ${live.message}` : liveLabel }) : null,
            h('span', { class: 'camera-item__name', text: camera.name }),
            h('span', { class: 'camera-item__time', 'data-testid': 'camera-last-event', text: listTime(camera.lastEventAt) || '' })),
          h('span', { class: 'camera-item__row' },
            h('span', { class: 'camera-item__project', text: camera.lastEventAt ? camera.projectName || '' : `${camera.projectName ? `${camera.projectName} · ` : ''}${t('noEventsYet')}` }),
            unread ? h('span', { class: 'badge', 'data-testid': 'unread-badge', text: unread > 99 ? '99+' : String(unread) }) : null),
        ),
      );
      return h('li', {}, button);
    }),
  );
  if (focusedId) el.cameraList.querySelector(`[data-camera-id="${CSS.escape(focusedId)}"]`)?.focus();
}

el.back.addEventListener('click', () => {
  el.appView.classList.remove('show-thread');
  history.replaceState(null, '', location.pathname);
  el.cameraList.querySelector(`[data-camera-id="${CSS.escape(state.selectedId ?? '')}"]`)?.focus();
});

// ------------------------------------------------------------------ thread

function showEmptyPane() {
  el.pane.classList.add('is-empty');
  el.threadTitle.textContent = t('pickCamera');
  el.threadSubtitle.textContent = '';
  fillAvatar(el.threadAvatar, null);
  el.thread.replaceChildren();
}

async function selectCamera(cameraId, { focus = true } = {}) {
  const camera = state.cameras.find((c) => c.id === cameraId);
  if (!camera) return;
  state.selectedId = cameraId;
  state.unread.delete(cameraId);
  el.pane.classList.remove('is-empty');
  el.appView.classList.add('show-thread');
  el.threadTitle.textContent = camera.name;
  el.threadSubtitle.textContent = camera.projectName || '';
  fillAvatar(el.threadAvatar, camera);
  history.replaceState(null, '', `#camera=${encodeURIComponent(cameraId)}`);
  renderCameraList();
  // live.js offers the camera's live picture, the last 60 s and its recordings
  window.dispatchEvent(new CustomEvent('cameramonit:camera-selected', { detail: { camera } }));

  if (!state.threads.has(cameraId)) {
    el.thread.replaceChildren(h('p', { class: 'thread__empty', text: '…' }));
    const seq = ++state.loadSeq;
    try {
      const { messages } = await api(`/api/cameras/${encodeURIComponent(cameraId)}/thread?limit=${PAGE_SIZE}`);
      if (seq !== state.loadSeq && state.selectedId !== cameraId) return;
      mergeMessages(cameraId, messages ?? []);
      state.hasOlder.set(cameraId, (messages ?? []).length >= PAGE_SIZE);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      if (state.selectedId === cameraId) {
        el.thread.replaceChildren(h('p', { class: 'thread__empty', role: 'alert', text: t('loadFailed') }));
      }
      return;
    }
  }
  if (state.selectedId !== cameraId) return;
  renderThread();
  if (focus && !isNarrow()) el.questionInput.focus();
}

/** Adds messages to a camera's thread, ignoring ids already there; keeps the thread ordered. */
function mergeMessages(cameraId, messages) {
  const list = state.threads.get(cameraId) ?? [];
  const ids = new Set(list.map((m) => m.id));
  const added = [];
  for (const message of messages) {
    if (!message || ids.has(message.id)) continue;
    ids.add(message.id);
    list.push(message);
    added.push(message);
    rememberEvents(message);
  }
  list.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  state.threads.set(cameraId, list);
  return added;
}

function rememberEvents(message) {
  if (message.event?.id) state.events.set(message.event.id, message.event);
  for (const event of message.events ?? []) if (event?.id) state.events.set(event.id, event);
}

async function loadOlder(cameraId) {
  const list = state.threads.get(cameraId) ?? [];
  const oldest = list[0];
  if (!oldest) return;
  const previousHeight = el.thread.scrollHeight;
  const previousTop = el.thread.scrollTop;
  try {
    const { messages } = await api(
      `/api/cameras/${encodeURIComponent(cameraId)}/thread?before=${encodeURIComponent(oldest.createdAt)}&limit=${PAGE_SIZE}`,
    );
    mergeMessages(cameraId, messages ?? []);
    state.hasOlder.set(cameraId, (messages ?? []).length >= PAGE_SIZE);
  } catch {
    return;
  }
  if (state.selectedId !== cameraId) return;
  renderThread({ keepScroll: true });
  el.thread.scrollTop = previousTop + (el.thread.scrollHeight - previousHeight);
}

function renderThread({ keepScroll = false } = {}) {
  const cameraId = state.selectedId;
  if (!cameraId) return;
  const scrollTop = el.thread.scrollTop;
  const list = state.threads.get(cameraId) ?? [];
  const nodes = [];
  if (state.hasOlder.get(cameraId)) {
    nodes.push(h('button', { type: 'button', class: 'button button--ghost load-older', 'data-testid': 'load-older', text: t('loadOlder'), onclick: () => loadOlder(cameraId) }));
  }
  let lastDay = '';
  for (const message of list) {
    const day = dayKey(new Date(message.createdAt));
    if (day !== lastDay) {
      nodes.push(h('div', { class: 'day-divider', role: 'separator', text: dayLabel(new Date(message.createdAt)) }));
      lastDay = day;
    }
    nodes.push(renderMessage(message));
  }
  for (const pending of state.pending.get(cameraId) ?? []) nodes.push(renderPending(pending));
  for (const progress of state.progress.get(cameraId)?.values() ?? []) nodes.push(renderProgress(progress));
  if (nodes.length === 0) nodes.push(h('p', { class: 'thread__empty', text: t('emptyThread') }));
  el.thread.replaceChildren(...nodes);
  el.thread.scrollTop = keepScroll ? scrollTop : el.thread.scrollHeight;
  if (!keepScroll) state.stick = true;
}

function nearBottom() {
  return el.thread.scrollHeight - el.thread.scrollTop - el.thread.clientHeight < 160;
}

function scrollToBottom() {
  el.thread.scrollTop = el.thread.scrollHeight;
  state.stick = true;
}

// Keep the newest message in view while images above it load, unless the reader scrolled up.
el.thread.addEventListener('scroll', () => {
  state.stick = nearBottom();
}, { passive: true });
el.thread.addEventListener('load', (e) => {
  if (e.target instanceof HTMLImageElement && state.stick) el.thread.scrollTop = el.thread.scrollHeight;
}, true);

/** Appends one node in the open thread, with a day divider when the day changes. */
function appendNode(node, createdAt) {
  const stick = state.stick || nearBottom();
  el.thread.querySelector('.thread__empty')?.remove();
  const firstTransient = el.thread.querySelector('[data-transient]');
  if (createdAt) {
    const lastMessage = [...el.thread.querySelectorAll('[data-created-at]')].pop();
    const day = dayKey(new Date(createdAt));
    if (!lastMessage || dayKey(new Date(lastMessage.dataset.createdAt)) !== day) {
      el.thread.insertBefore(h('div', { class: 'day-divider', role: 'separator', text: dayLabel(new Date(createdAt)) }), firstTransient);
    }
  }
  el.thread.insertBefore(node, createdAt ? firstTransient : null);
  if (stick) scrollToBottom();
}

// ------------------------------------------------------------------ incoming

function isOwn(message) {
  if (!state.user || !message.author) return false;
  return [state.user.displayName, state.user.email, state.user.id].filter(Boolean).includes(message.author);
}

function receiveMessage(cameraId, message) {
  if (message.kind === 'event' && message.event) {
    const camera = state.cameras.find((c) => c.id === cameraId);
    const at = message.event.startedAt || message.createdAt;
    if (camera && (!camera.lastEventAt || Date.parse(at) > Date.parse(camera.lastEventAt))) camera.lastEventAt = at;
  }
  const known = state.threads.has(cameraId);
  const added = known ? mergeMessages(cameraId, [message]) : [message];
  if (known && added.length === 0) return; // already shown
  rememberEvents(message);

  // Our own question came back: drop its optimistic copy.
  let replacedPending = false;
  if (message.kind === 'question') {
    const pending = state.pending.get(cameraId) ?? [];
    const index = pending.findIndex((p) => p.text === message.text);
    if (index >= 0 && (isOwn(message) || !message.author)) {
      const [removed] = pending.splice(index, 1);
      document.getElementById(removed.localId)?.remove();
      replacedPending = true;
    }
  }

  if (cameraId === state.selectedId && known) {
    const sorted = state.threads.get(cameraId);
    const isLatest = sorted[sorted.length - 1] === message;
    if (isLatest) {
      appendNode(renderMessage(message), message.createdAt);
      if (replacedPending || isOwn(message)) scrollToBottom();
    } else {
      renderThread({ keepScroll: true });
    }
  } else if (cameraId !== state.selectedId && !(message.kind === 'question' && isOwn(message))) {
    state.unread.set(cameraId, (state.unread.get(cameraId) ?? 0) + 1);
  }
  renderCameraList();
}

/** A message changed (an event got the model's description): replace it in the thread, same place, no duplicate. */
function updateMessage(cameraId, message) {
  const list = state.threads.get(cameraId);
  if (list) {
    const index = list.findIndex((m) => m.id === message.id);
    if (index >= 0) list[index] = message;
  }
  rememberEvents(message);
  if (cameraId !== state.selectedId) return;
  const node = el.thread.querySelector(`[data-message-id="${CSS.escape(message.id)}"]`);
  if (node && message.kind === 'event' && message.event) fillDescription(node, message.event);
  else if (node) node.replaceWith(renderMessage(message));
  // answers that show the event keep their strip; their titles follow the new text
  for (const item of el.thread.querySelectorAll(`.strip__item[data-event-id="${CSS.escape(message.event?.id ?? '')}"]`)) {
    item.title = summaryText(message.event);
  }
}

function receiveProgress(payload) {
  const { cameraId, clipId } = payload;
  const map = state.progress.get(cameraId) ?? new Map();
  state.progress.set(cameraId, map);
  map.set(clipId, payload);
  const done = Number(payload.progress) >= 1 || /^(done|finished|complete|completed|failed|error)$/i.test(String(payload.stage ?? ''));
  if (cameraId === state.selectedId) {
    const existing = document.getElementById(progressDomId(clipId));
    const node = renderProgress(payload);
    if (existing) existing.replaceWith(node);
    else appendNode(node);
  }
  if (done) {
    setTimeout(() => {
      map.delete(clipId);
      document.getElementById(progressDomId(clipId))?.remove();
    }, 6000);
  }
}

// ------------------------------------------------------------------ rendering messages

/** The event's text in the UI's language: the model's description when there is one, else the local text. */
function summaryText(event) {
  if (!event) return '';
  if (state.lang === 'pl') return event.descriptionPl || event.summaryPl || event.description || event.summary || '';
  return event.description || event.summary || event.summaryPl || '';
}

/** Title, text and threat level of an event message, set in place (the animation and the player stay as they are). */
function fillDescription(node, event) {
  node.dataset.descriptionStatus = event.descriptionStatus || 'none';
  const title = node.querySelector('[data-testid="event-title"]');
  if (title) {
    title.textContent = event.title || '';
    title.hidden = !event.title;
  }
  const text = node.querySelector('[data-testid="event-summary"]');
  if (text) text.textContent = summaryText(event);
  const threat = node.querySelector('[data-testid="event-threat"]');
  if (threat) {
    const level = event.threatLevel && event.threatLevel !== 'none' ? event.threatLevel : null;
    threat.hidden = !level;
    threat.textContent = level ? t('threat')[level] ?? level : '';
    threat.className = `chip chip--threat${level ? ` chip--threat-${level}` : ''}`;
  }
  const pending = node.querySelector('[data-testid="event-describing"]');
  if (pending) pending.hidden = event.descriptionStatus !== 'pending';
  const img = node.querySelector('[data-testid="event-animation"]');
  if (img) img.alt = summaryText(event) || labelText(event);
}

function labelText(event) {
  const label = state.lang === 'pl' ? LABELS_PL[event.label] ?? event.label : event.label;
  return event.count > 1 ? `${label} ×${event.count}` : label;
}

/** The animation, lazy, with the snapshot behind it while loading and instead of it on error. */
function animationImage(event, className = 'media') {
  const src = event.animationUrl || event.snapshotUrl;
  const img = h('img', {
    class: className,
    'data-testid': 'event-animation',
    src: src || null,
    alt: summaryText(event) || labelText(event),
    loading: 'lazy',
    decoding: 'async',
  });
  if (event.snapshotUrl) {
    img.style.backgroundImage = `url("${String(event.snapshotUrl).replace(/"/g, '%22')}")`;
    img.addEventListener('error', () => {
      if (img.getAttribute('src') !== event.snapshotUrl) img.src = event.snapshotUrl;
    }, { once: false });
  }
  return img;
}

function clipSource(event) {
  const offset = Number(event.clipOffsetSec) || 0;
  if (!event.clipUrl) return null;
  return offset > 0 ? `${event.clipUrl}#t=${offset.toFixed(1)}` : event.clipUrl;
}

/** Toggles an inline player for the event's clip inside `container`. */
function togglePlayer(event, container, button) {
  const existing = container.querySelector('video');
  if (existing) {
    existing.pause();
    container.replaceChildren();
    container.parentElement?.classList.remove('is-playing');
    if (button) {
      button.textContent = t('play');
      button.setAttribute('aria-expanded', 'false');
    }
    return;
  }
  const offset = Number(event.clipOffsetSec) || 0;
  const video = h('video', { controls: true, preload: 'metadata', playsinline: true, 'data-testid': 'clip-video', src: clipSource(event) });
  if (event.snapshotUrl) video.poster = event.snapshotUrl;
  video.addEventListener('loadedmetadata', () => {
    if (offset > 0 && Math.abs(video.currentTime - offset) > 0.5) video.currentTime = Math.min(offset, video.duration || offset);
    video.play().catch(() => {});
  }, { once: true });
  container.replaceChildren(video);
  if (button) container.parentElement?.classList.add('is-playing');
  if (button) {
    button.textContent = t('hideClip');
    button.setAttribute('aria-expanded', 'true');
  }
}

function meta(message, ...extra) {
  const created = new Date(message.createdAt);
  return h('div', { class: 'msg__meta' }, ...extra, h('time', { datetime: message.createdAt, title: created.toLocaleString(), text: stamp(created) }));
}

function shell(message, extraClass, ...content) {
  return h(
    'article',
    {
      class: `msg msg--${message.kind}${extraClass ? ` ${extraClass}` : ''}`,
      'data-testid': 'message',
      'data-kind': message.kind,
      'data-message-id': message.id,
      'data-created-at': message.createdAt,
    },
    ...content,
  );
}

function renderMessage(message) {
  switch (message.kind) {
    case 'event':
      return renderEvent(message);
    case 'question': {
      const own = isOwn(message);
      return shell(
        message,
        own ? '' : 'is-other',
        own ? null : h('span', { class: 'msg__author', text: message.author || '' }),
        h('div', { class: 'bubble' }, h('p', { class: 'msg__text', 'data-testid': 'question-text', text: message.text }), meta(message)),
      );
    }
    case 'answer':
      return renderAnswer(message);
    case 'error':
      return shell(message, '', h('div', { class: 'bubble', role: 'alert' }, h('p', { class: 'msg__text', text: message.text }), meta(message)));
    case 'system':
    default:
      return shell(message, '', h('div', { class: 'bubble' }, h('p', { class: 'msg__text', text: message.text }), meta(message)));
  }
}

function renderEvent(message) {
  const event = message.event;
  if (!event) return shell(message, '', h('div', { class: 'bubble' }, h('p', { class: 'msg__text', text: message.text }), meta(message)));
  const started = new Date(event.startedAt || message.createdAt);
  const player = h('div', { class: 'clip' });
  const play = event.clipUrl
    ? h('button', { type: 'button', class: 'link-button', 'data-testid': 'play-clip', 'aria-expanded': 'false', text: t('play') })
    : null;
  play?.addEventListener('click', () => togglePlayer(event, player, play));
  const media = event.animationUrl || event.snapshotUrl ? animationImage(event) : null;
  if (media && event.clipUrl) {
    media.style.cursor = 'pointer';
    media.addEventListener('click', () => togglePlayer(event, player, play));
  }
  const node = shell(
    message,
    '',
    h(
      'div',
      { class: 'bubble' },
      media,
      player,
      h('p', { class: 'msg__title', 'data-testid': 'event-title', hidden: true }),
      h('p', { class: 'msg__text', 'data-testid': 'event-summary', text: summaryText(event) || message.text }),
      pluginExtras(event),
      h(
        'div',
        { class: 'msg__meta' },
        h('time', { datetime: started.toISOString(), title: started.toLocaleString(), text: stamp(started) }),
        h('span', { class: 'chip', text: labelText(event) }),
        h('span', { class: 'chip chip--threat', 'data-testid': 'event-threat', hidden: true }),
        h('span', { class: 'msg__describing', 'data-testid': 'event-describing', hidden: true, text: t('describing') }),
        play,
      ),
    ),
  );
  node.dataset.eventId = event.id;
  fillDescription(node, event);
  return node;
}

// ------------------------------------------------------------------ analyser plugins

/** "clothingColour" -> "clothing colour" */
const featureName = (key) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_.-]+/g, ' ').toLowerCase();

/** What analyser plugins added to an event: features as chips (a colour swatch when the plugin gives `<key>Hex`), annotated images. */
function pluginExtras(event) {
  const features = event.features ?? [];
  const images = event.images ?? [];
  if (!features.length && !images.length) return null;
  const hex = new Map(features.filter((f) => /Hex$/.test(f.key) && /^#[0-9a-f]{6}$/i.test(f.value)).map((f) => [`${f.plugin}:${f.key.slice(0, -3)}`, f.value]));
  const chips = features
    .filter((f) => !hex.has(`${f.plugin}:${f.key.slice(0, -3)}`) || !/Hex$/.test(f.key))
    .map((f) => {
      const swatch = hex.get(`${f.plugin}:${f.key}`);
      return h(
        'span',
        { class: 'chip chip--feature', 'data-testid': 'event-feature', 'data-key': f.key, title: `${f.plugin}: ${f.key} = ${f.value}` },
        swatch ? h('span', { class: 'swatch', style: `background:${swatch}`, 'aria-hidden': 'true' }) : null,
        `${featureName(f.key)}: ${f.value}`,
      );
    });
  const pictures = images.map((image) =>
    h('a', { href: image.url, target: '_blank', rel: 'noopener', class: 'plugin-image' },
      h('img', { src: image.url, alt: image.caption || image.plugin, title: image.caption || image.plugin, loading: 'lazy', 'data-testid': 'event-plugin-image' })),
  );
  return h('div', { class: 'plugin-extras' }, chips.length ? h('div', { class: 'plugin-extras__chips' }, chips) : null, pictures.length ? h('div', { class: 'plugin-extras__images' }, pictures) : null);
}

function renderAnswer(message) {
  const events = (message.events?.length ? message.events : (message.eventIds ?? []).map((id) => state.events.get(id)))
    .filter(Boolean)
    .slice(0, STRIP_LIMIT);
  const player = h('div', { class: 'clip' });
  let strip = null;
  if (events.length) {
    strip = h(
      'div',
      { class: 'strip', role: 'list' },
      events.map((event) => {
        const item = h(
          'button',
          { type: 'button', class: 'strip__item', role: 'listitem', 'aria-pressed': 'false', title: summaryText(event), 'data-event-id': event.id },
          animationImage(event),
          h('span', { class: 'strip__time', text: `${event.clipUrl ? '▶ ' : ''}${shortStamp(new Date(event.startedAt))}` }),
        );
        item.addEventListener('click', () => {
          const playing = player.querySelector('video');
          for (const other of strip.querySelectorAll('.strip__item')) other.setAttribute('aria-pressed', 'false');
          if (playing && player.dataset.eventId === event.id) {
            togglePlayer(event, player, null);
            return;
          }
          player.replaceChildren();
          player.dataset.eventId = event.id;
          if (event.clipUrl) {
            togglePlayer(event, player, null);
            item.setAttribute('aria-pressed', 'true');
          }
        });
        return item;
      }),
    );
  }
  return shell(
    message,
    '',
    h('div', { class: 'bubble' }, h('p', { class: 'msg__text', 'data-testid': 'answer-text', text: message.text }), strip, player, meta(message)),
  );
}

function renderPending(pending) {
  return h(
    'article',
    {
      id: pending.localId,
      class: 'msg msg--question is-pending',
      'data-testid': 'message',
      'data-kind': 'question',
      'data-transient': '',
      'aria-busy': 'true',
    },
    h('div', { class: 'bubble' }, h('p', { class: 'msg__text', text: pending.text }), h('div', { class: 'msg__meta' }, h('span', { text: '…' }))),
  );
}

const progressDomId = (clipId) => `progress-${String(clipId).replace(/[^\w-]/g, '_')}`;

function renderProgress(payload) {
  const pct = Math.max(0, Math.min(100, Math.round(Number(payload.progress) * 100) || 0));
  const done = pct >= 100;
  const title = `${done ? t('analysisDone') : t('analysing')}: ${payload.originalName || payload.clipId}`;
  return h(
    'article',
    {
      id: progressDomId(payload.clipId),
      class: `msg msg--progress${done ? ' is-done' : ''}`,
      'data-testid': 'message',
      'data-kind': 'progress',
      'data-message-id': `progress-${payload.clipId}`,
      'data-transient': '',
    },
    h(
      'div',
      { class: 'bubble' },
      h('p', { class: 'msg__text', text: title }),
      h(
        'div',
        { class: 'progress-line' },
        h('progress', { max: 100, value: pct, 'data-testid': 'analysis-progress', 'aria-label': title }),
        h('span', { text: `${pct}%` }),
      ),
      payload.stage ? h('div', { class: 'msg__meta', text: String(payload.stage) }) : null,
    ),
  );
}

/** A message that exists only in this browser (upload results, local errors). */
function localMessage(cameraId, kind, text) {
  const message = { id: `local-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, kind, text, createdAt: new Date().toISOString(), author: null };
  mergeMessages(cameraId, [message]);
  if (cameraId === state.selectedId) {
    appendNode(renderMessage(message), message.createdAt);
    scrollToBottom();
  }
}

// ------------------------------------------------------------------ asking

el.composer.addEventListener('submit', async (e) => {
  e.preventDefault();
  const cameraId = state.selectedId;
  const text = el.questionInput.value.trim();
  if (!cameraId || !text) return;
  el.questionInput.value = '';
  const pending = { localId: `pending-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, text, createdAt: new Date().toISOString() };
  const list = state.pending.get(cameraId) ?? [];
  list.push(pending);
  state.pending.set(cameraId, list);
  appendNode(renderPending(pending));
  scrollToBottom();
  try {
    const result = await api(`/api/cameras/${encodeURIComponent(cameraId)}/questions`, { method: 'POST', body: { text } });
    for (const event of result?.events ?? []) if (event?.id) state.events.set(event.id, event);
    // The question and answer arrive over the socket. Without a socket, show them from the reply.
    if (!state.socket?.connected) {
      dropPending(cameraId, pending);
      const now = new Date().toISOString();
      const author = state.user?.displayName || state.user?.email || null;
      mergeMessages(cameraId, [
        { id: `local-q-${pending.localId}`, kind: 'question', text, createdAt: pending.createdAt, author },
        { id: `local-a-${pending.localId}`, kind: 'answer', text: result?.answer ?? '', createdAt: now, author: null, events: result?.events ?? [] },
      ]);
      if (cameraId === state.selectedId) renderThread();
    } else {
      // If the socket copy does not come back soon, stop showing the question as pending.
      setTimeout(() => {
        const node = document.getElementById(pending.localId);
        if (node) {
          node.classList.remove('is-pending');
          node.removeAttribute('aria-busy');
        }
      }, 4000);
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    dropPending(cameraId, pending);
    localMessage(cameraId, 'error', `${t('askFailed')} ${error?.message ?? ''}`.trim());
  }
});

function dropPending(cameraId, pending) {
  const list = state.pending.get(cameraId) ?? [];
  const index = list.indexOf(pending);
  if (index >= 0) list.splice(index, 1);
  document.getElementById(pending.localId)?.remove();
}

el.questionInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    el.composer.requestSubmit();
  }
});

// ------------------------------------------------------------------ uploading

el.uploadInput.addEventListener('change', () => {
  const file = el.uploadInput.files?.[0];
  el.uploadInput.value = '';
  if (file && state.selectedId) upload(state.selectedId, file);
});

let dragDepth = 0;
const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
el.threadWrap.addEventListener('dragenter', (e) => {
  if (!hasFiles(e) || !state.selectedId) return;
  e.preventDefault();
  dragDepth += 1;
  el.threadWrap.classList.add('is-dragging');
});
el.threadWrap.addEventListener('dragover', (e) => {
  if (!hasFiles(e) || !state.selectedId) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'copy';
  el.threadWrap.classList.add('is-dragging');
});
el.threadWrap.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) el.threadWrap.classList.remove('is-dragging');
});
el.threadWrap.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  el.threadWrap.classList.remove('is-dragging');
  const file = e.dataTransfer?.files?.[0];
  if (file && state.selectedId) upload(state.selectedId, file);
});
// A file dropped outside the thread must not navigate away from the chat.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

const VIDEO_NAME = /\.(mp4|m4v|mov|avi|mkv|webm|ts|mts|m2ts|mpg|mpeg|3gp|flv|wmv|h264|h265|hevc)$/i;

let uploadHideTimer = null;
function showUploadProgress(name, pct, { error = false, label } = {}) {
  clearTimeout(uploadHideTimer);
  el.uploadProgress.hidden = false;
  el.uploadProgress.classList.toggle('is-error', error);
  el.uploadProgress.querySelector('.upload-progress__name').textContent = name;
  const bar = el.uploadProgress.querySelector('progress');
  bar.value = pct;
  bar.setAttribute('aria-label', `${t('uploading')} ${name}`);
  el.uploadProgress.querySelector('.upload-progress__pct').textContent = label ?? `${pct}%`;
}
function hideUploadProgressSoon() {
  clearTimeout(uploadHideTimer);
  uploadHideTimer = setTimeout(() => (el.uploadProgress.hidden = true), 4000);
}

function upload(cameraId, file) {
  if (!(file.type || '').startsWith('video/') && !VIDEO_NAME.test(file.name)) {
    localMessage(cameraId, 'error', `${t('notVideo')} (${file.name})`);
    return;
  }
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  form.append('file', file, file.name);
  xhr.open('POST', `/api/cameras/${encodeURIComponent(cameraId)}/uploads`);
  xhr.setRequestHeader('Authorization', `Bearer ${state.token}`);
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.responseType = 'text';
  showUploadProgress(file.name, 0, { label: `${t('uploading')} 0%` });
  xhr.upload.addEventListener('progress', (e) => {
    if (e.lengthComputable) {
      const pct = Math.round((e.loaded / e.total) * 100);
      showUploadProgress(file.name, pct, { label: `${pct}%` });
    }
  });
  xhr.addEventListener('load', () => {
    const data = readJson(xhr.responseText);
    if (xhr.status === 401) {
      logout();
      return;
    }
    if (xhr.status >= 200 && xhr.status < 300) {
      showUploadProgress(file.name, 100, { label: t('uploaded') });
      hideUploadProgressSoon();
      const reply = data?.message;
      if (reply && typeof reply === 'object' && reply.id && reply.kind) receiveMessage(cameraId, reply);
      else localMessage(cameraId, 'system', typeof reply === 'string' && reply ? reply : `${t('uploaded')}: ${file.name}`);
      return;
    }
    const fallback = xhr.status === 413 ? t('tooLarge') : xhr.status === 415 ? t('badType') : t('uploadFailed');
    const reason = (typeof data?.message === 'string' && data.message) || fallback;
    showUploadProgress(file.name, 0, { error: true, label: t('uploadFailed') });
    hideUploadProgressSoon();
    localMessage(cameraId, 'error', `${t('uploadFailed')}: ${file.name} — ${reason}`);
  });
  xhr.addEventListener('error', () => {
    showUploadProgress(file.name, 0, { error: true, label: t('uploadFailed') });
    hideUploadProgressSoon();
    localMessage(cameraId, 'error', `${t('uploadFailed')}: ${file.name} — ${t('networkError')}`);
  });
  xhr.send(form);
}

// ------------------------------------------------------------------ boot

applyLanguage();
if (state.token) startApp();
else showLogin();
