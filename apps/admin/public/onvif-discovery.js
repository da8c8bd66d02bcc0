// "Find cameras on the network" (docs/onvif.md): ONVIF discovery through this app's API (the
// installer app probes its network), pick a camera, give its user and password, pick its main and
// sub stream, then add it as a camera of a project — or hand the source to a camera form on this
// page: the event `cameramonit:onvif-source` carries {kind, url, subStreamUrl, transport, username,
// password} (parseCameraSource fields) for whoever listens. Plain ES module, no build step.

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

async function call(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { accept: 'application/json', authorization: `Bearer ${localStorage.getItem(TOKEN_KEY)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(data?.message ?? `The server answered ${response.status}`);
  return data;
}

const size = (p) => (p.width && p.height ? `${p.width}×${p.height}` : 'size unknown');
const slugOf = (text) => text.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'camera';

function openFinder() {
  const status = h('p', { class: 'finder__status', role: 'status', 'data-testid': 'onvif-status' });
  const addressInput = h('input', { type: 'text', placeholder: 'optional: 192.168.1.64 (another subnet)', 'data-testid': 'onvif-probe-address', autocomplete: 'off' });
  const searchButton = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'onvif-search', text: 'Search' });
  const devices = h('ul', { class: 'finder__devices', 'data-testid': 'onvif-devices' });
  const details = h('div', { class: 'finder__details', 'data-testid': 'onvif-details' });
  const closeButton = h('button', { type: 'button', class: 'button button--ghost', text: 'Close', onclick: () => dialog.close() });
  const dialog = h(
    'dialog',
    { class: 'finder', 'data-testid': 'onvif-dialog', 'aria-labelledby': 'finder-title' },
    h('h2', { id: 'finder-title', class: 'finder__title', text: 'Find cameras on the network' }),
    h('p', { class: 'finder__hint', text: 'ONVIF cameras answer a discovery probe from the installer app. Pick one, give its user and password, then pick its streams.' }),
    h('form', { class: 'finder__search', onsubmit: (e) => (e.preventDefault(), void search()) }, addressInput, searchButton),
    status,
    devices,
    details,
    h('div', { class: 'finder__actions' }, closeButton),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();

  async function search() {
    searchButton.disabled = true;
    devices.replaceChildren();
    details.replaceChildren();
    status.textContent = 'Searching… (3 s)';
    try {
      const address = addressInput.value.trim();
      const { devices: found } = await call('/api/discovery/onvif', { timeoutMs: 3000, ...(address ? { address } : {}) });
      status.textContent = found.length ? `${found.length} camera${found.length === 1 ? '' : 's'} answered.` : 'No camera answered. Is it on, on this network, with ONVIF enabled? Give its address to probe it directly.';
      devices.replaceChildren(
        ...found.map((device) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', class: 'finder__device', 'data-testid': 'onvif-device', 'data-address': device.address, onclick: () => pick(device) },
              h('strong', { text: device.name ?? device.address }),
              h('span', { text: ` ${device.hardware ?? ''} · ${device.address}${device.needsCredentials ? ' · needs a user and password' : ''}` }),
            ),
          ),
        ),
      );
    } catch (error) {
      status.textContent = `Search failed: ${error.message}`;
    } finally {
      searchButton.disabled = false;
    }
  }

  function pick(device) {
    const username = h('input', { type: 'text', autocomplete: 'off', 'data-testid': 'onvif-username', value: 'admin' });
    const password = h('input', { type: 'password', autocomplete: 'new-password', 'data-testid': 'onvif-password' });
    const readButton = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'onvif-read', text: 'Read its streams' });
    const profiles = h('div', { class: 'finder__profiles' });
    details.replaceChildren(
      h('h3', { text: device.name ?? device.address }),
      h(
        'form',
        { class: 'finder__credentials', onsubmit: (e) => (e.preventDefault(), void read()) },
        h('label', { class: 'field' }, h('span', { text: 'User' }), username),
        h('label', { class: 'field' }, h('span', { text: 'Password' }), password),
        readButton,
      ),
      profiles,
    );

    async function read() {
      readButton.disabled = true;
      status.textContent = 'Reading its profiles…';
      try {
        const description = await call('/api/discovery/onvif/inspect', { address: device.address, username: username.value, password: password.value });
        status.textContent = `${[description.manufacturer, description.model].filter(Boolean).join(' ') || 'Camera'}: ${description.profiles.length} profile(s).`;
        showProfiles(description, { username: username.value, password: password.value });
      } catch (error) {
        status.textContent = error.message;
      } finally {
        readButton.disabled = false;
      }
    }

    function showProfiles(description, credentials) {
      const streams = description.profiles.filter((p) => p.streamUri);
      const row = (p, role) =>
        h(
          'label',
          { class: 'finder__profile' },
          h('input', { type: 'radio', name: role, value: p.token, checked: p.token === (role === 'main' ? description.mainProfileToken : description.subProfileToken), 'data-testid': `onvif-${role}-${p.token}` }),
          ` ${p.name} · ${size(p)} · ${p.encoding ?? '?'}${p.fps ? ` · ${p.fps} fps` : ''}`,
        );
      const form = h(
        'form',
        { class: 'finder__pick' },
        h('fieldset', {}, h('legend', { text: 'Main stream (recorded)' }), ...streams.map((p) => row(p, 'main'))),
        h('fieldset', {}, h('legend', { text: 'Sub-stream (analysis, live boxes)' }), h('label', { class: 'finder__profile' }, h('input', { type: 'radio', name: 'sub', value: '', checked: !description.subProfileToken }), ' none'), ...streams.map((p) => row(p, 'sub'))),
      );
      const source = () => {
        const main = streams.find((p) => p.token === form.elements.main.value) ?? streams[0];
        const sub = streams.find((p) => p.token === form.elements.sub.value) ?? null;
        return { kind: 'rtsp', url: main?.streamUri ?? null, subStreamUrl: sub && sub !== main ? sub.streamUri : null, transport: 'tcp', username: credentials.username || null, password: credentials.password || null, mainProfileToken: main?.token, subProfileToken: sub?.token ?? '' };
      };
      const fillButton = h('button', {
        type: 'button',
        class: 'button button--ghost',
        'data-testid': 'onvif-fill',
        text: 'Fill the camera form',
        onclick: () => {
          const { mainProfileToken, subProfileToken, ...fields } = source();
          document.dispatchEvent(new CustomEvent('cameramonit:onvif-source', { detail: fields }));
          status.textContent = 'The camera form got the source (save it there).';
        },
      });
      profiles.replaceChildren(form, addForm(description, credentials, source), fillButton);
    }
  }

  function addForm(description, credentials, source) {
    const project = h('select', { 'data-testid': 'onvif-project' });
    const name = h('input', { type: 'text', 'data-testid': 'onvif-name', value: description.model ?? 'Camera', required: true });
    const slug = h('input', { type: 'text', 'data-testid': 'onvif-slug', value: slugOf(description.model ?? 'camera'), pattern: '[a-z0-9][a-z0-9-]{0,62}', required: true });
    name.addEventListener('input', () => (slug.value = slugOf(name.value)));
    void call('/api/projects').then((projects) => project.replaceChildren(...projects.map((p) => h('option', { value: p.id, text: p.name }))));
    const add = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'onvif-add', text: 'Add camera' });
    return h(
      'form',
      {
        class: 'finder__add',
        onsubmit: async (e) => {
          e.preventDefault();
          add.disabled = true;
          const { mainProfileToken, subProfileToken } = source();
          try {
            const made = await call(`/api/projects/${project.value}/cameras/onvif`, { slug: slug.value, name: name.value, address: description.address, ...credentials, mainProfileToken, subProfileToken });
            status.textContent = `Added camera ${made.camera.name}: recorded from ${made.source.url}.`;
            document.dispatchEvent(new CustomEvent('cameramonit:cameras-changed', { detail: made.camera }));
          } catch (error) {
            status.textContent = error.message;
          } finally {
            add.disabled = false;
          }
        },
      },
      h('label', { class: 'field' }, h('span', { text: 'Project' }), project),
      h('label', { class: 'field' }, h('span', { text: 'Name' }), name),
      h('label', { class: 'field' }, h('span', { text: 'Short name (slug)' }), slug),
      add,
    );
  }
}

document.getElementById('find-cameras')?.addEventListener('click', openFinder);
