// The pages beyond the object browser: share links, status, users and keys, artifacts, imports.

import { api, ApiError } from './api.js';
import { h, clear, formatBytes, formatDate, formatDuration, toast, showError, openDialog, confirmDialog, copyText, field, progressBar } from './ui.js';
import { bucketHref } from './browser.js';

const list = (value, ...names) => {
  if (Array.isArray(value)) return value;
  for (const name of names) if (value && Array.isArray(value[name])) return value[name];
  return [];
};
const pick = (object, ...names) => {
  for (const name of names) if (object && object[name] !== undefined && object[name] !== null) return object[name];
  return undefined;
};

function pageHead(title, ...extra) {
  return h('div', { class: 'page-head' }, h('h1', null, title), ...extra);
}

function notice(target, text, detail) {
  target.appendChild(h('div', { class: 'card notice', id: 'not-available', dataset: { testid: 'not-available' } },
    h('p', null, text), detail ? h('p', { class: 'note' }, detail) : null));
}

// A 404 from the router (not from a lookup) or 501: the daemon does not offer this at all.
const endpointMissing = (error) => error instanceof ApiError
  && (error.status === 501 || (error.status === 404 && /console endpoint|not available/i.test(error.message)));

// ---- shares -------------------------------------------------------------------------------------

export function sharesPage(main) {
  const tbody = h('tbody', { id: 'share-rows' });
  const table = h('table', { class: 'table', id: 'share-table' },
    h('thead', null, h('tr', null, ['File', 'Link', 'Expires', 'Downloads', 'State'].map((t) => h('th', { scope: 'col' }, t)), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))),
    tbody);
  const empty = h('p', { class: 'empty', hidden: true }, 'No share links yet. Use “Share” on a file to create one.');
  clear(main).append(pageHead('Share links'), table, empty);

  async function load() {
    try {
      const shares = list(await api('GET', '/api/shares'), 'shares');
      clear(tbody);
      empty.hidden = shares.length > 0;
      table.hidden = !shares.length;
      const now = Date.now();
      for (const share of shares) {
        const expired = share.expiresAt && new Date(share.expiresAt).getTime() < now;
        const used = share.maxDownloads && share.downloads >= share.maxDownloads;
        const state = share.revoked ? 'revoked' : expired ? 'expired' : used ? 'used up' : 'active';
        const url = share.url || `${location.origin}/share/${share.token}`;
        const urlField = h('input', { class: 'url-field', readonly: true, value: url, 'aria-label': `Link to ${share.key}` });
        const dirname = share.key.includes('/') ? share.key.slice(0, share.key.lastIndexOf('/') + 1) : '';
        tbody.appendChild(h('tr', { dataset: { token: share.token, state } },
          h('td', { 'data-label': 'File', class: 'col-name' },
            h('a', { href: bucketHref(share.bucket, dirname) }, `${share.bucket}/${share.key}`), share.hasPassword ? h('span', { class: 'badge', title: 'Password protected' }, 'password') : null),
          h('td', { 'data-label': 'Link', class: 'col-link' }, h('div', { class: 'url-row' }, urlField, h('button', { type: 'button', class: 'small', onclick: () => copyText(url, urlField) }, 'Copy'))),
          h('td', { 'data-label': 'Expires' }, share.expiresAt ? formatDate(share.expiresAt) : 'never'),
          h('td', { 'data-label': 'Downloads' }, `${share.downloads ?? 0}${share.maxDownloads ? ` / ${share.maxDownloads}` : ''}`),
          h('td', { 'data-label': 'State' }, h('span', { class: `badge ${state === 'active' ? 'badge-ok' : 'badge-warn'}` }, state)),
          h('td', { class: 'col-actions' }, share.revoked ? null : h('button', { type: 'button', class: 'small danger', dataset: { testid: 'share-revoke' }, onclick: () => revoke(share) }, 'Revoke'))));
      }
    } catch (error) {
      showError(error, 'Could not list the share links');
    }
  }
  async function revoke(share) {
    if (!(await confirmDialog('Revoke this link?', `Nobody will be able to download ${share.key} with it any more.`, { confirmLabel: 'Revoke' }))) return;
    try {
      await api('DELETE', `/api/shares/${encodeURIComponent(share.token)}`);
      toast('Link revoked', 'success');
      load();
    } catch (error) {
      showError(error, 'Could not revoke');
    }
  }
  load();
}

// ---- status -------------------------------------------------------------------------------------

