// Buckets and the object browser: listing, search, sorting, selection, uploads (button and drag and
// drop of files and folders), previews, share links, versions, tags and deletes.

import { api, b64url, urls, ApiError } from './api.js';
import { h, clear, formatBytes, formatDate, toast, showError, openDialog, confirmDialog, debounce, copyText, field } from './ui.js';
import { highlight, languageFor, renderMarkdown, markRanges } from './highlight.js';
import { enqueue, filesFromDataTransfer, filesFromInput, onUploaded } from './uploads.js';

export const bucketHref = (bucket, prefix = '') => `#/b/${encodeURIComponent(bucket)}/${prefix ? b64url(prefix) : ''}`;

const baseName = (key) => {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
};

// ---- buckets ------------------------------------------------------------------------------------

export function bucketsPage(main) {
  const name = h('input', {
    id: 'bucket-name', name: 'name', required: true, autocomplete: 'off', spellcheck: 'false',
    placeholder: 'my-bucket', pattern: '[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]',
    title: '3–63 characters: lowercase letters, digits, dots and hyphens',
  });
  const versioning = h('input', { type: 'checkbox', id: 'bucket-versioning', name: 'versioning' });
  const form = h('form', { class: 'inline-form card', id: 'bucket-create-form' },
    field('New bucket', name),
    h('label', { class: 'check' }, versioning, ' Keep versions'),
    h('button', { type: 'submit', class: 'primary', id: 'bucket-create' }, 'Create bucket'));
  const tbody = h('tbody', { id: 'bucket-rows' });
  const table = h('table', { class: 'table', id: 'bucket-table' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'col-date' }, 'Created'),
      h('th', { scope: 'col', class: 'col-owner' }, 'Owner'), h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'sr-only' }, 'Actions')))),
    tbody);
  const empty = h('p', { class: 'empty', hidden: true }, 'No buckets yet. Create one above to start uploading files.');
  clear(main).append(
    h('div', { class: 'page-head' }, h('h1', null, 'Buckets')),
    form, table, empty);

  async function load() {
    try {
      const { buckets = [] } = await api('GET', '/api/buckets');
      clear(tbody);
      empty.hidden = buckets.length > 0;
      table.hidden = buckets.length === 0;
      for (const bucket of buckets.sort((a, b) => a.Name.localeCompare(b.Name))) {
        tbody.appendChild(h('tr', { dataset: { bucket: bucket.Name } },
          h('td', { class: 'col-name', 'data-label': 'Name' }, h('a', { href: bucketHref(bucket.Name), class: 'bucket-link' }, h('span', { class: 'icon icon-bucket', 'aria-hidden': 'true' }), bucket.Name)),
          h('td', { class: 'col-date', 'data-label': 'Created' }, formatDate(bucket.CreationDate)),
          h('td', { class: 'col-owner', 'data-label': 'Owner' }, bucket.owner || '—'),
          h('td', { class: 'col-actions' },
            h('button', { type: 'button', class: 'small', dataset: { testid: 'bucket-settings' }, onclick: () => openBucketSettings(bucket.Name) }, 'Settings'),
            h('button', { type: 'button', class: 'small danger', dataset: { testid: 'bucket-delete' }, onclick: () => removeBucket(bucket.Name) }, 'Delete'))));
      }
    } catch (error) {
      showError(error, 'Could not list the buckets');
    }
  }

  async function removeBucket(bucket) {
    if (!(await confirmDialog(`Delete bucket “${bucket}”?`, 'The bucket must be empty. This cannot be undone.'))) return;
    try {
      await api('DELETE', `/api/buckets/${encodeURIComponent(bucket)}`);
      toast(`Bucket ${bucket} deleted`, 'success');
      load();
    } catch (error) {
      showError(error, `Could not delete ${bucket}`);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const bucket = name.value.trim();
    try {
      await api('POST', '/api/buckets', versioning.checked ? { name: bucket, versioning: true } : { name: bucket });
      toast(`Bucket ${bucket} created`, 'success');
      name.value = '';
      versioning.checked = false;
      await load();
    } catch (error) {
      showError(error, `Could not create ${bucket}`);
    }
  });
  load();
}

