// The console's entry: the session, the sign-in page, the page frame and hash routing.

import { api, setCsrfToken, setUnauthorizedHandler, unb64url } from './api.js';
import { h, clear, showError, toast, field } from './ui.js';
import { bucketsPage, objectsPage } from './browser.js';
import { sharesPage, statusPage, usersPage, artifactsPage, importsPage } from './pages.js';
import { resetUploads, uploadsActive } from './uploads.js';

const app = document.getElementById('app');
let session = null;
let main = null;
let nav = null;
let cleanup = null;

const navItems = [
  ['buckets', 'Buckets', '#/buckets'],
  ['shares', 'Shares', '#/shares'],
  ['imports', 'Imports', '#/imports'],
  ['artifacts', 'Artifacts', '#/artifacts'],
  ['status', 'Status', '#/status', (s) => s.isRoot],
  ['users', 'Users', '#/users', (s) => s.isRoot],
];

// ---- routing ------------------------------------------------------------------------------------

function parseRoute(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const decode = (s) => decodeURIComponent(s || '');
  switch (parts[0]) {
    case '':
    case 'buckets':
      return { name: 'buckets' };
    case 'b': {
      const prefix = unb64url(parts[2] || '');
      return { name: 'buckets', page: 'objects', bucket: decode(parts[1]), prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix };
    }
    case 'shares': return { name: 'shares' };
    case 'status': return { name: 'status' };
    case 'users': return { name: 'users' };
    case 'imports': return { name: 'imports' };
    case 'artifacts': return { name: 'artifacts', workspace: decode(parts[1]), parent: decode(parts[2]), dir: decode(parts[3]) };
    default: return { name: 'missing' };
  }
}

const pages = {
  buckets: bucketsPage,
  objects: objectsPage,
  shares: sharesPage,
  status: statusPage,
  users: usersPage,
  imports: importsPage,
  artifacts: artifactsPage,
  missing: (target) => clear(target).append(h('div', { class: 'page-head' }, h('h1', null, 'Not found')),
    h('p', null, 'There is no such page. ', h('a', { href: '#/buckets' }, 'Go to the buckets.'))),
};