export function statusPage(main) {
  const diskBar = progressBar({ label: 'Disk used', testid: 'disk-bar', id: 'disk-bar' });
  const diskText = h('p', { class: 'note', id: 'disk-text' }, '…');
  const stat = (id, label) => {
    const value = h('span', { class: 'stat-value', id }, '…');
    return { value, card: h('div', { class: 'stat card' }, h('span', { class: 'stat-label' }, label), value) };
  };
  const stats = {
    objects: stat('stat-objects', 'Objects'),
    logical: stat('stat-logical', 'Bytes stored (as uploaded)'),
    stored: stat('stat-stored', 'Bytes on disk'),
    saved: stat('stat-dedup', 'Saved by deduplication'),
    requests: stat('stat-requests', 'Requests (errors)'),
    uptime: stat('stat-uptime', 'Uptime'),
  };
  const canvas = h('canvas', { id: 'rate-chart', class: 'chart', 'aria-label': 'Requests per second over the last minutes', role: 'img' });
  const rateText = h('p', { class: 'note', id: 'rate-text' }, 'Measuring the request rate…');
  const bucketRows = h('tbody', { id: 'status-buckets' });
  const bucketTable = h('table', { class: 'table', hidden: true },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Bucket'), h('th', { scope: 'col' }, 'Objects'), h('th', { scope: 'col' }, 'Bytes'))), bucketRows);
  clear(main).append(pageHead('Status'),
    h('section', { class: 'card disk' }, h('h2', null, 'Disk'), diskBar, diskText),
    h('section', { class: 'stats' }, Object.values(stats).map((s) => s.card)),
    h('section', { class: 'card' }, h('h2', null, 'Requests per second'), canvas, rateText),
    bucketTable);

  const samples = []; // {t, rate}
  let previous = null;
  let timer = null;
  let stopped = false;

  async function poll() {
    try {
      const status = await api('GET', '/api/status');
      if (stopped) return;
      const disk = status.disk || {};
      const free = Number(disk.freeBytes);
      const used = Number(disk.usedBytes ?? (disk.totalBytes - disk.freeBytes)) || 0;
      if (disk.totalBytes !== undefined && disk.totalBytes !== null) {
        const total = Number(disk.totalBytes) || 0;
        diskBar.set(total ? (used / total) * 100 : 0);
        diskText.textContent = `${formatBytes(used)} used of ${formatBytes(total)} · ${free >= 0 ? formatBytes(free) : 'unknown'} free`;
      } else {
        // Without the disk's size: what spore stores against what is still free.
        diskBar.set(free >= 0 && used + free > 0 ? (used / (used + free)) * 100 : 0);
        diskText.textContent = `${formatBytes(used)} stored by spore · ${free >= 0 ? formatBytes(free) : 'unknown'} free`;
      }
      stats.objects.value.textContent = Number(status.objects ?? 0).toLocaleString();
      stats.logical.value.textContent = formatBytes(status.logicalBytes);
      stats.stored.value.textContent = formatBytes(status.storedBytes);
      stats.saved.value.textContent = formatBytes(status.deduplicatedBytes);
      const requests = status.requests || {};
      stats.requests.value.textContent = `${Number(requests.total ?? 0).toLocaleString()} (${Number(requests.errors ?? 0).toLocaleString()})`;
      stats.uptime.value.textContent = formatDuration(status.uptimeSeconds);
      if (Array.isArray(status.buckets)) {
        clear(bucketRows);
        for (const b of status.buckets) {
          bucketRows.appendChild(h('tr', { dataset: { bucket: b.name } },
            h('td', { class: 'col-name', 'data-label': 'Bucket' }, h('a', { href: bucketHref(b.name) }, b.name)),
            h('td', { 'data-label': 'Objects' }, Number(b.objects ?? 0).toLocaleString()),
            h('td', { 'data-label': 'Bytes' }, formatBytes(b.bytes))));
        }
        bucketTable.hidden = !status.buckets.length;
      }
      const t = performance.now() / 1000;
      if (previous && t > previous.t) {
        const rate = Math.max(0, (Number(requests.total) - previous.total) / (t - previous.t));
        // A rate holds over the interval it was measured in: the first one draws as a segment.
        if (!samples.length) samples.push({ t: previous.t, rate });
        samples.push({ t, rate });
        while (samples.length > 90) samples.shift();
        rateText.textContent = `${rate.toFixed(2)} requests/s now · peak ${Math.max(...samples.map((s) => s.rate)).toFixed(2)} over the last ${formatDuration(t - samples[0].t)}`;
        draw();
      }
      previous = { t, total: Number(requests.total) || 0 };
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && error.status === 403) {
        clear(main).append(pageHead('Status'), h('p', { class: 'card notice', id: 'status-denied' }, 'Only the root user sees the store’s status.'));
        stopped = true;
        return;
      }
      showError(error, 'Could not read the status');
    }
    if (!stopped) timer = setTimeout(poll, 2000);
  }

  function draw() {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 600;
    const height = canvas.clientHeight || 180;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    const styles = getComputedStyle(document.documentElement);
    const fg = styles.getPropertyValue('--muted').trim() || '#666';
    const accent = styles.getPropertyValue('--accent').trim() || '#2a6';
    const grid = styles.getPropertyValue('--border').trim() || '#ccc';
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const pad = { left: 44, right: 8, top: 10, bottom: 20 };
    const w = width - pad.left - pad.right;
    const hgt = height - pad.top - pad.bottom;
    const max = Math.max(1, ...samples.map((s) => s.rate)) * 1.15;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = fg;
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = pad.top + hgt - (hgt * i) / 4;
      ctx.beginPath();
      ctx.moveTo(pad.left, y + 0.5);
      ctx.lineTo(pad.left + w, y + 0.5);
      ctx.stroke();
      ctx.fillText(((max * i) / 4).toFixed(max < 10 ? 1 : 0), 4, y + 4);
    }
    if (samples.length < 2) return;
    const t0 = samples[0].t;
    const span = Math.max(samples[samples.length - 1].t - t0, 1);
    const x = (s) => pad.left + ((s.t - t0) / span) * w;
    const y = (s) => pad.top + hgt - (s.rate / max) * hgt;
    ctx.beginPath();
    samples.forEach((s, i) => (i ? ctx.lineTo(x(s), y(s)) : ctx.moveTo(x(s), y(s))));
    ctx.strokeStyle = accent;
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.lineTo(x(samples[samples.length - 1]), pad.top + hgt);
    ctx.lineTo(x(samples[0]), pad.top + hgt);
    ctx.closePath();
    ctx.globalAlpha = 0.15;
    ctx.fillStyle = accent;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.fillStyle = fg;
    ctx.fillText(`last ${formatDuration(span)}`, pad.left, height - 4);
  }

  const onResize = () => draw();
  window.addEventListener('resize', onResize);
  draw();
  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    window.removeEventListener('resize', onResize);
  };
}

