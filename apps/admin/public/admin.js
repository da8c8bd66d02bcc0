// The admin page: projects, their cameras, and a camera's analysis settings drawn on its picture.
// Plain ES module, no build step; talks to this app's API (/api/...) with the login's bearer token.

const TOKEN_KEY = 'cameramonit.admin.token';
const USER_KEY = 'cameramonit.admin.user';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';

const state = {
  token: localStorage.getItem(TOKEN_KEY),
  user: JSON.parse(localStorage.getItem(USER_KEY) ?? 'null'),
  cameraId: null,
  view: null, // GET analysis-settings answer
  zones: [],
  masks: [],
  drawing: null, // { kind: 'zone' | 'mask', points: [[x, y]] }
  selected: null, // { kind, index }
  showAllClasses: false,
  previewUrl: null,
};

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, init = {}) {
  const response = await fetch(path, {
    ...init,
    headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(state.token ? { authorization: `Bearer ${state.token}` } : {}), ...(init.headers ?? {}) },
  });
  if (response.status === 401 && state.token) {
    logout();
    throw new ApiError(401, 'Your login has expired; sign in again');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.message ?? `The server answered ${response.status}`);
  }
  return response;
}

function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// ------------------------------------------------------------------ login

function showLogin() {
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('login-email').focus();
}

function logout() {
  state.token = null;
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
  showLogin();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('login-error');
  error.hidden = true;
  $('login-submit').disabled = true;
  try {
    const response = await api('/api/auth/login', { method: 'POST', body: JSON.stringify({ email: $('login-email').value.trim(), password: $('login-password').value }) });
    const { accessToken, user } = await response.json();
    if (user.role !== 'admin' && user.role !== 'service') throw new ApiError(403, 'This page is for admins; your account is a ' + user.role + "'s");
    state.token = accessToken;
    state.user = user;
    localStorage.setItem(TOKEN_KEY, accessToken);
    localStorage.setItem(USER_KEY, JSON.stringify(user));
    await showApp();
  } catch (failure) {
    error.textContent = failure.status === 401 ? 'Wrong email or password' : failure.message;
    error.hidden = false;
  } finally {
    $('login-submit').disabled = false;
  }
});
$('logout').addEventListener('click', logout);

// ------------------------------------------------------------------ projects and cameras

async function showApp() {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('user-name').textContent = state.user?.displayName ?? state.user?.email ?? '';
  const projects = await (await api('/api/projects')).json();
  const list = $('project-list');
  list.replaceChildren();
  $('project-empty').hidden = projects.length > 0;
  for (const project of projects) {
    const cameras = await (await api(`/api/projects/${project.id}/cameras`)).json();
    list.append(
      h(
        'div',
        { class: 'project' },
        h('div', { class: 'project__name' }, project.name, h('span', { class: 'project__slug', text: project.slug }),
          // camera-source.js opens the form for a new camera
          h('button', { class: 'link-button project__add', type: 'button', 'data-testid': 'add-camera', 'data-project-id': project.id, text: '+ Camera', onclick: () => document.dispatchEvent(new CustomEvent('cameramonit:add-camera', { detail: { project } })) })),
        ...cameras.map((camera) =>
          h(
            'button',
            { class: 'camera-button', type: 'button', 'data-testid': 'camera-item', 'data-camera-id': camera.id, onclick: () => selectCamera(camera, project) },
            h('span', { class: 'camera-button__name' }, camera.recording && camera.source?.kind !== 'none' ? h('span', { class: `state-dot state-dot--${camera.enabled ? camera.recording.state : 'stopped'}`, 'data-testid': 'camera-state', 'data-state': camera.enabled ? camera.recording.state : 'stopped', title: camera.recording.message ?? camera.recording.state }) : null, camera.name),
            h('span', { class: 'camera-button__meta', text: `${project.slug}/${camera.slug} · ${camera.source?.kind === 'none' ? 'uploads only' : camera.source?.kind ?? ''}${camera.enabled ? '' : ' · disabled'}` }),
          ),
        ),
      ),
    );
  }
}

