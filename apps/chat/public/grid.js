// The live grid: up to 16 of the cameras you may see, live, on one page, all over one socket.io
// connection (live.js's LivePlayer), with the boxes of what the analysis found drawn over each
// picture. The boxes come with the events (the clip's best moment, a few seconds after it was
// recorded), so each says how old it is and fades out. Click a camera to open its thread.

import { LivePlayer } from './live.js';

const TOKEN_KEY = 'cameramonit.token';
const LANG_KEY = 'cameramonit.lang';
const MAX_TILES = 16;
/** a detection is drawn this long after it was seen, fading */
const BOX_SHOW_MS = 20_000;

const STRINGS = {
  en: { title: 'Live cameras', boxes: 'detections', none: 'No live cameras you may see.', login: 'Log in first.', count: (n, all) => (n < all ? `${n} of ${all} live cameras` : `${n} live ${n === 1 ? 'camera' : 'cameras'}`), ago: (s) => `${s} s ago` },
  pl: { title: 'Kamery na żywo', boxes: 'wykrycia', none: 'Brak kamer na żywo, które możesz oglądać.', login: 'Najpierw się zaloguj.', count: (n, all) => (n < all ? `${n} z ${all} kamer` : `kamery na żywo: ${n}`), ago: (s) => `${s} s temu` },
};
const lang = localStorage.getItem(LANG_KEY) === 'pl' ? 'pl' : 'en';
const t = (key, ...args) => {
  const value = STRINGS[lang][key] ?? STRINGS.en[key];
  return typeof value === 'function' ? value(...args) : value;
};
const LABEL_COLOURS = { person: '#3b82f6', car: '#f97316', truck: '#ea580c', bus: '#c2410c', bicycle: '#14b8a6', motorcycle: '#0d9488', dog: '#a855f7', cat: '#ec4899' };

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

/** One camera of the grid: its live picture, its name and state, and the recent detections over it. */
class Tile {
  constructor(camera, socket) {
    this.camera = camera;
    this.detections = [];
    this.video = h('video', { muted: true, playsinline: true, autoplay: true, 'data-testid': 'grid-video' });
    this.video.muted = true;
    this.canvas = h('canvas', { 'data-testid': 'grid-boxes-layer' });
    this.status = h('span', { class: 'tile__status' });
    this.root = h('div', { class: 'tile', 'data-testid': 'grid-tile', 'data-camera-id': camera.id, title: camera.name, onclick: () => (location.href = `/#camera=${encodeURIComponent(camera.id)}`) },
      this.video, this.canvas, h('span', { class: 'tile__label' }, h('span', { class: 'tile__dot' }), camera.name), this.status);
    this.player = new LivePlayer(this.video, (status) => this.onStatus(status), socket);
  }

  start() {
    void this.player.start(this.camera.id);
  }

  onStatus(status) {
    this.root.dataset.state = status.kind;
    this.status.textContent = status.kind === 'playing' || status.kind === 'connecting' ? '' : status.message ?? '';
  }

  /** An event of this camera: its boxes are drawn for a while. */
  addEvent(event) {
    // an event that goes on (updated) replaces its boxes
    this.detections = this.detections.filter((d) => d.eventId !== event.id);
    for (const box of event.boxes ?? []) this.detections.push({ ...box, eventId: event.id, seenAt: Date.parse(event.endedAt) || Date.now(), shownAt: Date.now() });
    this.detections = this.detections.slice(-30);
  }

  /** Draws the boxes over the part of the tile the picture fills (object-fit: contain). */
  draw(showBoxes) {
    const { canvas, video } = this;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const context = canvas.getContext('2d');
    context.clearRect(0, 0, width, height);
    const now = Date.now();
    this.detections = this.detections.filter((d) => now - d.shownAt < BOX_SHOW_MS);
    if (!showBoxes || !video.videoWidth) return;
    const scale = Math.min(width / video.videoWidth, height / video.videoHeight);
    const pictureWidth = video.videoWidth * scale;
    const pictureHeight = video.videoHeight * scale;
    const left = (width - pictureWidth) / 2;
    const top = (height - pictureHeight) / 2;
    context.font = '12px system-ui, sans-serif';
    context.lineWidth = 2;
    for (const detection of this.detections) {
      const alpha = Math.max(0.15, 1 - (now - detection.shownAt) / BOX_SHOW_MS);
      const colour = LABEL_COLOURS[detection.label] ?? '#e5e7eb';
      const x = left + detection.x * pictureWidth;
      const y = top + detection.y * pictureHeight;
      context.globalAlpha = alpha;
      context.strokeStyle = colour;
      context.strokeRect(x, y, detection.width * pictureWidth, detection.height * pictureHeight);
      const text = `${detection.label} · ${t('ago', Math.max(0, Math.round((now - detection.seenAt) / 1000)))}`;
      context.fillStyle = colour;
      context.fillRect(x, y - 16, context.measureText(text).width + 8, 16);
      context.fillStyle = '#000';
      context.fillText(text, x + 4, y - 4);
    }
    context.globalAlpha = 1;
  }
}

async function main() {
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  const token = localStorage.getItem(TOKEN_KEY);
  const empty = document.getElementById('grid-empty');
  if (!token) {
    location.href = '/';
    return;
  }
  const response = await fetch('/api/cameras', { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (response.status === 401) {
    location.href = '/';
    return;
  }
  const all = (await response.json()).filter((camera) => camera.live && camera.live.playable !== false);
  const wanted = new URLSearchParams(location.search).get('cameras')?.split(',').filter(Boolean);
  const cameras = (wanted ? all.filter((camera) => wanted.includes(camera.id)) : all).slice(0, MAX_TILES);
  document.getElementById('grid-count').textContent = t('count', cameras.length, all.length);
  if (cameras.length === 0) {
    empty.textContent = t('none');
    empty.hidden = false;
    return;
  }
  const grid = document.getElementById('grid');
  grid.style.setProperty('--cols', String(Math.ceil(Math.sqrt(cameras.length))));
  const socket = window.io({ auth: { token } });
  const tiles = new Map(cameras.map((camera) => [camera.id, new Tile(camera, socket)]));
  grid.append(...[...tiles.values()].map((tile) => tile.root));
  socket.once('connect', () => {
    for (const tile of tiles.values()) tile.start();
  });
  // after a reconnection the players start again by themselves (LivePlayer retries)
  socket.on('message', (payload) => {
    const tile = tiles.get(payload?.cameraId);
    if (tile && payload.message?.kind === 'event' && payload.message.event) tile.addEvent(payload.message.event);
  });
  socket.on('message-updated', (payload) => {
    const tile = tiles.get(payload?.cameraId);
    if (tile && payload.message?.event) tile.addEvent(payload.message.event);
  });
  const boxes = document.getElementById('grid-boxes');
  const frame = () => {
    for (const tile of tiles.values()) tile.draw(boxes.checked);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

void main();