// ---- users and keys -----------------------------------------------------------------------------

export function usersPage(main, _params, session) {
  if (!session.isRoot) {
    clear(main).append(pageHead('Users and keys'), h('p', { class: 'card notice' }, 'Only the root user manages users and keys.'));
    return;
  }
  const userRows = h('tbody', { id: 'user-rows' });
  const keyRows = h('tbody', { id: 'key-rows' });
  const userName = h('input', { id: 'user-name', required: true, autocomplete: 'off', placeholder: 'alice', pattern: '[A-Za-z0-9][A-Za-z0-9_.@\\-]*' });
  const userForm = h('form', { class: 'inline-form card', id: 'user-form' }, field('New user', userName), h('button', { type: 'submit', class: 'primary', id: 'user-add' }, 'Add user'));
  // A text field with suggestions: users from the configuration may not be listed.
  const userChoices = h('datalist', { id: 'key-user-choices' });
  const keyUser = h('input', { id: 'key-user', required: true, list: 'key-user-choices', autocomplete: 'off', spellcheck: 'false', placeholder: 'user name' });
  const keyBucket = h('input', { id: 'key-bucket', placeholder: 'any bucket', autocomplete: 'off' });
  const keyPrefix = h('input', { id: 'key-prefix', placeholder: 'any prefix', autocomplete: 'off' });
  const keyReadOnly = h('input', { type: 'checkbox', id: 'key-readonly' });
  const keyForm = h('form', { class: 'inline-form card', id: 'key-form' },
    field('User', keyUser), userChoices, field('Only bucket', keyBucket), field('Only prefix', keyPrefix),
    h('label', { class: 'check' }, keyReadOnly, ' Read only'),
    h('button', { type: 'submit', class: 'primary', id: 'key-create' }, 'Create key'));
  clear(main).append(pageHead('Users and keys'),
    h('h2', null, 'Users'), userForm,
    h('table', { class: 'table', id: 'user-table' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Keys'), h('th', null, 'State'), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))), userRows),
    h('h2', null, 'Access keys'), keyForm,
    h('table', { class: 'table', id: 'key-table' }, h('thead', null, h('tr', null, h('th', null, 'Access key'), h('th', null, 'User'), h('th', null, 'Scope'), h('th', null, 'Access'), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))), keyRows));

  const userNameOf = (user) => (typeof user === 'string' ? user : pick(user, 'name', 'user', 'userName'));

  async function load() {
    try {
      const [usersAnswer, keysAnswer] = await Promise.all([api('GET', '/api/users'), api('GET', '/api/keys')]);
      const users = list(usersAnswer, 'users');
      const keys = list(keysAnswer, 'keys');
      clear(userRows);
      clear(userChoices);
      if (!users.length) userRows.appendChild(h('tr', { class: 'empty-row' }, h('td', { colspan: '4', class: 'empty' }, 'No users created here yet (the root user and users from the configuration file are not listed).')));
      for (const user of users) {
        const name = userNameOf(user);
        const count = keys.filter((k) => pick(k, 'user', 'userName') === name).length;
        const disabled = pick(user, 'disabled') === true || pick(user, 'enabled') === false;
        userChoices.appendChild(h('option', { value: name }));
        userRows.appendChild(h('tr', { dataset: { user: name } },
          h('td', { 'data-label': 'Name' }, name, pick(user, 'isRoot', 'root') ? h('span', { class: 'badge' }, 'root') : null),
          h('td', { 'data-label': 'Keys' }, String(count)),
          h('td', { 'data-label': 'State' }, disabled ? 'disabled' : 'active'),
          h('td', { class: 'col-actions' }, pick(user, 'isRoot', 'root') ? null : h('button', { type: 'button', class: 'small danger', dataset: { testid: 'user-delete' }, onclick: () => removeUser(name) }, 'Delete'))));
      }
      main.querySelector('#user-table').dataset.loaded = 'true';
      clear(keyRows);
      if (!keys.length) keyRows.appendChild(h('tr', { class: 'empty-row' }, h('td', { colspan: '5', class: 'empty' }, 'No access keys created here yet.')));
      for (const key of keys) {
        const accessKey = pick(key, 'accessKey', 'access_key');
        const scopes = list(pick(key, 'scopes') || []);
        const scopeText = scopes.length ? scopes.map((s) => `${s.bucket || '*'}/${s.prefix || ''}`).join(', ') : 'everything the user may';
        keyRows.appendChild(h('tr', { dataset: { accessKey } },
          h('td', { class: 'mono', 'data-label': 'Access key' }, accessKey),
          h('td', { 'data-label': 'User' }, pick(key, 'user', 'userName') || '—'),
          h('td', { 'data-label': 'Scope' }, scopeText),
          h('td', { 'data-label': 'Access' }, `${pick(key, 'readOnly', 'read_only') ? 'read only' : 'read/write'}${pick(key, 'disabled') ? ', disabled' : ''}`,
            pick(key, 'label') ? h('span', { class: 'badge' }, String(pick(key, 'label'))) : null),
          h('td', { class: 'col-actions' }, h('button', { type: 'button', class: 'small danger', dataset: { testid: 'key-delete' }, onclick: () => removeKey(accessKey) }, 'Delete'))));
      }
    } catch (error) {
      showError(error, 'Could not list users and keys');
    }
  }
  async function removeUser(name) {
    if (!(await confirmDialog(`Delete user ${name}?`, 'Their access keys stop working at once.'))) return;
    try {
      await api('DELETE', `/api/users/${encodeURIComponent(name)}`);
      toast(`User ${name} deleted`, 'success');
      load();
    } catch (error) { showError(error, 'Could not delete the user'); }
  }
  async function removeKey(accessKey) {
    if (!(await confirmDialog(`Delete key ${accessKey}?`, 'Programs using it stop working at once.'))) return;
    try {
      await api('DELETE', `/api/keys/${encodeURIComponent(accessKey)}`);
      toast('Key deleted', 'success');
      load();
    } catch (error) { showError(error, 'Could not delete the key'); }
  }
  userForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('POST', '/api/users', { name: userName.value.trim() });
      toast(`User ${userName.value.trim()} added`, 'success');
      keyUser.value = userName.value.trim();
      userName.value = '';
      await load();
    } catch (error) { showError(error, 'Could not add the user'); }
  });
  keyForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { user: keyUser.value };
    if (keyBucket.value.trim()) body.bucket = keyBucket.value.trim();
    if (keyPrefix.value.trim()) body.prefix = keyPrefix.value.trim();
    if (keyReadOnly.checked) body.readOnly = true;
    try {
      const key = await api('POST', '/api/keys', body);
      const accessKey = pick(key, 'accessKey', 'access_key') || '';
      const secret = pick(key, 'secretKey', 'secret_key') || '';
      const accessField = h('input', { class: 'url-field mono', readonly: true, value: accessKey, id: 'key-new-access', 'aria-label': 'Access key' });
      const secretField = h('input', { class: 'url-field mono', readonly: true, value: secret, id: 'key-secret', 'aria-label': 'Secret key' });
      openDialog({
        title: 'New access key', testid: 'key-dialog',
        body: [
          h('p', { class: 'notice' }, 'Copy the secret now: it is shown only this once.'),
          field('Access key', h('div', { class: 'url-row' }, accessField, h('button', { type: 'button', onclick: () => copyText(accessKey, accessField) }, 'Copy'))),
          field('Secret key', h('div', { class: 'url-row' }, secretField, h('button', { type: 'button', id: 'key-secret-copy', onclick: () => copyText(secret, secretField) }, 'Copy'))),
        ],
        actions: [h('button', { type: 'button', class: 'primary', dataset: { close: '1' } }, 'I have saved it')],
      });
      keyBucket.value = keyPrefix.value = '';
      keyReadOnly.checked = false;
      load();
    } catch (error) { showError(error, 'Could not create the key'); }
  });
  load();
}