export async function openBucketSettings(bucket) {
  let settings;
  try {
    settings = await api('GET', `/api/buckets/${encodeURIComponent(bucket)}/settings`);
  } catch (error) {
    showError(error, 'Could not read the bucket settings');
    return;
  }
  const versioning = h('select', { id: 'settings-versioning' },
    settings.versioning === 'Off' ? h('option', { value: 'Off' }, 'Off') : null,
    h('option', { value: 'Enabled' }, 'Enabled — keep every version'),
    h('option', { value: 'Suspended' }, 'Suspended'));
  versioning.value = settings.versioning;
  const access = h('select', { id: 'settings-access' },
    h('option', { value: 'private' }, 'Private — only signed-in users with access'),
    h('option', { value: 'lan-read' }, 'LAN read — anyone on the local network can download objects'),
    h('option', { value: 'public-read' }, 'Public read — anyone can download objects'),
    settings.access === 'custom' ? h('option', { value: 'custom' }, 'Custom bucket policy (keep)') : null);
  access.value = settings.access;
  const expiration = h('input', { type: 'number', min: '1', step: '1', id: 'settings-expiration', placeholder: 'never', value: settings.expirationDays ?? '' });
  const corsCustom = settings.corsOrigins === 'custom';
  const corsText = Array.isArray(settings.corsOrigins) ? settings.corsOrigins.join('\n') : '';
  const cors = h('textarea', { id: 'settings-cors', rows: '3', placeholder: 'https://app.lan:8080', disabled: corsCustom }, corsText);
  const save = h('button', { type: 'submit', class: 'primary', id: 'settings-save', form: 'settings-form' }, 'Save');
  const form = h('form', { id: 'settings-form', class: 'stack' },
    field('Versioning', versioning, 'Once enabled, versioning can only be suspended.'),
    field('Access', access),
    field('Delete objects after (days)', expiration, 'Leave empty to keep objects forever.'),
    field('Browser apps allowed (CORS origins)', cors,
      corsCustom ? 'This bucket has a CORS configuration written by another tool; change it with that tool.'
        : 'One origin per line, e.g. https://app.lan:8080; empty for none.'));
  const { close } = openDialog({
    title: `Settings of ${bucket}`, testid: 'settings-dialog', body: form,
    actions: [h('button', { type: 'button', dataset: { close: '1' } }, 'Cancel'), save],
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const change = {};
    if (versioning.value !== settings.versioning) change.versioning = versioning.value;
    if (access.value !== settings.access && access.value !== 'custom') change.access = access.value;
    const days = expiration.value.trim() === '' ? null : Number(expiration.value);
    if (days !== (settings.expirationDays ?? null)) change.expirationDays = days;
    const origins = cors.value.split('\n').map((line) => line.trim()).filter(Boolean);
    if (!corsCustom && origins.join('\n') !== corsText) change.corsOrigins = origins;
    try {
      await api('PUT', `/api/buckets/${encodeURIComponent(bucket)}/settings`, change);
      toast('Settings saved', 'success');
      close();
    } catch (error) {
      showError(error, 'Could not save the settings');
    }
  });
}

// ---- the object browser ------------------------------------------------------------------------