async function selectCamera(camera, project) {
  state.cameraId = camera.id;
  for (const button of document.querySelectorAll('.camera-button')) button.setAttribute('aria-current', String(button.dataset.cameraId === camera.id));
  $('camera-title').textContent = camera.name;
  $('camera-subtitle').textContent = `${project.name} · ${project.slug}/${camera.slug}`;
  $('editor').hidden = false;
  // camera-source.js shows where its video comes from and how its recording goes
  document.dispatchEvent(new CustomEvent('cameramonit:camera-selected', { detail: { camera, project } }));
  state.drawing = null;
  state.selected = null;
  setStatus('');
  showError(null);
  const view = await (await api(`/api/cameras/${camera.id}/analysis-settings`)).json();
  if (state.cameraId !== camera.id) return;
  applySettings(view, view.settings);
  void loadPreview(camera.id);
}

async function loadPreview(cameraId) {
  const img = $('preview');
  const missing = $('preview-missing');
  img.hidden = true;
  missing.hidden = false;
  missing.textContent = 'Loading the latest picture…';
  try {
    const blob = await (await api(`/api/cameras/${cameraId}/preview`)).blob();
    if (state.cameraId !== cameraId) return;
    if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
    state.previewUrl = URL.createObjectURL(blob);
    img.onload = () => {
      $('picture').style.aspectRatio = `${img.naturalWidth} / ${img.naturalHeight}`;
      img.hidden = false;
      missing.hidden = true;
    };
    img.src = state.previewUrl;
  } catch (failure) {
    if (state.cameraId !== cameraId) return;
    $('picture').style.aspectRatio = '16 / 9';
    missing.textContent = `${failure.message}. You can still draw on the empty frame.`;
  }
}

// ------------------------------------------------------------------ the settings form

function applySettings(view, settings) {
  state.view = view;
  state.zones = settings.zones.map((zone) => ({ ...zone, polygon: zone.polygon.map(([x, y]) => [x, y]) }));
  state.masks = settings.masks.map((mask) => mask.map(([x, y]) => [x, y]));
  const chosen = new Set(settings.classes);
  state.showAllClasses = state.showAllClasses || settings.classes.some((label) => !view.defaults.classes.includes(label));
  renderClasses(chosen);
  $('min-confidence').value = String(settings.minConfidence);
  $('motion-sensitivity').value = String(settings.motionSensitivity);
  $('motion-events').checked = settings.motionEvents;
  $('fps').value = settings.fps ?? '';
  $('fps').placeholder = `platform: ${view.platform.fps}`;
  $('width').value = settings.width ?? '';
  $('width').placeholder = `platform: ${view.platform.width}`;
  $('prompt').value = settings.prompt ?? '';
  showOutputs();
  renderShapes();
}

function renderClasses(chosen) {
  const list = $('class-list');
  const labels = state.showAllClasses ? state.view.classes : [...new Set([...state.view.defaults.classes, ...chosen])];
  list.replaceChildren(
    ...labels.map((label) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', value: label, 'data-testid': `class-${label.replace(/ /g, '-')}`, checked: chosen.has(label) }), label),
    ),
  );
  $('all-classes').textContent = state.showAllClasses ? 'Show the usual classes' : 'Show all 80 classes';
  $('all-classes').setAttribute('aria-pressed', String(state.showAllClasses));
}

function chosenClasses() {
  return [...$('class-list').querySelectorAll('input:checked')].map((input) => input.value);
}

$('all-classes').addEventListener('click', () => {
  state.showAllClasses = !state.showAllClasses;
  renderClasses(new Set(chosenClasses()));
});

function showOutputs() {
  $('confidence-value').textContent = Number($('min-confidence').value).toFixed(2);
  $('sensitivity-value').textContent = $('motion-sensitivity').value;
}
$('min-confidence').addEventListener('input', showOutputs);
$('motion-sensitivity').addEventListener('input', showOutputs);

function formSettings() {
  const number = (id) => ($(id).value.trim() === '' ? null : Number($(id).value));
  return {
    classes: chosenClasses(),
    minConfidence: Number($('min-confidence').value),
    zones: state.zones.map((zone) => ({ name: zone.name, polygon: zone.polygon, loiterSec: zone.loiterSec })),
    masks: state.masks,
    motionSensitivity: Number($('motion-sensitivity').value),
    motionEvents: $('motion-events').checked,
    fps: number('fps'),
    width: number('width'),
    prompt: $('prompt').value.trim() || null,
  };
}

