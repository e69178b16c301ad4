// The upload queue: files (and the files of dropped folders) go up two at a time, each with its own
// progress bar driven by the request's upload progress, plus one overall bar; each can be cancelled.

import { uploadFile } from './api.js';
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
  if (!queue.length && panel) { panel.remove(); panel = null; }
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

function start(item) {
  running++;
  setState(item, 'uploading', '0%');
  const began = performance.now();
  const { promise, abort } = uploadFile(item.bucket, item.key, item.file, (loaded, total) => {
    // The request body is the file plus a little multipart framing.
    const fraction = total ? loaded / total : 0;
    item.loaded = Math.min(item.file.size, fraction * item.file.size);
    const percent = Math.floor(fraction * 100);
    item.bar.set(Math.min(percent, 99));
    const seconds = (performance.now() - began) / 1000;
    const speed = seconds > 0.2 ? ` · ${formatBytes(loaded / seconds)}/s` : '';
    item.status.textContent = fraction >= 1 ? 'storing…' : `${percent}%${speed}`;
    updateOverall();
  });
  item.abort = abort;
  promise.then(() => {
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