// ---- artifacts ----------------------------------------------------------------------------------

// #/artifacts, #/artifacts/<workspace>, #/artifacts/<workspace>/<artifact id>[/<directory>]
const artifactsHref = (workspace, id, dir) =>
  `#/artifacts/${encodeURIComponent(workspace)}${id ? `/${encodeURIComponent(id)}` : ''}${dir ? `/${encodeURIComponent(dir)}` : ''}`;
const shortId = (id) => (id.includes('/') ? id.slice(id.indexOf('/') + 1) : id);
const isCollection = (artifact) => artifact.type === 'collection' || Boolean(artifact.config && artifact.config.is_collection);

function artifactRows(workspace, artifacts) {
  const tbody = h('tbody', { id: 'artifact-rows' });
  for (const artifact of artifacts) {
    const id = pick(artifact, 'id') || `${workspace}/${pick(artifact, 'alias')}`;
    const manifest = pick(artifact, 'manifest') || {};
    const versions = Array.isArray(artifact.versions) ? artifact.versions : [];
    const staged = Array.isArray(artifact.staging) ? artifact.staging.filter((entry) => entry.path) : artifact.staging ? [] : null;
    tbody.appendChild(h('tr', { dataset: { artifact: id } },
      h('td', { class: 'col-name', 'data-label': 'Name' },
        h('a', { href: artifactsHref(workspace, id), class: 'name-link' },
          h('span', { class: `icon ${isCollection(artifact) ? 'icon-folder' : 'icon-file'}`, 'aria-hidden': 'true' }), manifest.name ? String(manifest.name) : shortId(id)),
        h('span', { class: 'note block mono' }, shortId(id)),
        manifest.description ? h('span', { class: 'note block' }, String(manifest.description)) : null),
      h('td', { 'data-label': 'Type' }, h('span', { class: 'badge' }, String(artifact.type || 'generic'))),
      h('td', { 'data-label': 'Versions' }, versions.length ? versions.map((v) => v.version || v).join(', ') : '—'),
      h('td', { 'data-label': 'Files' }, String(pick(artifact, 'file_count') ?? '—')),
      h('td', { 'data-label': 'Staged' }, staged ? h('span', { class: 'badge badge-warn' }, `staged${staged.length ? ` (${staged.length} files)` : ''}`) : 'no')));
  }
  return h('table', { class: 'table', id: 'artifact-table' },
    h('thead', null, h('tr', null, ['Name', 'Type', 'Versions', 'Files', 'Staged'].map((t) => h('th', { scope: 'col' }, t)))), tbody);
}

