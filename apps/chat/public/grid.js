// The live grid: up to 16 of the cameras you may see, live, on one page, all over one socket.io
// connection (live.js's LivePlayer), with the boxes of what the analysis found drawn over each
// picture. The boxes come with the events (the clip's best moment, a few seconds after it was
// recorded), so each says how old it is and fades out. Click a camera to open its thread.

import { DetectionOverlay, LivePlayer } from './live.js';

const TOKEN_KEY = 'cameramonit.token';
const LANG_KEY = 'cameramonit.lang';
const MAX_TILES = 16;

const STRINGS = {
  en: { title: 'Live cameras', boxes: 'detections', none: 'No live cameras you may see.', login: 'Log in first.', count: (n, all) => (n < all ? `${n} of ${all} live cameras` : `${n} live ${n === 1 ? 'camera' : 'cameras'}`) },
  pl: { title: 'Kamery na żywo', boxes: 'wykrycia', none: 'Brak kamer na żywo, które możesz oglądać.', login: 'Najpierw się zaloguj.', count: (n, all) => (n < all ? `${n} z ${all} kamer` : `kamery na żywo: ${n}`) },
};
const lang = localStorage.getItem(LANG_KEY) === 'pl' ? 'pl' : 'en';
const t = (key, ...args) => {
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

/** One camera of the grid: its live picture, its name and state, and the recent detections over it. */
class Tile {
  constructor(camera, socket) {
    this.camera = camera;
    this.video = h('video', { muted: true, playsinline: true, autoplay: true, 'data-testid': 'grid-video' });
    this.video.muted = true;
    // a grid of many cameras shows their sub-streams (smaller), where they have one
    this.player = new LivePlayer(this.video, (status) => this.onStatus(status), socket, { stream: 'sub' });
    // the live boxes are drawn for the moment the picture shown was taken (the player's clock)
    this.overlay = new DetectionOverlay(this.video, 'grid-boxes-layer', this.player.clock);
    this.status = h('span', { class: 'tile__status' });
    this.root = h('div', { class: 'tile', 'data-testid': 'grid-tile', 'data-camera-id': camera.id, title: camera.name, onclick: () => (location.href = `/#camera=${encodeURIComponent(camera.id)}`) },
      this.video, this.overlay.canvas, h('span', { class: 'tile__label' }, h('span', { class: 'tile__dot' }), camera.name), this.status);
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
    this.overlay.add(event);
  }

  draw(showBoxes) {
    this.overlay.draw(showBoxes);
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
  socket.on('live:boxes', (payload) => tiles.get(payload?.cameraId)?.overlay.setLive(payload));
  const boxes = document.getElementById('grid-boxes');
  const frame = () => {
    for (const tile of tiles.values()) tile.draw(boxes.checked);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

void main();
