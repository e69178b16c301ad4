// The upload queue: files (and the files of dropped folders) go up two at a time, each with its own
// progress bar driven by the request's upload progress, plus one overall bar; each can be cancelled.

import { api, sendWithProgress, uploadFile, urls, ApiError } from './api.js';
import { h, formatBytes, progressBar, showError, toast } from './ui.js';

const CONCURRENCY = 2;
const queue = [];
let running = 0;
let panel = null;
let listEl = null;
let overall = null;
let overallText = null;
let serial = 0;
const listeners = new Set();

// Called with (bucket, key) after each upload finishes.
export function onUploaded(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function ensurePanel() {
  if (panel && panel.isConnected) return;
  overall = progressBar({ label: 'All uploads', testid: 'upload-overall', id: 'upload-overall' });
  overallText = h('span', { class: 'uploads-summary', id: 'upload-summary' });
  listEl = h('ul', { class: 'uploads-list', id: 'upload-list' });
  const clearButton = h('button', { type: 'button', class: 'small', id: 'uploads-clear', onclick: clearFinished }, 'Clear finished');
  const hide = h('button', { type: 'button', class: 'icon-button', id: 'uploads-toggle', 'aria-label': 'Show the list of uploads', 'aria-expanded': 'true', onclick: () => collapse(!panel.classList.contains('collapsed')) }, '▾');
  panel = h('section', { class: 'uploads', id: 'uploads', 'aria-label': 'Uploads' },
    h('div', { class: 'uploads-head' }, h('strong', null, 'Uploads'), overallText, clearButton, hide),
    overall, listEl);
  document.body.appendChild(panel);
  // Room under the page so the floating panel never hides its last rows and buttons.
  document.body.classList.add('with-uploads');
}

function collapse(collapsed) {
  if (!panel) return;
  panel.classList.toggle('collapsed', collapsed);
  const toggle = panel.querySelector('#uploads-toggle');
  toggle.setAttribute('aria-expanded', String(!collapsed));
  toggle.textContent = collapsed ? '▸' : '▾';
}

let collapseTimer = null;

function clearFinished() {
  for (let i = queue.length - 1; i >= 0; i--) {
    const item = queue[i];
    if (['done', 'failed', 'cancelled'].includes(item.state)) {
      item.row.remove();
      queue.splice(i, 1);
    }
  }
  if (!queue.length && panel) { panel.remove(); panel = null; document.body.classList.remove('with-uploads'); }
  else updateOverall();
}

function updateOverall() {
  if (!overall) return;
  const active = queue.filter((item) => item.state !== 'cancelled');
  const total = active.reduce((sum, item) => sum + item.file.size, 0);
  const loaded = active.reduce((sum, item) => sum + (item.state === 'done' ? item.file.size : item.loaded), 0);
  const done = active.filter((item) => item.state === 'done').length;
  const failed = queue.filter((item) => item.state === 'failed').length;
  const allDone = active.every((item) => item.state === 'done' || item.state === 'failed');
  overall.set(allDone && active.length ? 100 : total ? (loaded / total) * 100 : 0);
  overall.state(allDone ? (failed ? 'failed' : 'done') : 'running');
  // Once everything went up, the list folds away (the overall bar stays); failures keep it open.
  clearTimeout(collapseTimer);
  if (allDone && !failed) collapseTimer = setTimeout(() => collapse(true), 3000);
  overallText.textContent = `${done} of ${active.length} done · ${formatBytes(loaded)} of ${formatBytes(total)}` + (failed ? ` · ${failed} failed` : '');
}

// files: [{file: File, key: 'prefix/relative/path'}]
export function enqueue(bucket, files) {
  if (!files.length) return;
  ensurePanel();
  clearTimeout(collapseTimer);
  collapse(false);
  for (const { file, key } of files) {
    const bar = progressBar({ label: `Upload of ${key}`, testid: 'upload-progress' });
    const status = h('span', { class: 'upload-status', dataset: { testid: 'upload-status' } }, 'queued');
    const cancel = h('button', { type: 'button', class: 'small', dataset: { testid: 'upload-cancel' } }, 'Cancel');
    const row = h('li', { class: 'upload-row', dataset: { uploadKey: key, state: 'queued' } },
      h('div', { class: 'upload-line' }, h('span', { class: 'upload-name', title: key }, key), status, cancel), bar);
    const item = { id: ++serial, bucket, key, file, loaded: 0, state: 'queued', bar, status, row, cancel, abort: null };
    cancel.addEventListener('click', () => cancelItem(item));
    queue.push(item);
    listEl.appendChild(row);
  }
  updateOverall();
  pump();
}

function setState(item, state, text) {
  item.state = state;
  item.row.dataset.state = state;
  item.bar.state(state);
  item.status.textContent = text || state;
}

function cancelItem(item) {
  if (item.state === 'queued') {
    setState(item, 'cancelled');
    item.cancel.disabled = true;
    updateOverall();
  } else if (item.state === 'uploading' && item.abort) {
    item.abort();
  }
}

function pump() {
  while (running < CONCURRENCY) {
    const item = queue.find((candidate) => candidate.state === 'queued');
    if (!item) return;
    start(item);
  }
}

// Files above this go up in parts (the server suggests the part size).
const PART_THRESHOLD = 64 * 1024 * 1024;
const PART_ATTEMPTS = 3;

function start(item) {
  running++;
  setState(item, 'uploading', '0%');
  const began = performance.now();
  // loaded: bytes of the file sent so far (the request's own upload progress).
  const onLoaded = (loaded) => {
    const size = item.file.size;
    item.loaded = Math.min(size, loaded);
    const fraction = size ? item.loaded / size : 0;
    const percent = Math.floor(fraction * 100);
    item.bar.set(Math.min(percent, 99));
    const seconds = (performance.now() - began) / 1000;
    const speed = seconds > 0.2 ? ` · ${formatBytes(item.loaded / seconds)}/s` : '';
    item.status.textContent = fraction >= 1 ? 'storing…' : `${percent}%${speed}`;
    updateOverall();
  };
  const run = item.file.size > PART_THRESHOLD ? uploadInParts(item, onLoaded) : uploadWhole(item, onLoaded);
  run.then(() => {
    item.loaded = item.file.size;
    item.bar.set(100);
    setState(item, 'done', 'done');
    item.cancel.remove();
    for (const listener of listeners) listener(item.bucket, item.key);
  }, (error) => {
    if (error.code === 'Aborted') {
      setState(item, 'cancelled');
      toast(`Upload of ${item.key} cancelled`, 'info');
    } else {
      setState(item, 'failed', 'failed');
      item.status.title = error.message;
      showError(error, `Upload of ${item.key} failed`);
    }
    item.cancel.disabled = true;
  }).finally(() => {
    running--;
    updateOverall();
    pump();
  });
}

function uploadWhole(item, onLoaded) {
  // The request body is the file plus a little multipart framing: scale to the file's size.
  const { promise, abort } = uploadFile(item.bucket, item.key, item.file, (loaded, total) => onLoaded(total ? (loaded / total) * item.file.size : 0));
  item.abort = abort;
  return promise;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const aborted = () => new ApiError(0, 'Aborted', 'Cancelled');

// A multipart upload: the parts one after the other, each sent again (up to three times) when it
// fails for a reason that may pass; cancel aborts the upload so the server frees its parts.
async function uploadInParts(item, onLoaded) {
  const base = urls.multipart(item.bucket, item.key);
  let stopped = false;
  let current = null;
  let uploadId = null;
  item.abort = () => {
    stopped = true;
    if (current) current.abort();
  };
  try {
    const created = await api('POST', base, { size: item.file.size, contentType: item.file.type || undefined });
    uploadId = created.uploadId;
    if (stopped) throw aborted();
    const partSize = Math.max(5 * 1024 * 1024, Number(created.partSize) || PART_THRESHOLD);
    const parts = [];
    for (let number = 1, offset = 0; offset < item.file.size; number++, offset += partSize) {
      const blob = item.file.slice(offset, Math.min(item.file.size, offset + partSize));
      for (let attempt = 1; ; attempt++) {
        if (stopped) throw aborted();
        current = sendWithProgress('PUT', `${base}?uploadId=${encodeURIComponent(uploadId)}&partNumber=${number}`, blob,
          (loaded, total) => onLoaded(offset + (total ? (loaded / total) * blob.size : 0)));
        try {
          const part = await current.promise;
          parts.push({ partNumber: number, etag: part.etag });
          break;
        } catch (error) {
          if (stopped || error.code === 'Aborted') throw aborted();
          const transient = error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
          if (!transient || error.status === 507 || attempt >= PART_ATTEMPTS) throw error;
          item.status.textContent = `part ${number} failed, retrying…`;
          await sleep(1000 * attempt);
        }
      }
    }
    current = null;
    if (stopped) throw aborted();
    item.abort = null; // completing cannot be cancelled half-way
    return await api('POST', `${base}/complete`, { uploadId, parts });
  } catch (error) {
    if (uploadId) api('DELETE', `${base}?uploadId=${encodeURIComponent(uploadId)}`).catch(() => {});
    throw error;
  }
}

export function uploadsActive() {
  return queue.some((item) => item.state === 'queued' || item.state === 'uploading');
}

// ---- gathering files from a drop, including whole folders -------------------------------------

function readAllEntries(reader) {
  return new Promise((resolve, reject) => {
    const all = [];
    const next = () => reader.readEntries((entries) => {
      if (!entries.length) resolve(all);
      else { all.push(...entries); next(); }
    }, reject);
    next();
  });
}

function fileOf(entry) {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry, out) {
  if (entry.isFile) {
    const file = await fileOf(entry);
    out.push({ file, path: entry.fullPath.replace(/^\/+/, '') });
  } else if (entry.isDirectory) {
    const children = await readAllEntries(entry.createReader());
    for (const child of children) await walk(child, out);
  }
}

// Returns [{file, path}] with paths relative to the drop (folder names kept).
export async function filesFromDataTransfer(dataTransfer) {
  const out = [];
  const items = Array.from(dataTransfer.items || []);
  const entries = items
    .filter((item) => item.kind === 'file')
    .map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (entries.length && entries.every(Boolean)) {
    for (const entry of entries) await walk(entry, out);
    return out;
  }
  for (const file of Array.from(dataTransfer.files || [])) out.push({ file, path: file.name });
  return out;
}

export function filesFromInput(input) {
  return Array.from(input.files || []).map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

export function resetUploads() {
  for (const item of queue) if (item.state === 'uploading' && item.abort) item.abort();
  queue.length = 0;
  if (panel) { panel.remove(); panel = null; }
}