// A workspace's or collection's artifacts, committed or (toggled) staged ones.
function artifactList(workspace, parent, emptyText) {
  const section = h('div', { class: 'artifact-list' });
  let staged = false;
  const toggle = h('button', { type: 'button', class: 'small', id: 'artifacts-staged' }, 'Show staged (uncommitted)');
  const load = async () => {
    const query = new URLSearchParams({ workspace, limit: '1000' });
    if (parent) query.set('parent', parent);
    if (staged) query.set('stage', 'true');
    const artifacts = list(await api('GET', `/api/artifacts?${query}`), 'artifacts', 'items');
    clear(section).append(h('div', { class: 'list-tools' }, toggle),
      artifacts.length ? artifactRows(workspace, artifacts) : h('p', { class: 'empty' }, staged ? 'Nothing staged.' : emptyText));
  };
  toggle.addEventListener('click', () => {
    staged = !staged;
    toggle.textContent = staged ? 'Show committed' : 'Show staged (uncommitted)';
    load().catch((error) => showError(error, 'Could not list artifacts'));
  });
  return load().then(() => section);
}

export function artifactsPage(main, { workspace, parent: id, dir = '' }) {
  const crumbs = h('ol', null,
    h('li', null, workspace ? h('a', { href: '#/artifacts' }, 'Workspaces') : h('span', { 'aria-current': 'page' }, 'Workspaces')));
  if (workspace) crumbs.appendChild(h('li', null, id ? h('a', { href: artifactsHref(workspace) }, workspace) : h('span', { 'aria-current': 'page' }, workspace)));
  if (id) {
    crumbs.appendChild(h('li', null, dir ? h('a', { href: artifactsHref(workspace, id) }, shortId(id)) : h('span', { 'aria-current': 'page' }, shortId(id))));
    const parts = dir.split('/').filter(Boolean);
    parts.forEach((part, index) => crumbs.appendChild(h('li', null, index === parts.length - 1
      ? h('span', { 'aria-current': 'page' }, part) : h('a', { href: artifactsHref(workspace, id, parts.slice(0, index + 1).join('/')) }, part))));
  }
  const body = h('div', { id: 'artifacts-body' }, h('p', { class: 'loading' }, 'Loading…'));
  clear(main).append(pageHead('Artifacts', h('nav', { class: 'breadcrumbs', 'aria-label': 'Artifact path' }, crumbs)), body);
  const query = (extra) => new URLSearchParams({ workspace, ...extra });

  (async () => {
    try {
      if (!workspace) {
        const workspaces = list(await api('GET', '/api/workspaces'), 'workspaces');
        const name = h('input', { id: 'workspace-name', required: true, placeholder: 'ws-user-alice', autocomplete: 'off', spellcheck: 'false' });
        const open = h('form', { class: 'inline-form', id: 'workspace-open' }, field('Open a workspace by name', name), h('button', { type: 'submit' }, 'Open'));
        open.addEventListener('submit', (event) => { event.preventDefault(); location.hash = artifactsHref(name.value.trim()); });
        clear(body).append(open);
        if (!workspaces.length) { body.appendChild(h('p', { class: 'empty' }, 'No workspaces listed for you.')); return; }
        body.appendChild(h('ul', { class: 'cards', id: 'workspace-list' }, workspaces.map((ws) => {
          const name = typeof ws === 'string' ? ws : pick(ws, 'name', 'id');
          const description = typeof ws === 'string' ? '' : pick(ws, 'description') || '';
          return h('li', { class: 'card', dataset: { workspace: name } },
            h('a', { href: artifactsHref(name), class: 'card-link' }, h('strong', null, name)),
            ws.personal ? h('span', { class: 'badge' }, 'yours') : null,
            description ? h('p', { class: 'note' }, description) : null);
        })));
        return;
      }
      if (!id) {
        const section = await artifactList(workspace, '', 'No artifacts in this workspace.');
        clear(body).append(section);
        return;
      }
      // One artifact: what it is, its children when a collection, its files.
      const artifact = await api('GET', `/api/artifacts/item?${query({ id })}`);
      const manifest = artifact.manifest || {};
      const versions = Array.isArray(artifact.versions) ? artifact.versions : [];
      const staged = Array.isArray(artifact.staging) ? artifact.staging.filter((entry) => entry.path) : null;
      clear(body).append(h('section', { class: 'card', id: 'artifact-info', dataset: { artifact: id } },
        h('h2', null, manifest.name ? String(manifest.name) : shortId(id), h('span', { class: 'badge' }, String(artifact.type || 'generic'))),
        manifest.description ? h('p', null, String(manifest.description)) : null,
        h('dl', { class: 'meta' },
          h('dt', null, 'Id'), h('dd', { class: 'mono' }, id),
          h('dt', null, 'Versions'), h('dd', null, versions.length ? versions.map((v) => `${v.version}${v.comment ? ` (${v.comment})` : ''}`).join(', ') : 'none committed'),
          h('dt', null, 'Staged'), h('dd', null, staged ? `yes${staged.length ? `: ${staged.map((f) => f.path).join(', ')}` : ''}` : 'no'),
          h('dt', null, 'Files'), h('dd', null, String(artifact.file_count ?? '—')),
          h('dt', null, 'Downloads'), h('dd', null, String(artifact.download_count ?? 0)))));
      if (isCollection(artifact) && !dir) {
        body.append(h('h2', null, 'In this collection'), await artifactList(workspace, id, 'This collection is empty.'));
      }
      const files = list(await api('GET', `/api/artifacts/files?${query(dir ? { id, dir } : { id })}`), 'files', 'items');
      const tbody = h('tbody', { id: 'artifact-files' });
      for (const file of files) {
        const path = `${dir ? `${dir}/` : ''}${file.name}`;
        if (file.type === 'directory') {
          tbody.appendChild(h('tr', { dataset: { path } },
            h('td', { class: 'col-name' }, h('a', { href: artifactsHref(workspace, id, path), class: 'name-link' }, h('span', { class: 'icon icon-folder', 'aria-hidden': 'true' }), `${file.name}/`)),
            h('td', { class: 'blank' }, ''), h('td', { class: 'col-actions' })));
          continue;
        }
        const actions = h('td', { class: 'col-actions' });
        const link = h('button', { type: 'button', class: 'small', dataset: { testid: 'artifact-file-link' } }, 'Get link');
        link.addEventListener('click', async () => {
          try {
            const { url } = await api('GET', `/api/artifacts/file-url?${query({ id, path })}`);
            clear(actions).append(h('a', { class: 'button small', href: url, target: '_blank', rel: 'noopener' }, 'Open'), h('a', { class: 'button small', href: url, download: file.name }, 'Download'));
          } catch (error) { showError(error, 'Could not get the file'); }
        });
        actions.appendChild(link);
        tbody.appendChild(h('tr', { dataset: { path } },
          h('td', { class: 'col-name' }, h('span', { class: 'name-link' }, h('span', { class: 'icon icon-file', 'aria-hidden': 'true' }), file.name)),
          h('td', { class: 'col-size', 'data-label': 'Size' }, formatBytes(file.size)), actions));
      }
      body.append(h('h2', null, dir ? `Files in ${dir}/` : 'Files'), files.length
        ? h('table', { class: 'table', id: 'artifact-file-table' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Size'), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))), tbody)
        : h('p', { class: 'empty' }, 'No files.'));
    } catch (error) {
      clear(body);
      if (endpointMissing(error)) {
        notice(body, 'Artifacts are not available on this server.');
      } else {
        notice(body, 'The artifacts could not be loaded.', error.message);
        showError(error, 'Could not load artifacts');
      }
    }
  })();
}

// ---- imports ------------------------------------------------------------------------------------

const runningStates = new Set(['queued', 'pending', 'running', 'starting', 'downloading', 'uploading', 'listing']);

// Root's Hugging Face token: stored sealed by the daemon, never shown again.
function hubTokenCard() {
  const state = h('p', { class: 'note', id: 'hf-token-state' }, 'Checking the Hugging Face token…');
  const input = h('input', { type: 'password', id: 'hf-token', autocomplete: 'off', placeholder: 'hf_…', spellcheck: 'false' });
  const save = h('button', { type: 'submit', id: 'hf-token-save' }, 'Save token');
  const remove = h('button', { type: 'button', class: 'danger', id: 'hf-token-remove', hidden: true }, 'Remove stored token');
  const form = h('form', { class: 'inline-form', id: 'hf-token-form' }, field('Hugging Face token (for private or gated repositories)', input), save, remove);
  const card = h('details', { class: 'card hub-token' }, h('summary', null, 'Hugging Face access'), state, form);
  const show = (answer) => {
    const source = { settings: 'stored here', environment: 'from HF_TOKEN' }[answer.tokenSource] || 'none';
    state.textContent = `Hub: ${answer.endpoint || 'https://huggingface.co'} · token: ${answer.hasToken ? source : 'none (public repositories only)'}`;
    remove.hidden = answer.tokenSource !== 'settings';
  };
  const load = () => api('GET', '/api/settings/huggingface').then(show, (error) => {
    if (endpointMissing(error)) card.remove(); else state.textContent = `Could not read the hub settings: ${error.message}`;
  });
  const put = async (token) => {
    try {
      const answer = await api('PUT', '/api/settings/huggingface', { token });
      input.value = '';
      toast(token ? 'Token stored' : 'Token removed', 'success');
      if (answer && answer.tokenSource) show(answer); else load();
    } catch (error) { showError(error, 'Could not change the token'); }
  };
  form.addEventListener('submit', (event) => { event.preventDefault(); if (input.value.trim()) put(input.value.trim()); });
  remove.addEventListener('click', () => put(null));
  load();
  return card;
}

export function importsPage(main, _params, session) {
  const bucket = h('select', { id: 'import-bucket', required: true });
  const repo = h('input', { id: 'import-repo', required: true, placeholder: 'org/model-name', autocomplete: 'off', spellcheck: 'false' });
  const prefix = h('input', { id: 'import-prefix', placeholder: 'models/model-name/', autocomplete: 'off', spellcheck: 'false' });
  const revision = h('input', { id: 'import-revision', placeholder: 'main', autocomplete: 'off' });
  const repoType = h('select', { id: 'import-type' }, h('option', { value: 'model' }, 'Model'), h('option', { value: 'dataset' }, 'Dataset'));
  const form = h('form', { class: 'card grid-form', id: 'import-form' },
    field('Hugging Face repository', repo), field('Kind', repoType), field('Into bucket', bucket), field('Under prefix', prefix, 'Empty: the bucket’s top level.'),
    field('Revision', revision, 'Branch, tag or commit; empty for main.'),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary', id: 'import-start' }, 'Start import')));
  const jobsEl = h('div', { id: 'import-jobs', class: 'jobs' });
  clear(main).append(pageHead('Imports'), h('p', { class: 'note' }, 'Copy a model or dataset from the Hugging Face Hub into a bucket.'), form,
    session && session.isRoot ? hubTokenCard() : null, h('h2', null, 'Jobs'), jobsEl);

  let timer = null;
  let stopped = false;
  const expanded = new Set();

  api('GET', '/api/buckets').then(({ buckets = [] }) => {
    for (const b of buckets) bucket.appendChild(h('option', { value: b.Name }, b.Name));
    if (!buckets.length) bucket.appendChild(h('option', { value: '' }, 'Create a bucket first'));
  }, (error) => showError(error, 'Could not list the buckets'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { bucketName: bucket.value, hfRepoId: repo.value.trim(), s3Prefix: prefix.value.trim() };
    if (revision.value.trim()) body.revision = revision.value.trim();
    if (repoType.value !== 'model') body.repoType = repoType.value;
    const start = form.querySelector('#import-start');
    start.disabled = true;
    start.textContent = 'Asking the hub…';
    try {
      const answer = await api('POST', '/api/objects/huggingface-import', body);
      toast(`Import started: ${answer.estimatedFiles ?? '?'} files, ${formatBytes(answer.estimatedSize)}`, 'success');
      load();
    } catch (error) {
      showError(error, 'Could not start the import');
    } finally {
      start.disabled = false;
      start.textContent = 'Start import';
    }
  });

  function render(jobs) {
    clear(jobsEl);
    if (!jobs.length) { jobsEl.appendChild(h('p', { class: 'empty' }, 'No imports yet.')); return; }
    for (const job of jobs) {
      const id = pick(job, 'jobId', 'id');
      const state = String(pick(job, 'status', 'state') || 'unknown');
      const files = pick(job, 'files');
      const fileList = Array.isArray(job.fileList) ? job.fileList : Array.isArray(files) ? files : [];
      const fileCount = Array.isArray(files) ? files.length : Number(files) || 0;
      const total = Number(pick(job, 'totalBytes', 'estimatedSize')) || 0;
      const loaded = Number(pick(job, 'loadedBytes')) || 0;
      const bar = progressBar({ label: `Import ${id}`, testid: 'import-progress' });
      bar.set(total ? (loaded / total) * 100 : state === 'completed' ? 100 : 0);
      bar.state(state);
      const repoId = pick(job, 'hfRepoId', 'repoId', 'repo');
      const target = `${pick(job, 'bucketName', 'bucket') || '?'}/${pick(job, 's3Prefix', 'prefix') || ''}`;
      const running = runningStates.has(state);
      jobsEl.appendChild(h('article', { class: 'card job', dataset: { jobId: id, state } },
        h('div', { class: 'job-head' },
          h('strong', null, repoId || id), h('span', { class: `badge ${state === 'completed' ? 'badge-ok' : running ? '' : 'badge-warn'}` }, state),
          running ? h('button', { type: 'button', class: 'small danger', dataset: { testid: 'import-cancel' }, onclick: () => cancel(id) }, 'Cancel') : null),
        h('p', { class: 'note' }, `into ${target} · ${pick(job, 'doneFiles') ?? 0} of ${fileCount} files${job.failedFiles ? ` (${job.failedFiles} failed)` : ''} · ${formatBytes(loaded)} of ${formatBytes(total)}`),
        bar,
        pick(job, 'error') ? h('p', { class: 'error-text' }, String(pick(job, 'error'))) : null,
        fileCount ? fileDetails(id, fileList) : null));
    }
  }

  // The per-file list is fetched (GET /api/imports/:id) only for the jobs whose details are open.
  function fileDetails(id, files) {
    const details = h('details', { open: expanded.has(id) }, h('summary', null, 'Files'),
      files.length
        ? h('ul', { class: 'job-files' }, files.map((f) => h('li', { dataset: { state: f.status || '' } },
          h('span', { class: 'mono' }, pick(f, 'path', 'name', 'key') || '?'), ` — ${f.status || ''}`,
          f.size !== undefined ? ` · ${formatBytes(pick(f, 'loaded') ?? 0)} of ${formatBytes(f.size)}` : '',
          f.error ? h('span', { class: 'error-text' }, ` ${f.error}`) : null)))
        : h('p', { class: 'loading' }, 'Loading…'));
    details.addEventListener('toggle', () => {
      if (details.open && !expanded.has(id)) { expanded.add(id); load(); }
      else if (!details.open) expanded.delete(id);
    });
    return details;
  }

  async function load() {
    clearTimeout(timer);
    try {
      const jobs = list(await api('GET', '/api/imports'), 'jobs', 'imports');
      await Promise.all(jobs.filter((job) => expanded.has(pick(job, 'jobId', 'id')) && !Array.isArray(job.fileList)).map(async (job) => {
        const full = await api('GET', `/api/imports/${encodeURIComponent(pick(job, 'jobId', 'id'))}`);
        const detail = full && (Array.isArray(full.fileList) ? full.fileList : full.files);
        if (Array.isArray(detail)) job.fileList = detail;
      }));
      if (stopped) return;
      render(jobs);
      if (jobs.some((job) => runningStates.has(String(pick(job, 'status', 'state'))))) timer = setTimeout(load, 1000);
    } catch (error) {
      if (stopped) return;
      if (endpointMissing(error)) { clear(jobsEl); notice(jobsEl, 'Importing is not available on this server.'); }
      else showError(error, 'Could not list the imports');
    }
  }
  async function cancel(id) {
    try {
      await api('DELETE', `/api/imports/${encodeURIComponent(id)}`);
      toast('Import cancelled', 'success');
      load();
    } catch (error) { showError(error, 'Could not cancel'); }
  }
  load();
  return () => { stopped = true; clearTimeout(timer); };
}