function setStatus(text) {
  $('save-status').textContent = text;
}

function showError(message) {
  $('settings-error').hidden = !message;
  $('settings-error').textContent = message ?? '';
}

$('settings-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (state.drawing) finishShape();
  showError(null);
  setStatus('');
  $('save-settings').disabled = true;
  try {
    const view = await (await api(`/api/cameras/${state.cameraId}/analysis-settings`, { method: 'PUT', body: JSON.stringify(formSettings()) })).json();
    applySettings(view, view.settings);
    setStatus('Saved: the camera’s next clip is analysed with these settings.');
    const meta = document.querySelector(`.camera-button[data-camera-id="${state.cameraId}"] .camera-button__meta`);
    if (meta) meta.textContent = meta.textContent.replace(' · default analysis', '');
  } catch (failure) {
    showError(failure.message.replace(/^Invalid analysis settings: /, 'Not saved. Fix: ').replace(/; /g, '\n• '));
  } finally {
    $('save-settings').disabled = false;
  }
});

$('reset-settings').addEventListener('click', () => {
  if (!state.view) return;
  applySettings(state.view, state.view.defaults);
  setStatus('Defaults restored here; press Save to keep them.');
});

// ------------------------------------------------------------------ drawing zones and masks

const picture = $('picture');

function pointAt(event) {
  const rect = picture.getBoundingClientRect();
  const clamp = (v) => Math.min(1, Math.max(0, Math.round(v * 10000) / 10000));
  return [clamp((event.clientX - rect.left) / rect.width), clamp((event.clientY - rect.top) / rect.height)];
}

function startShape(kind) {
  state.drawing = { kind, points: [] };
  state.selected = null;
  renderShapes();
}

function finishShape() {
  const drawing = state.drawing;
  state.drawing = null;
  if (drawing && drawing.points.length >= 3) {
    if (drawing.kind === 'zone') {
      let n = state.zones.length + 1;
      while (state.zones.some((zone) => zone.name === `zone ${n}`)) n++;
      state.zones.push({ name: `zone ${n}`, polygon: drawing.points, loiterSec: null });
      state.selected = { kind: 'zone', index: state.zones.length - 1 };
    } else {
      state.masks.push(drawing.points);
      state.selected = { kind: 'mask', index: state.masks.length - 1 };
    }
    setStatus('Not saved yet.');
  }
  renderShapes();
}

$('add-zone').addEventListener('click', () => startShape('zone'));
$('add-mask').addEventListener('click', () => startShape('mask'));
$('finish-shape').addEventListener('click', finishShape);
$('cancel-shape').addEventListener('click', () => {
  state.drawing = null;
  renderShapes();
});
document.addEventListener('keydown', (event) => {
  if (!state.drawing) return;
  if (event.key === 'Enter') finishShape();
  if (event.key === 'Escape') {
    state.drawing = null;
    renderShapes();
  }
});

picture.addEventListener('click', (event) => {
  if (!state.drawing || event.target.closest('.handle')) return;
  state.drawing.points.push(pointAt(event));
  renderShapes();
});

function polygonOf(selection) {
  return selection.kind === 'zone' ? state.zones[selection.index]?.polygon : state.masks[selection.index];
}

function dragHandle(event, points, index) {
  event.preventDefault();
  event.stopPropagation();
  const handle = event.currentTarget;
  handle.setPointerCapture(event.pointerId);
  const move = (moveEvent) => {
    points[index] = pointAt(moveEvent);
    renderShapes({ keepHandles: true });
    handle.style.left = `${points[index][0] * 100}%`;
    handle.style.top = `${points[index][1] * 100}%`;
  };
  const up = () => {
    handle.removeEventListener('pointermove', move);
    handle.removeEventListener('pointerup', up);
    setStatus('Not saved yet.');
    renderShapes();
  };
  handle.addEventListener('pointermove', move);
  handle.addEventListener('pointerup', up);
}