function route() {
  if (!session || !main) return;
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  if (cleanup) { try { cleanup(); } catch (error) { console.warn(error); } cleanup = null; }
  let params;
  try {
    params = parseRoute(location.hash);
  } catch {
    params = { name: 'missing' };
  }
  const page = params.page || params.name;
  for (const link of nav.querySelectorAll('a[data-route]')) {
    if (link.dataset.route === params.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  nav.classList.remove('open');
  document.body.dataset.page = page;
  const titles = { objects: params.bucket, buckets: 'Buckets', shares: 'Shares', status: 'Status', users: 'Users', imports: 'Imports', artifacts: 'Artifacts', missing: 'Not found' };
  document.title = `${titles[page] || page} · spore`;
  try {
    const result = pages[page](main, params, session);
    cleanup = typeof result === 'function' ? result : null;
  } catch (error) {
    showError(error, 'This page failed');
  }
  main.focus({ preventScroll: true });
}

// ---- the frame ----------------------------------------------------------------------------------

function renderShell() {
  const signOut = h('button', { type: 'button', id: 'signout', class: 'small' }, 'Sign out');
  signOut.addEventListener('click', logout);
  nav = h('nav', { class: 'mainnav', id: 'nav', 'aria-label': 'Main' },
    navItems.filter(([, , , shown]) => !shown || shown(session)).map(([route, label, href]) =>
      h('a', { href, dataset: { route }, id: `nav-${route}` }, label)));
  const menu = h('button', { type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav' }, 'Menu');
  menu.addEventListener('click', () => {
    const open = nav.classList.toggle('open');
    menu.setAttribute('aria-expanded', String(open));
  });
  main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  clear(app).append(
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/buckets' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'spore'),
      menu, nav,
      h('div', { class: 'userbox' },
        h('span', { class: 'user', id: 'current-user', title: session.via === 'token' ? 'Signed in with a token' : 'Signed in with an access key' },
          session.user, session.isRoot ? h('span', { class: 'badge' }, 'root') : null),
        signOut)),
    main);
}

async function logout() {
  if (uploadsActive() && !window.confirm('Uploads are still running. Sign out and cancel them?')) return;
  try {
    await api('POST', '/api/auth/logout');
  } catch (error) {
    if (error.status !== 401) showError(error, 'Sign-out failed');
  }
  endSession();
  toast('Signed out', 'info');
}

function endSession(message) {
  if (cleanup) { try { cleanup(); } catch { /* ignore */ } cleanup = null; }
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  resetUploads();
  session = null;
  main = null;
  setCsrfToken('');
  showLogin(message);
}

// ---- signing in ---------------------------------------------------------------------------------

function showLogin(message) {
  document.title = 'Sign in · spore';
  document.body.dataset.page = 'login';
  const accessKey = h('input', { id: 'login-access-key', name: 'accessKey', autocomplete: 'username', required: true, spellcheck: 'false', autocapitalize: 'off' });
  const secretKey = h('input', { id: 'login-secret-key', name: 'secretKey', type: 'password', autocomplete: 'current-password', required: true });
  const showSecret = h('button', { type: 'button', class: 'small', id: 'login-show-secret', 'aria-pressed': 'false' }, 'Show');
  showSecret.addEventListener('click', () => {
    const shown = secretKey.type === 'password';
    secretKey.type = shown ? 'text' : 'password';
    showSecret.textContent = shown ? 'Hide' : 'Show';
    showSecret.setAttribute('aria-pressed', String(shown));
  });
  const token = h('textarea', { id: 'login-token', name: 'token', rows: '4', spellcheck: 'false', autocapitalize: 'off' });
  const keyPanel = h('div', { id: 'login-panel-key', role: 'tabpanel', 'aria-labelledby': 'login-tab-key', class: 'stack' },
    field('Access key', accessKey),
    field('Secret key', h('div', { class: 'url-row' }, secretKey, showSecret)));
  const tokenPanel = h('div', { id: 'login-panel-token', role: 'tabpanel', 'aria-labelledby': 'login-tab-token', class: 'stack', hidden: true },
    field('Hypha token', token, 'A token made with “spore token create”.'));
  const tabKey = h('button', { type: 'button', role: 'tab', id: 'login-tab-key', 'aria-controls': 'login-panel-key', 'aria-selected': 'true' }, 'Access key');
  const tabToken = h('button', { type: 'button', role: 'tab', id: 'login-tab-token', 'aria-controls': 'login-panel-token', 'aria-selected': 'false', tabindex: '-1' }, 'Hypha token');
  const error = h('p', { class: 'login-error', id: 'login-error', role: 'alert', hidden: !message }, message || '');
  const submit = h('button', { type: 'submit', class: 'primary wide', id: 'login-submit' }, 'Sign in');
  let mode = 'key';
  const select = (which) => {
    mode = which;
    const isKey = which === 'key';
    tabKey.setAttribute('aria-selected', String(isKey));
    tabToken.setAttribute('aria-selected', String(!isKey));
    tabKey.tabIndex = isKey ? 0 : -1;
    tabToken.tabIndex = isKey ? -1 : 0;
    keyPanel.hidden = !isKey;
    tokenPanel.hidden = isKey;
    accessKey.required = secretKey.required = isKey;
    token.required = !isKey;
    (isKey ? tabKey : tabToken).focus();
  };
  tabKey.addEventListener('click', () => select('key'));
  tabToken.addEventListener('click', () => select('token'));
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'How to sign in' }, tabKey, tabToken);
  tabs.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') select(mode === 'key' ? 'token' : 'key');
  });
  // Enter in the token box submits (Shift+Enter for a new line is not needed for a token).
  token.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  const form = h('form', { id: 'login-form', class: 'stack' }, tabs, keyPanel, tokenPanel, error, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    const body = mode === 'key' ? { accessKey: accessKey.value.trim(), secretKey: secretKey.value } : { token: token.value.trim() };
    try {
      await api('POST', '/api/auth/login', body, { quiet401: true });
      secretKey.value = '';
      token.value = '';
      await begin();
    } catch (failure) {
      error.textContent = failure.status === 401 || failure.status === 403
        ? `Sign-in failed: ${failure.message || 'wrong credentials'}`
        : `Sign-in failed: ${failure.message}${failure.retryAfter ? ` (try again in ${failure.retryAfter} s)` : ''}`;
      error.hidden = false;
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  clear(app).append(h('main', { class: 'login', id: 'main' },
    h('div', { class: 'login-card card' },
      h('h1', { class: 'login-title' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'spore'),
      h('p', { class: 'note' }, 'Sign in to manage your files.'),
      form,
      h('p', { class: 'note small-print' }, 'Use an access key and its secret, for example the root credentials ', h('code', null, 'spore serve'), ' printed when it started.'))));
  accessKey.focus();
}

async function begin() {
  session = await api('GET', '/api/auth/session', undefined, { quiet401: true });
  setCsrfToken(session.csrfToken);
  renderShell();
  if (!location.hash || location.hash === '#' || location.hash === '#/') history.replaceState(null, '', '#/buckets');
  route();
}

setUnauthorizedHandler(() => {
  if (session) endSession('Your session has ended. Please sign in again.');
});

window.addEventListener('hashchange', route);
window.addEventListener('beforeunload', (event) => {
  if (uploadsActive()) {
    event.preventDefault();
    event.returnValue = '';
  }
});
window.addEventListener('unhandledrejection', (event) => {
  showError(event.reason || 'Unexpected error');
});

begin().catch((error) => {
  if (error.status === 401) showLogin();
  else {
    showLogin();
    showError(error, 'Could not reach the server');
  }
});