export function objectsPage(main, { bucket, prefix }) {
  const state = {
    q: '', objects: [], prefixes: [], token: null, truncated: false, matches: { objects: {}, prefixes: {} },
    sort: { by: 'name', dir: 1 }, selected: new Set(), serial: 0, filter: null,
  };
  let disposed = false;

  // Breadcrumbs: Buckets / bucket / each folder.
  const crumbs = h('nav', { class: 'breadcrumbs', 'aria-label': 'Folder path', id: 'breadcrumbs' });
  const parts = prefix ? prefix.slice(0, -1).split('/') : [];
  const crumbList = h('ol', null,
    h('li', null, h('a', { href: '#/buckets' }, 'Buckets')),
    h('li', null, parts.length ? h('a', { href: bucketHref(bucket) }, bucket) : h('span', { 'aria-current': 'page' }, bucket)));
  parts.forEach((part, index) => {
    const path = parts.slice(0, index + 1).join('/') + '/';
    crumbList.appendChild(h('li', null, index === parts.length - 1 ? h('span', { 'aria-current': 'page' }, part) : h('a', { href: bucketHref(bucket, path) }, part)));
  });
  crumbs.appendChild(crumbList);

  // Toolbar.
  const search = h('input', { type: 'search', id: 'search', placeholder: prefix ? 'Search in this folder…' : 'Search in this bucket…', 'aria-label': 'Search by name', autocomplete: 'off', spellcheck: 'false' });
  const fileInput = h('input', { type: 'file', multiple: true, id: 'upload-input', class: 'visually-hidden', 'aria-label': 'Upload files' });
  const folderInput = h('input', { type: 'file', multiple: true, webkitdirectory: true, id: 'upload-folder-input', class: 'visually-hidden', 'aria-label': 'Upload a folder' });
  const deleteSelected = h('button', { type: 'button', class: 'danger', id: 'delete-selected', disabled: true }, 'Delete selected');
  const zipLink = h('a', { class: 'button', id: 'download-zip', href: urls.zip(bucket, prefix), download: '' }, prefix ? 'Download folder (zip)' : 'Download all (zip)');
  const newFolder = h('button', { type: 'button', id: 'new-folder' }, 'New folder');
  const settingsButton = h('button', { type: 'button', id: 'bucket-settings', onclick: () => openBucketSettings(bucket) }, 'Settings');
  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'search-box' }, search),
    h('div', { class: 'toolbar-buttons' },
      h('label', { class: 'button primary file-button', id: 'upload-button' }, fileInput, 'Upload files'),
      h('label', { class: 'button file-button', id: 'upload-folder-button' }, folderInput, 'Upload folder'),
      newFolder, zipLink, deleteSelected, settingsButton));

  // Table.
  const selectAll = h('input', { type: 'checkbox', id: 'select-all', 'aria-label': 'Select all' });
  const sortButton = (by, label) => h('button', { type: 'button', class: 'sort', dataset: { sort: by }, onclick: () => setSort(by) }, label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }));
  const headName = h('th', { scope: 'col', class: 'col-name' }, sortButton('name', 'Name'));
  const headSize = h('th', { scope: 'col', class: 'col-size' }, sortButton('size', 'Size'));
  const headDate = h('th', { scope: 'col', class: 'col-date' }, sortButton('date', 'Modified'));
  const tbody = h('tbody', { id: 'object-rows' });
  const table = h('table', { class: 'table objects', id: 'object-table' },
    h('thead', null, h('tr', null, h('th', { class: 'col-check' }, selectAll), headName, headSize, headDate, h('th', { class: 'col-actions' }, h('span', { class: 'sr-only' }, 'Actions')))),
    tbody);
  const status = h('p', { class: 'list-status', id: 'list-status', 'aria-live': 'polite' });
  const loadMore = h('button', { type: 'button', id: 'load-more', hidden: true }, 'Load more');
  const dropHint = h('div', { class: 'drop-overlay', 'aria-hidden': 'true' }, h('p', null, 'Drop files or folders to upload them to ', h('strong', null, `${bucket}/${prefix}`)));
  const zone = h('section', { class: 'browser', id: 'browser', dataset: { bucket, prefix } }, toolbar, table, status, loadMore, dropHint);

  clear(main).append(h('div', { class: 'page-head' }, h('h1', { class: 'sr-only' }, `${bucket}/${prefix}`), crumbs), zone);

  // ---- listing ----
  async function load({ more = false } = {}) {
    const serial = ++state.serial;
    const params = new URLSearchParams({ maxKeys: '500' });
    if (more && state.token) params.set('continuationToken', state.token);
    if (state.q) {
      params.set('q', state.q);
      if (more && containing()) {
        params.set('mode', 'contains'); // continue the broadened scan where it stopped
      } else {
        params.set('mode', 'startsWith');
        params.set('autoBroaden', 'true');
      }
    }
    status.textContent = 'Loading…';
    zone.setAttribute('aria-busy', 'true');
    try {
      const page = await api('GET', `${urls.list(bucket, prefix)}?${params}`);
      if (serial !== state.serial || disposed) return;
      if (!more) {
        state.objects = [];
        state.prefixes = [];
        state.matches = { objects: {}, prefixes: {} };
        state.selected.clear();
      }
      state.objects.push(...(page.objects || []).filter((o) => o.Key !== prefix));
      state.prefixes.push(...(page.prefixes || []).map((p) => p.Prefix));
      state.token = page.nextContinuationToken || null;
      state.truncated = Boolean(page.isTruncated && state.token);
      state.filter = page.filter || null;
      if (page.filter && page.filter.matches) {
        Object.assign(state.matches.objects, page.filter.matches.objects || {});
        Object.assign(state.matches.prefixes, page.filter.matches.prefixes || {});
      }
      render();
    } catch (error) {
      if (serial !== state.serial) return;
      if (!more) table.hidden = true;
      status.textContent = `${state.q ? 'The search failed' : 'This folder could not be listed'}: ${error.message}`;
      showError(error, state.q ? 'Search failed' : 'Could not list the folder');
    } finally {
      if (serial === state.serial) zone.removeAttribute('aria-busy');
    }
  }

  function containing() {
    return Boolean(state.filter && (state.filter.mode === 'contains' || state.filter.broadened === true));
  }

  function setSort(by) {
    state.sort = state.sort.by === by ? { by, dir: -state.sort.dir } : { by, dir: 1 };
    render();
  }

  function sorted() {
    const { by, dir } = state.sort;
    const compareName = (a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
    const folders = [...state.prefixes].sort((a, b) => dir * compareName(a, b));
    const files = [...state.objects].sort((a, b) => {
      let c = 0;
      if (by === 'size') c = (a.Size || 0) - (b.Size || 0);
      else if (by === 'date') c = new Date(a.LastModified) - new Date(b.LastModified);
      return dir * (c || compareName(a.Key, b.Key));
    });
    return { folders, files };
  }

  function displayName(key) {
    let name = key.startsWith(prefix) ? key.slice(prefix.length) : key;
    if (name.endsWith('/')) name = name.slice(0, -1);
    return name;
  }

  function nameNodes(key, ranges) {
    const name = displayName(key);
    const offset = key.startsWith(prefix) ? prefix.length : 0;
    return ranges && ranges.length ? markRanges(name, ranges, offset) : [name];
  }

  function checkbox(key) {
    const box = h('input', { type: 'checkbox', class: 'row-check', 'aria-label': `Select ${displayName(key)}`, checked: state.selected.has(key) });
    box.addEventListener('change', () => {
      if (box.checked) state.selected.add(key); else state.selected.delete(key);
      box.closest('tr').classList.toggle('selected', box.checked);
      updateSelection();
    });
    return box;
  }

  function render() {
    const { folders, files } = sorted();
    clear(tbody);
    for (const [th, by] of [[headName, 'name'], [headSize, 'size'], [headDate, 'date']]) {
      th.setAttribute('aria-sort', state.sort.by === by ? (state.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    for (const folder of folders) {
      tbody.appendChild(h('tr', { dataset: { key: folder, kind: 'folder' } },
        h('td', { class: 'col-check' }, checkbox(folder)),
        h('td', { class: 'col-name' }, h('a', { href: bucketHref(bucket, folder), class: 'name-link folder-link' },
          h('span', { class: 'icon icon-folder', 'aria-hidden': 'true' }), h('span', { class: 'name-text' }, nameNodes(folder, state.matches.prefixes[folder]), '/'))),
        h('td', { class: 'col-size blank' }, '—'),
        h('td', { class: 'col-date blank' }, ''),
        h('td', { class: 'col-actions' },
          h('a', { class: 'button small', href: urls.zip(bucket, folder), download: '', 'aria-label': `Download ${displayName(folder)} as zip` }, 'Zip'),
          h('button', { type: 'button', class: 'small danger', dataset: { testid: 'delete' }, 'aria-label': `Delete folder ${displayName(folder)}`, onclick: () => removeKeys([folder]) }, 'Delete'))));
    }
    for (const object of files) {
      const key = object.Key;
      tbody.appendChild(h('tr', { dataset: { key, kind: 'file' } },
        h('td', { class: 'col-check' }, checkbox(key)),
        h('td', { class: 'col-name' }, h('button', { type: 'button', class: 'name-link file-link', title: `Preview ${key}`, onclick: () => openPreview(bucket, key, { onChange: () => load() }) },
          h('span', { class: `icon ${iconClass(key)}`, 'aria-hidden': 'true' }), h('span', { class: 'name-text' }, nameNodes(key, state.matches.objects[key])))),
        h('td', { class: 'col-size', 'data-label': 'Size' }, formatBytes(object.Size)),
        h('td', { class: 'col-date', 'data-label': 'Modified' }, formatDate(object.LastModified)),
        h('td', { class: 'col-actions' },
          h('a', { class: 'button small', href: urls.download(bucket, key), download: baseName(key), 'aria-label': `Download ${displayName(key)}` }, 'Download'),
          h('button', { type: 'button', class: 'small', dataset: { testid: 'share' }, 'aria-label': `Share ${displayName(key)}`, onclick: () => openShareDialog(bucket, key) }, 'Share'),
          h('button', { type: 'button', class: 'small danger', dataset: { testid: 'delete' }, 'aria-label': `Delete ${displayName(key)}`, onclick: () => removeKeys([key]) }, 'Delete'))));
    }
    const count = folders.length + files.length;
    table.hidden = count === 0;
    if (count === 0) {
      status.textContent = state.q ? `Nothing matches “${state.q}”.` : 'This folder is empty. Drop files or folders here, or use Upload.';
    } else {
      const what = `${folders.length ? `${folders.length} folder${folders.length === 1 ? '' : 's'}, ` : ''}${files.length} file${files.length === 1 ? '' : 's'}`;
      const partial = state.filter && state.filter.partialResult ? ' (search stopped early: load more to keep searching)' : '';
      status.textContent = state.q ? `${what} — names ${containing() ? 'containing' : 'starting with'} “${state.q}”${partial}` : `${what}${state.truncated ? ' shown so far' : ''}`;
    }
    // A search that found nothing could not be broadened because of the rate limit: say so.
    if (count === 0 && state.q && state.filter && state.filter.broadened === false && state.filter.retryAfterSeconds) {
      status.textContent = `Nothing starts with “${state.q}”. Searching inside names is limited to 5 searches a minute: press Enter to try again in ${state.filter.retryAfterSeconds} s.`;
    }
    loadMore.hidden = !state.truncated;
    updateSelection();
  }

  function updateSelection() {
    const total = state.prefixes.length + state.objects.length;
    deleteSelected.disabled = state.selected.size === 0;
    deleteSelected.textContent = state.selected.size ? `Delete selected (${state.selected.size})` : 'Delete selected';
    selectAll.checked = total > 0 && state.selected.size === total;
    selectAll.indeterminate = state.selected.size > 0 && state.selected.size < total;
  }

  selectAll.addEventListener('change', () => {
    state.selected.clear();
    if (selectAll.checked) {
      for (const p of state.prefixes) state.selected.add(p);
      for (const o of state.objects) state.selected.add(o.Key);
    }
    for (const row of tbody.querySelectorAll('tr')) {
      const box = row.querySelector('.row-check');
      box.checked = selectAll.checked;
      row.classList.toggle('selected', selectAll.checked);
    }
    updateSelection();
  });

  async function removeKeys(keys) {
    const folders = keys.filter((k) => k.endsWith('/'));
    const title = keys.length === 1 ? `Delete “${displayName(keys[0])}${folders.length ? '/' : ''}”?` : `Delete ${keys.length} items?`;
    const message = folders.length
      ? 'Deleting a folder deletes every file inside it. This cannot be undone.'
      : 'This cannot be undone (unless the bucket keeps versions).';
    if (!(await confirmDialog(title, message))) return;
    let deleted = 0;
    const failures = [];
    for (const key of keys) {
      try {
        const result = await api('DELETE', urls.object(bucket, key));
        for (const item of (result && result.deleted) || []) {
          if (item.success === false) failures.push(`${item.Key}: ${item.error || 'failed'}`);
          else deleted++;
        }
        if (!result || !result.deleted) deleted++;
      } catch (error) {
        showError(error, `Could not delete ${key}`);
      }
    }
    if (failures.length) showError(new Error(`${failures.length} could not be deleted: ${failures.slice(0, 3).join('; ')}`), 'Delete');
    if (deleted) toast(`Deleted ${deleted} object${deleted === 1 ? '' : 's'}`, 'success');
    load();
  }

  deleteSelected.addEventListener('click', () => removeKeys([...state.selected]));
  loadMore.addEventListener('click', () => load({ more: true }));

  const runSearch = debounce(() => {
    state.q = search.value.trim();
    load();
  }, 300);
  search.addEventListener('input', runSearch);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { runSearch.cancel(); state.q = search.value.trim(); load(); }
  });

  newFolder.addEventListener('click', () => {
    const input = h('input', { id: 'new-folder-name', required: true, autocomplete: 'off', placeholder: 'folder name' });
    const form = h('form', { id: 'new-folder-form' }, field('Folder name', input, 'The folder appears once a file is uploaded into it.'));
    const { close } = openDialog({
      title: 'New folder', body: form, testid: 'new-folder-dialog',
      actions: [h('button', { type: 'button', dataset: { close: '1' } }, 'Cancel'), h('button', { type: 'submit', class: 'primary', form: 'new-folder-form' }, 'Open folder')],
    });
    input.focus();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = input.value.trim().replace(/^\/+|\/+$/g, '');
      if (!name) return;
      close();
      location.hash = bucketHref(bucket, `${prefix}${name}/`);
    });
  });

  // ---- uploads ----
  const send = (files) => {
    if (!files.length) return;
    enqueue(bucket, files.map(({ file, path }) => ({ file, key: prefix + path })));
  };
  fileInput.addEventListener('change', () => { send(filesFromInput(fileInput)); fileInput.value = ''; });
  folderInput.addEventListener('change', () => { send(filesFromInput(folderInput)); folderInput.value = ''; });

  let dragDepth = 0;
  const hasFiles = (event) => event.dataTransfer && Array.from(event.dataTransfer.types || []).includes('Files');
  zone.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth++;
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', async (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth = 0;
    zone.classList.remove('dragging');
    try {
      send(await filesFromDataTransfer(event.dataTransfer));
    } catch (error) {
      showError(error, 'Could not read the dropped files');
    }
  });

  const refreshSoon = debounce(() => { if (!disposed) load(); }, 400);
  const stopListening = onUploaded((uploadedBucket, key) => {
    if (uploadedBucket === bucket && key.startsWith(prefix)) refreshSoon();
  });

  load();
  return () => {
    disposed = true;
    runSearch.cancel();
    refreshSoon.cancel();
    stopListening();
  };
}