/** Drags a whole selected shape, keeping every corner inside the picture. */
function dragShape(event, points) {
  event.preventDefault();
  // the overlay stays while its polygons are drawn anew
  const target = $('overlay');
  target.setPointerCapture(event.pointerId);
  const start = pointAt(event);
  const original = points.map(([x, y]) => [x, y]);
  const xs = original.map(([x]) => x);
  const ys = original.map(([, y]) => y);
  let moved = false;
  const move = (moveEvent) => {
    const [x, y] = pointAt(moveEvent);
    const dx = Math.min(1 - Math.max(...xs), Math.max(-Math.min(...xs), x - start[0]));
    const dy = Math.min(1 - Math.max(...ys), Math.max(-Math.min(...ys), y - start[1]));
    original.forEach(([ox, oy], i) => (points[i] = [Math.round((ox + dx) * 10000) / 10000, Math.round((oy + dy) * 10000) / 10000]));
    moved = true;
    renderShapes({ keepHandles: true });
  };
  const up = () => {
    target.removeEventListener('pointermove', move);
    target.removeEventListener('pointerup', up);
    if (moved) setStatus('Not saved yet.');
    renderShapes();
  };
  target.addEventListener('pointermove', move);
  target.addEventListener('pointerup', up);
}

function renderShapes(options = {}) {
  const drawing = state.drawing;
  picture.classList.toggle('is-drawing', !!drawing);
  $('finish-shape').hidden = !drawing;
  $('cancel-shape').hidden = !drawing;
  $('add-zone').hidden = !!drawing;
  $('add-mask').hidden = !!drawing;
  $('draw-hint').textContent = drawing
    ? `Click on the picture to add the ${drawing.kind}'s corners (${drawing.points.length} so far, at least 3); click the first corner, press Enter or Finish to close it.`
    : 'Draw zones (named areas: events say which one) and masks (areas ignored) on the picture. Click a shape to select it, then drag it or its corners; double-click a corner to remove it.';

  const overlay = $('overlay');
  overlay.replaceChildren();
  const shapes = [
    ...state.masks.map((polygon, index) => ({ kind: 'mask', index, polygon })),
    ...state.zones.map((zone, index) => ({ kind: 'zone', index, polygon: zone.polygon, name: zone.name })),
  ];
  for (const shape of shapes) {
    const selected = state.selected?.kind === shape.kind && state.selected.index === shape.index;
    const polygon = document.createElementNS(SVG, 'polygon');
    polygon.setAttribute('points', shape.polygon.map(([x, y]) => `${x},${y}`).join(' '));
    polygon.setAttribute('class', `shape--${shape.kind}${selected ? ' shape--selected' : ''}`);
    polygon.setAttribute('data-testid', `shape-${shape.kind}`);
    polygon.addEventListener('click', (event) => {
      if (state.drawing) return;
      event.stopPropagation();
      if (selected) return;
      state.selected = { kind: shape.kind, index: shape.index };
      renderShapes();
    });
    if (selected && !state.drawing) polygon.addEventListener('pointerdown', (event) => dragShape(event, shape.polygon));
    overlay.append(polygon);
  }
  if (drawing && drawing.points.length) {
    const line = document.createElementNS(SVG, drawing.points.length >= 3 ? 'polygon' : 'polyline');
    line.setAttribute('points', drawing.points.map(([x, y]) => `${x},${y}`).join(' '));
    line.setAttribute('class', 'shape--draft');
    overlay.append(line);
  }
  if (options.keepHandles) return;

  const handles = $('handles');
  handles.replaceChildren();
  state.zones.forEach((zone, index) => {
    const [cx, cy] = centroid(zone.polygon);
    handles.append(h('span', { class: 'shape-label', 'data-zone-label': index, style: `left:${cx * 100}%;top:${cy * 100}%`, text: zone.name }));
  });
  const editable = drawing ? null : state.selected ? polygonOf(state.selected) : null;
  if (editable) {
    editable.forEach(([x, y], index) => {
      const handle = h('button', {
        type: 'button',
        class: `handle${state.selected.kind === 'mask' ? ' handle--mask' : ''}`,
        style: `left:${x * 100}%;top:${y * 100}%`,
        'aria-label': `Corner ${index + 1}: drag to move, double-click to remove`,
        'data-testid': 'shape-corner',
      });
      handle.addEventListener('pointerdown', (event) => dragHandle(event, editable, index));
      handle.addEventListener('dblclick', (event) => {
        event.stopPropagation();
        if (editable.length > 3) editable.splice(index, 1);
        setStatus('Not saved yet.');
        renderShapes();
      });
      handles.append(handle);
    });
  }
  if (drawing) {
    drawing.points.forEach(([x, y], index) => {
      const handle = h('button', { type: 'button', class: `handle handle--draft${index === 0 ? ' handle--first' : ''}`, style: `left:${x * 100}%;top:${y * 100}%`, 'aria-label': index === 0 ? 'Close the shape' : `Corner ${index + 1}` });
      if (index === 0) handle.addEventListener('click', (event) => {
        event.stopPropagation();
        finishShape();
      });
      handles.append(handle);
    });
  }
  renderShapeList();
}

