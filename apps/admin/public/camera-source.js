// Where a camera's video comes from and how it is recorded (docs/live-cameras.md): the form for a
// new camera (a project's "+ Camera", or filled from "Find cameras on the network"), and for the
// selected camera its source, clip length, how long video is kept, on/off, its recording state and
// delete. Passwords are written, never read back. Plain ES module, no build step; admin.js tells it
// which camera is selected (cameramonit:camera-selected) and redraws the list when told
// (cameramonit:cameras-changed).

const TOKEN_KEY = 'cameramonit.admin.token';

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

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { accept: 'application/json', authorization: `Bearer ${localStorage.getItem(TOKEN_KEY)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(data?.message ?? `The server answered ${response.status}`);
  return data;
}

const KINDS = [
  ['rtsp', 'RTSP camera'],
  ['mjpeg', 'HTTP MJPEG stream'],
  ['snapshot', 'Snapshot URL (JPEG)'],
  ['webcam', 'Webcam (/dev/video0)'],
  ['file', 'Video file in a loop'],
  ['push', 'Device that pushes frames'],
  ['none', 'Uploads only'],
];
const PLACEHOLDERS = { rtsp: 'rtsp://192.168.1.20:554/stream1', mjpeg: 'http://192.168.1.21/video.mjpg', snapshot: 'http://192.168.1.22/snapshot.jpg', webcam: '/dev/video0', file: 'fixtures/vtest.avi' };
const STATES = { online: 'recording', offline: 'offline', 'auth-failed': 'wrong user name or password', 'not-found': 'no such stream', starting: 'connecting…', stopped: 'not recording' };
const slugOf = (text) => text.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'camera';

/** The source fields, filled from `source` (a CameraSourceView), for a new or an existing camera. */
function sourceFields(source, { isNew }) {
  const kind = h('select', { name: 'kind', 'data-testid': 'source-kind' }, ...KINDS.map(([value, label]) => h('option', { value, text: label, selected: value === (source?.kind ?? 'rtsp') })));
  const url = h('input', { name: 'url', type: 'text', 'data-testid': 'source-url', value: source?.url ?? '', autocomplete: 'off', spellcheck: 'false' });
  const subStreamUrl = h('input', { name: 'subStreamUrl', type: 'text', 'data-testid': 'source-substream', value: source?.subStreamUrl ?? '', placeholder: 'optional: a smaller stream for analysis', autocomplete: 'off' });
  const transport = h('select', { name: 'transport', 'data-testid': 'source-transport' }, h('option', { value: 'tcp', text: 'TCP', selected: source?.transport !== 'udp' }), h('option', { value: 'udp', text: 'UDP', selected: source?.transport === 'udp' }));
  const username = h('input', { name: 'username', type: 'text', 'data-testid': 'source-username', value: source?.username ?? '', autocomplete: 'off' });
  const password = h('input', { name: 'password', type: 'password', 'data-testid': 'source-password', autocomplete: 'new-password', placeholder: source?.hasPassword ? 'stored (leave empty to keep it)' : '' });
  const clearPassword = isNew ? null : h('label', { class: 'check' }, h('input', { name: 'clearPassword', type: 'checkbox', 'data-testid': 'source-clear-password' }), ' remove the stored password');
  const snapshotFps = h('input', { name: 'snapshotFps', type: 'number', min: '0.1', max: '30', step: '0.1', value: String(source?.snapshotFps ?? 2) });
  const recordMode = h('select', { name: 'recordMode', 'data-testid': 'source-record-mode' }, h('option', { value: 'continuous', text: 'all the time', selected: source?.recordMode !== 'motion' }), h('option', { value: 'motion', text: 'only around motion', selected: source?.recordMode === 'motion' }));
  const motionPaddingSec = h('input', { name: 'motionPaddingSec', type: 'number', min: '0', max: '120', step: '1', value: String(source?.motionPaddingSec ?? 5) });
  const eventRetentionDays = h('input', { name: 'eventRetentionDays', type: 'number', min: '0', max: '3650', step: '1', value: String(source?.eventRetentionDays ?? 7) });
  // which recorder reads the camera (a webcam: the one on the machine it is plugged into), and that machine's webcams
  const recorder = h('select', { name: 'recorder', 'data-testid': 'source-recorder' }, h('option', { value: '', text: 'main' }));
  const device = h('select', { name: 'device', 'data-testid': 'source-device' }, h('option', { value: '', text: '—' }));
  let recorders = [];
  const showDevices = () => {
    const chosen = recorders.find((r) => r.id === (recorder.value || 'main'));
    const devices = chosen?.devices ?? [];
    device.replaceChildren(
      h('option', { value: '', text: devices.length ? 'pick a webcam…' : `no webcam on ${chosen ? chosen.hostname : 'that recorder'}` }),
      ...devices.map((d) => h('option', { value: d.path, text: `${d.name} (${d.path})`, selected: d.path === url.value })),
    );
  };
  const captureSize = h('input', { name: 'captureSize', type: 'text', 'data-testid': 'source-capture-size', value: source?.captureSize ?? '', placeholder: "the webcam's own (or e.g. 1280x720)", pattern: '\\d{2,4}x\\d{2,4}', autocomplete: 'off' });
  const captureFps = h('input', { name: 'captureFps', type: 'number', min: '1', max: '60', step: '1', 'data-testid': 'source-capture-fps', value: source?.captureFps ?? '', placeholder: "the webcam's own" });
  device.addEventListener('change', () => {
    if (device.value) url.value = device.value;
  });
  recorder.addEventListener('change', showDevices);
  call('GET', '/api/recorders')
    .then((list) => {
      recorders = list;
      const wanted = source?.recorder ?? '';
      for (const r of list) {
        if (r.id === 'main') continue;
        recorder.append(h('option', { value: r.id, text: `${r.id} (${r.hostname}${r.online ? '' : ', not running'})` }));
      }
      // a camera may name a recorder that has not started yet
      if (wanted && !list.some((r) => r.id === wanted)) recorder.append(h('option', { value: wanted, text: `${wanted} (never started)` }));
      recorder.value = wanted;
      showDevices();
    })
    .catch(() => undefined);
  const field = (label, input, extra = {}) => h('label', { class: 'field', ...extra }, h('span', { text: label }), input);
  const rows = {
    url: field('Address', url),
    subStreamUrl: field('Sub-stream', subStreamUrl),
    transport: field('Transport', transport),
    username: field('User name', username),
    password: h('div', { class: 'field' }, h('label', { class: 'field' }, h('span', { text: 'Password' }), password), clearPassword),
    snapshotFps: field('Pictures per second', snapshotFps),
    motionPaddingSec: field('Seconds kept around motion', motionPaddingSec),
    recorder: field('Recorded by', recorder),
    device: field('Webcam', device),
    captureSize: field('Picture size', captureSize),
    captureFps: field('Frames per second', captureFps),
  };
  const show = () => {
    const value = kind.value;
    url.placeholder = PLACEHOLDERS[value] ?? '';
    rows.url.hidden = value === 'none' || value === 'push';
    rows.subStreamUrl.hidden = value !== 'rtsp';
    rows.transport.hidden = value !== 'rtsp';
    rows.username.hidden = rows.password.hidden = !['rtsp', 'mjpeg', 'snapshot'].includes(value);
    rows.snapshotFps.hidden = value !== 'snapshot';
    rows.motionPaddingSec.hidden = recordMode.value !== 'motion';
    rows.recorder.hidden = value === 'none' || value === 'push';
    rows.device.hidden = rows.captureSize.hidden = rows.captureFps.hidden = value !== 'webcam';
  };
  kind.addEventListener('change', show);
  recordMode.addEventListener('change', show);
  show();
  const node = h('div', { class: 'source__fields' }, field('Video from', kind), rows.recorder, rows.device, ...Object.values(rows).slice(0, 6), rows.captureSize, rows.captureFps, field('Record', recordMode), rows.motionPaddingSec, field('Keep clips with events (days)', eventRetentionDays));
  /** The source as the API takes it; undefined password keeps the stored one. */
  const read = () => {
    const body = {
      kind: kind.value,
      url: url.value.trim() || null,
      subStreamUrl: kind.value === 'rtsp' ? subStreamUrl.value.trim() || null : null,
      transport: transport.value,
      username: username.value.trim() || null,
      snapshotFps: Number(snapshotFps.value),
      recordMode: recordMode.value,
      motionPaddingSec: Number(motionPaddingSec.value),
      eventRetentionDays: Number(eventRetentionDays.value),
      recorder: kind.value === 'none' || kind.value === 'push' ? null : recorder.value || null,
      captureSize: kind.value === 'webcam' ? captureSize.value.trim() || null : null,
      captureFps: kind.value === 'webcam' && captureFps.value ? Number(captureFps.value) : null,
    };
    if (password.value) body.password = password.value;
    else if (clearPassword?.querySelector('input').checked) body.password = null;
    if (kind.value === 'none' || kind.value === 'push') body.url = null;
    return body;
  };
  const fill = (fields) => {
    if (fields.kind) kind.value = fields.kind;
    if ('url' in fields) url.value = fields.url ?? '';
    if ('subStreamUrl' in fields) subStreamUrl.value = fields.subStreamUrl ?? '';
    if (fields.transport) transport.value = fields.transport;
    if ('username' in fields) username.value = fields.username ?? '';
    if (fields.password) password.value = fields.password;
    show();
  };
  return { node, read, fill };
}

/** A new camera of a project, in a dialog. */
function openNewCamera(project, prefill = null) {
  const status = h('p', { class: 'finder__status', role: 'status', 'data-testid': 'new-camera-status' });
  const name = h('input', { type: 'text', 'data-testid': 'new-camera-name', required: true, value: prefill?.name ?? '' });
  const slug = h('input', { type: 'text', 'data-testid': 'new-camera-slug', required: true, pattern: '[a-z0-9][a-z0-9-]{0,62}', value: prefill?.name ? slugOf(prefill.name) : '' });
  name.addEventListener('input', () => (slug.value = slugOf(name.value)));
  const bufferSeconds = h('input', { type: 'number', min: '1', max: '600', step: '1', value: '5', 'data-testid': 'new-camera-buffer' });
  const maxRecordMinutes = h('input', { type: 'number', min: '1', step: '1', value: '60', 'data-testid': 'new-camera-minutes' });
  const source = sourceFields(null, { isNew: true });
  if (prefill) source.fill(prefill);
  const save = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'new-camera-save', text: 'Add camera' });
  const dialog = h(
    'dialog',
    { class: 'finder', 'data-testid': 'new-camera-dialog', 'aria-labelledby': 'new-camera-title' },
    h('h2', { id: 'new-camera-title', class: 'finder__title', text: `New camera in ${project.name}` }),
    h(
      'form',
      {
        class: 'source__form',
        onsubmit: async (event) => {
          event.preventDefault();
          save.disabled = true;
          status.textContent = '';
          try {
            const made = await call('POST', `/api/projects/${project.id}/cameras`, { slug: slug.value, name: name.value, bufferSeconds: Number(bufferSeconds.value), maxRecordMinutes: Number(maxRecordMinutes.value), source: source.read() });
            document.dispatchEvent(new CustomEvent('cameramonit:cameras-changed', { detail: made }));
            dialog.close();
          } catch (error) {
            status.textContent = error.message;
          } finally {
            save.disabled = false;
          }
        },
      },
      h('label', { class: 'field' }, h('span', { text: 'Name' }), name),
      h('label', { class: 'field' }, h('span', { text: 'Short name (slug)' }), slug),
      source.node,
      h('label', { class: 'field' }, h('span', { text: 'Clip length (s)' }), bufferSeconds),
      h('label', { class: 'field' }, h('span', { text: 'Keep all video for (minutes)' }), maxRecordMinutes),
      status,
      h('div', { class: 'finder__actions' }, h('button', { type: 'button', class: 'button button--ghost', text: 'Cancel', onclick: () => dialog.close() }), save),
    ),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** The selected camera's source and recording, above its analysis settings. */
async function showCamera(cameraId, project) {
  const section = document.getElementById('camera-source');
  const camera = await call('GET', `/api/cameras/${cameraId}`);
  const recording = camera.recording;
  const state = !camera.enabled ? 'stopped' : recording?.state ?? (['none', 'push'].includes(camera.source.kind) ? null : 'starting');
  const status = h('p', { class: 'source__status', role: 'status', 'data-testid': 'source-status' });
  const source = sourceFields(camera.source, { isNew: false });
  const bufferSeconds = h('input', { type: 'number', min: '1', max: '600', step: '1', value: String(camera.bufferSeconds), 'data-testid': 'camera-buffer' });
  const maxRecordMinutes = h('input', { type: 'number', min: '1', step: '1', value: String(camera.maxRecordMinutes), 'data-testid': 'camera-minutes' });
  const enabled = h('input', { type: 'checkbox', checked: camera.enabled, 'data-testid': 'camera-enabled' });
  const changed = () => document.dispatchEvent(new CustomEvent('cameramonit:cameras-changed', { detail: camera }));
  // one line until opened: the analysis settings below keep their place on the page
  const details = h('details', { class: 'source__details', 'data-testid': 'source-details' });
  details.append(
    h('summary', { class: 'source__head' },
      h('span', { class: 'source__title', text: 'Video source and recording' }),
      state ? h('span', { class: `state-badge state-dot--${state}`, 'data-testid': 'recording-state', 'data-state': state, text: STATES[state] ?? state }) : null,
      recording?.message && state !== 'online' ? h('span', { class: 'source__message', 'data-testid': 'recording-message', text: recording.message }) : null,
      recording?.codec ? h('span', { class: 'source__meta', text: `${recording.codec} · ${recording.width}×${recording.height}` }) : null),
    h(
      'form',
      {
        class: 'source__form',
        onsubmit: async (event) => {
          event.preventDefault();
          status.textContent = 'Saving…';
          try {
            await call('PATCH', `/api/cameras/${camera.id}/source`, source.read());
            await call('PATCH', `/api/cameras/${camera.id}`, { bufferSeconds: Number(bufferSeconds.value), maxRecordMinutes: Number(maxRecordMinutes.value), enabled: enabled.checked });
            status.textContent = 'Saved: the recorder follows at once.';
            changed();
            setTimeout(() => void showCamera(camera.id, project), 2500);
          } catch (error) {
            status.textContent = error.message;
          }
        },
      },
      source.node,
      h('div', { class: 'source__fields' },
        h('label', { class: 'field' }, h('span', { text: 'Clip length (s)' }), bufferSeconds),
        h('label', { class: 'field' }, h('span', { text: 'Keep all video for (minutes)' }), maxRecordMinutes),
        h('label', { class: 'check' }, enabled, ' recording on')),
      h('div', { class: 'settings__actions' },
        h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'source-save', text: 'Save' }),
        h('button', {
          type: 'button',
          class: 'button button--ghost source__delete',
          'data-testid': 'camera-delete',
          text: 'Delete camera',
          onclick: async () => {
            if (!confirm(`Delete camera ${camera.name}? Its recording stops and its clips are deleted.`)) return;
            try {
              await call('DELETE', `/api/cameras/${camera.id}`);
              section.hidden = true;
              document.getElementById('editor').hidden = true;
              document.getElementById('camera-title').textContent = 'Pick a camera';
              changed();
            } catch (error) {
              status.textContent = error.message;
            }
          },
        }),
        status),
    ),
  );
  const wasOpen = section.querySelector('details')?.open && section.dataset.cameraId === camera.id;
  details.open = Boolean(wasOpen);
  section.replaceChildren(details);
  section.hidden = false;
  section.dataset.cameraId = camera.id;
}

document.addEventListener('cameramonit:add-camera', (event) => openNewCamera(event.detail.project));
document.addEventListener('cameramonit:camera-selected', (event) => void showCamera(event.detail.camera.id, event.detail.project).catch((error) => console.warn(error)));
// "Fill the camera form" of the ONVIF finder: a new camera in the first project with that source
document.addEventListener('cameramonit:onvif-source', async (event) => {
  const projects = await call('GET', '/api/projects');
  if (projects[0]) openNewCamera(projects[0], { name: 'Camera', ...event.detail });
});