function iconClass(key) {
  const name = key.toLowerCase();
  if (/\.(png|jpe?g|gif|webp|svg|bmp|ico|avif)$/.test(name)) return 'icon-image';
  if (/\.(mp4|webm|mov|mkv|mp3|wav|ogg|flac|m4a)$/.test(name)) return 'icon-media';
  if (/\.(json|ya?ml|toml|md|txt|csv|py|js|ts|sh|html|css|xml|ini|cfg|log)$/.test(name)) return 'icon-text';
  return 'icon-file';
}

// ---- preview ------------------------------------------------------------------------------------

function mediaKind(contentType, key) {
  const type = (contentType || '').toLowerCase();
  const name = key.toLowerCase();
  if (type === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  if (type.startsWith('video/') || /\.(mp4|webm|mov|m4v|ogv)$/.test(name)) return 'video';
  if (type.startsWith('audio/') || /\.(mp3|wav|ogg|oga|flac|m4a|aac|opus)$/.test(name)) return 'audio';
  if (type.startsWith('image/') || /\.(png|jpe?g|gif|webp|bmp|avif)$/.test(name)) return 'image';
  return null;
}

function previewBody(bucket, key, metadata, preview) {
  const kind = preview && preview.kind;
  const media = mediaKind(metadata.contentType, key);
  // Documents and media play from the download URL even when their bytes happen to be text.
  if (media === 'pdf' || media === 'video' || media === 'audio') preview = null;
  const note = preview && preview.truncated ? h('p', { class: 'note' }, 'Showing the beginning of the file only; download it to see everything.') : null;
  if (preview && preview.available !== false && kind === 'json') {
    return [note, highlight(String(preview.content ?? ''), 'json')];
  }
  if (preview && preview.available !== false && kind === 'text') {
    const text = String(preview.content ?? '');
    const language = languageFor(key, metadata.contentType);
    if (language === 'markdown') {
      const source = highlight(text, 'markdown');
      const rendered = renderMarkdown(text);
      source.hidden = true;
      const toggle = h('button', { type: 'button', class: 'small', id: 'markdown-toggle' }, 'Show source');
      toggle.addEventListener('click', () => {
        source.hidden = !source.hidden;
        rendered.hidden = !source.hidden;
        toggle.textContent = source.hidden ? 'Show source' : 'Show rendered';
      });
      return [note, h('div', { class: 'preview-tools' }, toggle), rendered, source];
    }
    return [note, highlight(text, language)];
  }
  if (preview && preview.available !== false && kind === 'image' && /^data:image\//i.test(String(preview.content || ''))) {
    return h('div', { class: 'preview-media' }, h('img', { src: preview.content, alt: baseName(key), id: 'preview-image' }));
  }
  const inline = urls.download(bucket, key, true);
  switch (media) {
    case 'pdf': return h('iframe', { src: inline, title: `PDF ${baseName(key)}`, class: 'preview-frame', id: 'preview-pdf' });
    case 'video': return h('div', { class: 'preview-media' }, h('video', { src: inline, controls: true, preload: 'metadata', id: 'preview-video' }));
    case 'audio': return h('div', { class: 'preview-media' }, h('audio', { src: inline, controls: true, preload: 'metadata', id: 'preview-audio' }));
    case 'image': return h('div', { class: 'preview-media' }, h('img', { src: inline, alt: baseName(key), id: 'preview-image' }));
    default: return h('p', { class: 'empty', id: 'preview-none' }, 'No preview for this kind of file. Download it to open it.');
  }
}

function metadataList(metadata) {
  const rows = [
    ['Size', `${formatBytes(metadata.size)}${metadata.size >= 1024 ? ` (${Number(metadata.size).toLocaleString()} bytes)` : ''}`],
    ['Type', metadata.contentType || '—'],
    ['Modified', formatDate(metadata.lastModified)],
    ['ETag', metadata.etag || '—'],
  ];
  if (metadata.versionId && metadata.versionId !== 'null') rows.push(['Version', metadata.versionId]);
  const tags = metadata.tags && Object.entries(metadata.tags);
  rows.push(['Tags', tags && tags.length ? h('span', { class: 'chips' }, tags.map(([k, v]) => h('span', { class: 'chip' }, `${k}=${v}`))) : '—']);
  for (const [k, v] of Object.entries(metadata.metadata || {})) rows.push([`x-amz-meta-${k}`, String(v)]);
  return h('dl', { class: 'meta', id: 'preview-meta' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

export async function openPreview(bucket, key, { onChange } = {}) {
  const content = h('div', { class: 'preview-content', id: 'preview-content' }, h('p', { class: 'loading' }, 'Loading preview…'));
  const meta = h('div', { class: 'preview-meta' });
  const actions = h('div', { class: 'preview-actions' },
    h('a', { class: 'button primary', href: urls.download(bucket, key), download: baseName(key), id: 'preview-download' }, 'Download'),
    h('a', { class: 'button', href: urls.download(bucket, key, true), target: '_blank', rel: 'noopener' }, 'Open in new tab'),
    h('button', { type: 'button', id: 'preview-share', onclick: () => openShareDialog(bucket, key) }, 'Share'),
    h('button', { type: 'button', id: 'preview-versions', onclick: () => openVersions(bucket, key, onChange) }, 'Versions'),
    h('button', { type: 'button', id: 'preview-tags' }, 'Edit tags'));
  const { dialog, close } = openDialog({
    title: baseName(key), wide: true, testid: 'preview-dialog',
    body: h('div', { class: 'preview', dataset: { key } }, h('p', { class: 'preview-path' }, `${bucket}/${key}`), actions, h('div', { class: 'preview-grid' }, content, meta)),
  });
  dialog.id = 'preview-dialog';
  try {
    const view = await api('GET', urls.view(bucket, key));
    const metadata = view.metadata || {};
    clear(content).append(...[previewBody(bucket, key, metadata, view.preview)].flat().filter(Boolean));
    clear(meta).append(metadataList(metadata));
    content.dataset.kind = (view.preview && view.preview.kind) || 'none';
    actions.querySelector('#preview-tags').addEventListener('click', () => editTags(bucket, key, metadata.tags || {}, async () => {
      try {
        const again = await api('GET', urls.view(bucket, key));
        clear(meta).append(metadataList(again.metadata || {}));
      } catch (error) { showError(error); }
    }));
  } catch (error) {
    clear(content).append(h('p', { class: 'error-text' }, error.message));
    showError(error, 'Could not preview');
    if (error instanceof ApiError && error.status === 404) setTimeout(close, 0);
  }
}

function editTags(bucket, key, tags, after) {
  const text = h('textarea', { id: 'tags-text', rows: '5', spellcheck: 'false', placeholder: 'project=demo\nowner=alice' });
  text.value = Object.entries(tags).map(([k, v]) => `${k}=${v}`).join('\n');
  const form = h('form', { id: 'tags-form' }, field('Tags, one key=value a line', text, 'At most 10 tags.'));
  const { close } = openDialog({
    title: `Tags of ${baseName(key)}`, body: form, testid: 'tags-dialog',
    actions: [h('button', { type: 'button', dataset: { close: '1' } }, 'Cancel'), h('button', { type: 'submit', class: 'primary', form: 'tags-form', id: 'tags-save' }, 'Save tags')],
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = {};
    for (const line of text.value.split('\n')) {
      if (!line.trim()) continue;
      const at = line.indexOf('=');
      result[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? '' : line.slice(at + 1).trim();
    }
    try {
      await api('PUT', urls.tags(bucket, key), { tags: result });
      toast('Tags saved', 'success');
      close();
      after();
    } catch (error) {
      showError(error, 'Could not save the tags');
    }
  });
}

// ---- sharing ------------------------------------------------------------------------------------

const expiryChoices = [['3600', '1 hour'], ['86400', '1 day'], ['604800', '7 days'], ['2592000', '30 days'], ['', 'Never']];

export function openShareDialog(bucket, key) {
  const expiry = h('select', { id: 'share-expiry' }, expiryChoices.map(([v, label]) => h('option', { value: v }, label)));
  expiry.value = '604800';
  const password = h('input', { type: 'password', id: 'share-password', autocomplete: 'new-password', placeholder: 'optional' });
  const maxDownloads = h('input', { type: 'number', min: '1', step: '1', id: 'share-max', placeholder: 'unlimited' });
  const url = h('input', { id: 'share-url', readonly: true, class: 'url-field', 'aria-label': 'Share link' });
  const copy = h('button', { type: 'button', id: 'share-copy', onclick: () => copyText(url.value, url) }, 'Copy');
  const result = h('div', { class: 'share-result', id: 'share-result', hidden: true }, h('p', { class: 'note', id: 'share-note' }), h('div', { class: 'url-row' }, url, copy));
  const form = h('form', { id: 'share-form', class: 'stack' },
    h('p', { class: 'note' }, 'Anyone with the link can download this file, without signing in.'),
    field('Expires after', expiry),
    field('Password', password, 'Those who open the link must type it.'),
    field('Maximum downloads', maxDownloads),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary', id: 'share-create' }, 'Create link')),
    result);

  const presignExpiry = h('select', { id: 'presign-expiry' }, expiryChoices.slice(0, 3).map(([v, label]) => h('option', { value: v }, label)));
  const presignUrl = h('input', { id: 'presign-url', readonly: true, class: 'url-field', 'aria-label': 'Presigned URL' });
  const presignResult = h('div', { class: 'url-row', hidden: true }, presignUrl, h('button', { type: 'button', id: 'presign-copy', onclick: () => copyText(presignUrl.value, presignUrl) }, 'Copy'));
  const presignForm = h('form', { id: 'presign-form', class: 'stack' },
    h('p', { class: 'note' }, 'A presigned S3 URL works for at most 7 days, signed with your access key; it cannot be revoked.'),
    h('div', { class: 'inline-form' }, field('Expires after', presignExpiry), h('button', { type: 'submit', id: 'presign-create' }, 'Create presigned URL')),
    presignResult);

  openDialog({
    title: `Share ${baseName(key)}`, testid: 'share-dialog',
    body: [h('p', { class: 'preview-path' }, `${bucket}/${key}`), form, h('details', { class: 'presign' }, h('summary', null, 'Presigned URL instead'), presignForm)],
    actions: [h('a', { href: '#/shares', class: 'button', dataset: { close: '1' } }, 'All my links'), h('button', { type: 'button', dataset: { close: '1' } }, 'Done')],
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { bucket, key };
    if (expiry.value) body.expiresIn = Number(expiry.value);
    if (password.value) body.password = password.value;
    if (maxDownloads.value) body.maxDownloads = Number(maxDownloads.value);
    try {
      const share = await api('POST', '/api/shares', body);
      url.value = share.url || `${location.origin}/share/${share.token}`;
      result.querySelector('#share-note').textContent =
        `Link created${share.expiresAt ? `, valid until ${formatDate(share.expiresAt)}` : ', no expiry'}${share.hasPassword || body.password ? ', password protected' : ''}${share.maxDownloads ? `, ${share.maxDownloads} downloads at most` : ''}.`;
      result.hidden = false;
      url.focus();
      url.select();
    } catch (error) {
      showError(error, 'Could not create the link');
    }
  });
  presignForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const answer = await api('POST', '/api/share/presign', { bucket, key, expiresIn: Number(presignExpiry.value) });
      presignUrl.value = answer.url || '';
      presignResult.hidden = false;
      presignUrl.select();
    } catch (error) {
      showError(error, 'Could not presign');
    }
  });
}

// ---- versions -----------------------------------------------------------------------------------

export function openVersions(bucket, key, onChange) {
  const tbody = h('tbody', { id: 'version-rows' });
  const status = h('p', { class: 'list-status' }, 'Loading…');
  const table = h('table', { class: 'table versions' },
    h('thead', null, h('tr', null, h('th', null, 'Version'), h('th', null, 'Modified'), h('th', null, 'Size'), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))),
    tbody);
  openDialog({ title: `Versions of ${baseName(key)}`, body: [status, table], wide: true, testid: 'versions-dialog' });

  async function load() {
    try {
      const { versions = [] } = await api('GET', urls.versions(bucket, key));
      clear(tbody);
      status.textContent = versions.length ? `${versions.length} version${versions.length === 1 ? '' : 's'}` : 'No versions.';
      for (const version of versions) {
        const label = version.versionId === 'null' || !version.versionId ? '(unversioned)' : version.versionId;
        tbody.appendChild(h('tr', { dataset: { versionId: version.versionId } },
          h('td', { class: 'mono', 'data-label': 'Version' }, label, version.isLatest ? h('span', { class: 'badge' }, 'current') : null, version.isDeleteMarker ? h('span', { class: 'badge badge-warn' }, 'deleted') : null),
          h('td', { 'data-label': 'Modified' }, formatDate(version.lastModified)),
          h('td', { 'data-label': 'Size' }, version.isDeleteMarker ? '—' : formatBytes(version.size)),
          h('td', { class: 'col-actions' },
            !version.isLatest && !version.isDeleteMarker ? h('button', { type: 'button', class: 'small', dataset: { testid: 'version-restore' }, onclick: () => restore(version.versionId) }, 'Restore') : null,
            h('button', { type: 'button', class: 'small danger', dataset: { testid: 'version-delete' }, onclick: () => remove(version.versionId) }, 'Delete'))));
      }
    } catch (error) {
      status.textContent = '';
      showError(error, 'Could not list the versions');
    }
  }
  async function restore(versionId) {
    try {
      await api('POST', `${urls.versions(bucket, key)}/restore`, { versionId });
      toast('Version restored as the current one', 'success');
      load();
      if (onChange) onChange();
    } catch (error) {
      showError(error, 'Could not restore');
    }
  }
  async function remove(versionId) {
    if (!(await confirmDialog('Delete this version for good?', `Version ${versionId} of ${key} will be gone.`))) return;
    try {
      await api('DELETE', `${urls.versions(bucket, key)}?versionId=${encodeURIComponent(versionId)}`);
      toast('Version deleted', 'success');
      load();
      if (onChange) onChange();
    } catch (error) {
      showError(error, 'Could not delete the version');
    }
  }
  load();
}