function renderShapeList() {
  const list = $('shape-list');
  const items = [];
  state.zones.forEach((zone, index) => {
    const selected = state.selected?.kind === 'zone' && state.selected.index === index;
    items.push(
      h(
        'li',
        { class: `shape-item${selected ? ' is-selected' : ''}`, 'data-testid': 'zone-item', onclick: () => select('zone', index) },
        h('span', { class: 'shape-item__kind', text: 'Zone' }),
        h('input', {
          class: 'shape-item__name',
          value: zone.name,
          maxlength: 40,
          'aria-label': 'Zone name',
          'data-testid': 'zone-name',
          onclick: (event) => event.stopPropagation(),
          oninput: (event) => {
            zone.name = event.target.value;
            setStatus('Not saved yet.');
            const label = $('handles').querySelector(`[data-zone-label="${index}"]`);
            if (label) label.textContent = zone.name;
          },
        }),
        h('input', {
          class: 'shape-item__loiter',
          type: 'number',
          min: 1,
          step: 1,
          value: zone.loiterSec ?? '',
          placeholder: 'loiter s',
          title: 'Staying longer than this many seconds in the zone is a loitering event (empty: never)',
          'aria-label': 'Loitering after (seconds)',
          'data-testid': 'zone-loiter',
          onclick: (event) => event.stopPropagation(),
          oninput: (event) => {
            zone.loiterSec = event.target.value === '' ? null : Number(event.target.value);
            setStatus('Not saved yet.');
          },
        }),
        h('span', { class: 'shape-item__unit', text: 's loiter' }),
        deleteButton('zone', index),
      ),
    );
  });
  state.masks.forEach((mask, index) => {
    const selected = state.selected?.kind === 'mask' && state.selected.index === index;
    items.push(
      h(
        'li',
        { class: `shape-item${selected ? ' is-selected' : ''}`, 'data-testid': 'mask-item', onclick: () => select('mask', index) },
        h('span', { class: 'shape-item__kind', text: 'Mask' }),
        h('span', { class: 'shape-item__points', text: `ignored area, ${mask.length} corners` }),
        deleteButton('mask', index),
      ),
    );
  });
  list.replaceChildren(...items);
}

function select(kind, index) {
  if (state.drawing) return;
  if (state.selected?.kind === kind && state.selected.index === index) return;
  state.selected = { kind, index };
  renderShapes();
}

function deleteButton(kind, index) {
  return h('button', {
    type: 'button',
    class: 'button button--ghost',
    'data-testid': `delete-${kind}`,
    text: 'Delete',
    onclick: (event) => {
      event.stopPropagation();
      if (kind === 'zone') state.zones.splice(index, 1);
      else state.masks.splice(index, 1);
      state.selected = null;
      setStatus('Not saved yet.');
      renderShapes();
    },
  });
}

function centroid(polygon) {
  const n = polygon.length || 1;
  return [polygon.reduce((sum, [x]) => sum + x, 0) / n, polygon.reduce((sum, [, y]) => sum + y, 0) / n];
}

// ------------------------------------------------------------------ start

if (state.token) {
  showApp().catch((failure) => {
    if (failure.status !== 401) showLogin();
  });
} else {
  showLogin();
}

// a camera added elsewhere on the page (onvif-discovery.js): show it in the list
document.addEventListener('cameramonit:cameras-changed', () => void showApp());
