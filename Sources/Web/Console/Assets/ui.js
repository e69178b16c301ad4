// Small DOM helpers: elements built with textContent only (never innerHTML), formatting, toasts,
// modal dialogs, progress bars.

// h('button', {class: 'x', onclick: fn, dataset: {key: 'a'}}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') el.className = value;
      else if (name === 'dataset') Object.assign(el.dataset, value);
      else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
      else if (name === 'value') el.value = value;
      else if (name === 'checked') el.checked = value;
      else if (name === 'text') el.textContent = value;
      else if (value === true) el.setAttribute(name, '');
      else el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function formatBytes(n) {
  if (n === undefined || n === null || Number.isNaN(Number(n))) return '—';
  n = Number(n);
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ${units[i]}`;
}

export function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function formatDuration(seconds) {
  seconds = Math.max(0, Math.floor(Number(seconds) || 0));
  const d = Math.floor(seconds / 86400), hr = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d}d ${hr}h`;
  if (hr) return `${hr}h ${m}m`;
  if (m) return `${m}m ${seconds % 60}s`;
  return `${seconds}s`;
}

// ---- toasts -------------------------------------------------------------------------------------

let toastRegion = null;

function region() {
  if (!toastRegion || !toastRegion.isConnected) {
    toastRegion = h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite', role: 'status', popover: 'manual' });
    document.body.appendChild(toastRegion);
  }
  return toastRegion;
}

// A manual popover sits in the top layer, above any open modal dialog; re-showing it raises it
// above a dialog opened since.
function raise() {
  const el = region();
  if (typeof el.showPopover !== 'function') return;
  if (el.matches(':popover-open')) el.hidePopover();
  if (el.childElementCount) el.showPopover();
}

export function toast(message, kind = 'info', { timeout } = {}) {
  const close = h('button', { class: 'toast-close', type: 'button', 'aria-label': 'Dismiss' }, '×');
  const item = h('div', { class: `toast toast-${kind}`, dataset: { testid: `toast-${kind}` }, role: kind === 'error' ? 'alert' : undefined },
    h('span', { class: 'toast-text' }, message), close);
  const remove = () => {
    item.remove();
    if (toastRegion && !toastRegion.childElementCount && typeof toastRegion.hidePopover === 'function' && toastRegion.matches(':popover-open')) toastRegion.hidePopover();
  };
  close.addEventListener('click', remove);
  region().appendChild(item);
  raise();
  const ms = timeout ?? (kind === 'error' ? 12000 : 4000);
  if (ms > 0) setTimeout(remove, ms);
  return item;
}

export function showError(error, context) {
  const prefix = context ? `${context}: ` : '';
  let message = error && error.message ? error.message : String(error);
  if (error && error.code && error.code !== 'Aborted' && !message.includes(error.code)) message = `${message} (${error.code})`;
  if (error && error.retryAfter) message += ` — try again in ${error.retryAfter} s`;
  // The browser console records the error for developers; the toast is what the person sees.
  console.warn(prefix + message);
  return toast(prefix + message, 'error');
}

// ---- dialogs ------------------------------------------------------------------------------------

// Opens a modal <dialog>; Escape closes it (native), as does any [data-close] button.
// Returns {dialog, close}. `onClose` runs once when it closes.
export function openDialog({ title, body, actions = [], wide = false, testid, onClose }) {
  const heading = h('h2', { class: 'dialog-title', id: `dlg-title-${Math.random().toString(36).slice(2)}` }, title);
  const closeButton = h('button', { type: 'button', class: 'icon-button dialog-x', 'aria-label': 'Close', dataset: { close: '1' } }, '×');
  const dialog = h('dialog', { class: `dialog${wide ? ' dialog-wide' : ''}`, 'aria-labelledby': heading.id, dataset: { testid: testid || 'dialog' } },
    h('div', { class: 'dialog-head' }, heading, closeButton),
    h('div', { class: 'dialog-body' }, body),
    actions.length ? h('div', { class: 'dialog-actions' }, actions) : null);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    if (onClose) onClose();
  };
  dialog.addEventListener('close', close);
  dialog.addEventListener('click', (event) => {
    if (event.target.closest('[data-close]')) close();
    else if (event.target === dialog) close(); // a click on the backdrop
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, close };
}

export function confirmDialog(title, message, { confirmLabel = 'Delete', danger = true } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const ok = h('button', { type: 'button', class: danger ? 'danger' : 'primary', id: 'confirm-ok' }, confirmLabel);
    const cancel = h('button', { type: 'button', id: 'confirm-cancel', dataset: { close: '1' } }, 'Cancel');
    const { close } = openDialog({
      title, testid: 'confirm-dialog',
      body: h('p', { class: 'confirm-message' }, message),
      actions: [cancel, ok],
      onClose: () => resolve(answer),
    });
    ok.addEventListener('click', () => { answer = true; close(); });
    cancel.focus();
  });
}

// ---- progress bars ------------------------------------------------------------------------------

export function progressBar({ label, testid, id } = {}) {
  const fill = h('div', { class: 'progress-fill' });
  const bar = h('div', {
    class: 'progress', role: 'progressbar', id, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
    'aria-label': label || 'Progress', dataset: { testid: testid || 'progress' },
  }, fill);
  bar.set = (percent) => {
    const value = Math.max(0, Math.min(100, Math.floor(percent)));
    bar.setAttribute('aria-valuenow', String(value));
    bar.setAttribute('aria-valuetext', `${value}%`);
    fill.style.width = `${value}%`;
  };
  bar.state = (name) => { bar.dataset.state = name; };
  return bar;
}

// Runs fn after `ms` of quiet.
export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied to the clipboard', 'success');
    return true;
  } catch {
    if (input) {
      input.focus();
      input.select();
      try {
        if (document.execCommand('copy')) { toast('Copied to the clipboard', 'success'); return true; }
      } catch { /* fall through */ }
    }
    toast('Could not copy automatically: the link is selected, press Ctrl+C', 'info');
    return false;
  }
}

export function field(label, control, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control, hint ? h('span', { class: 'field-hint' }, hint) : null);
}
