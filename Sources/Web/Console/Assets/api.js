// The console's only way to the daemon: same-origin JSON calls with the session cookie, the CSRF
// header on every state-changing request, and errors turned into ApiError (never swallowed).

let csrfToken = '';
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || `HTTP${status}`;
    this.retryAfter = retryAfter;
  }
}

export function setCsrfToken(token) { csrfToken = token || ''; }
export function getCsrfToken() { return csrfToken; }
export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

// Keys and prefixes travel as base64url of their UTF-8 bytes, without padding.
export function b64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function unb64url(encoded) {
  if (!encoded) return '';
  let s = encoded.replace(/-/g, '+').replace(/_/g, '/');
  while (s.length % 4) s += '=';
  const binary = atob(s);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function csrfHeaders(method, headers = {}) {
  if (unsafeMethods.has(method.toUpperCase()) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  return headers;
}

async function errorFrom(response) {
  let code = '';
  let message = '';
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text);
    code = body.error || '';
    message = body.message || body.detail || '';
  } catch {
    message = text.slice(0, 300);
  }
  if (!message) message = `${response.status} ${response.statusText || 'error'}`;
  const retry = response.headers.get('Retry-After');
  return new ApiError(response.status, code, message, retry ? Number(retry) : undefined);
}

// api('GET', '/api/buckets'); api('POST', '/api/buckets', {name}) → parsed JSON (or null).
export async function api(method, path, body, { quiet401 = false } = {}) {
  const headers = csrfHeaders(method, { Accept: 'application/json' });
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, 'NetworkError', `Cannot reach the server (${error.message})`);
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401 && !quiet401) onUnauthorized(error);
    throw error;
  }
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(response.status, 'BadResponse', `The server answered something that is not JSON for ${path}`);
  }
}

export function objectPath(kind, bucket, key) {
  const encodedBucket = encodeURIComponent(bucket);
  return key === undefined || key === ''
    ? `/api/${kind}/${encodedBucket}`
    : `/api/${kind}/${encodedBucket}/${b64url(key)}`;
}

export const urls = {
  list: (bucket, prefix) => objectPath('objects', bucket, prefix),
  object: (bucket, key) => objectPath('objects', bucket, key),
  view: (bucket, key) => `/api/objects/view/${encodeURIComponent(bucket)}/${b64url(key)}`,
  upload: (bucket, key) => `/api/objects/upload/${encodeURIComponent(bucket)}/${b64url(key)}`,
  download: (bucket, key, inline) =>
    `/api/objects/download/${encodeURIComponent(bucket)}/${b64url(key)}${inline ? '?inline=1' : ''}`,
  zip: (bucket, prefix) => `/api/objects/download-zip/${encodeURIComponent(bucket)}${prefix ? '/' + b64url(prefix) : ''}`,
  tags: (bucket, key) => `/api/objects/tags/${encodeURIComponent(bucket)}/${b64url(key)}`,
  versions: (bucket, key) => `/api/versions/${encodeURIComponent(bucket)}/${b64url(key)}`,
  multipart: (bucket, key) => `/api/objects/multipart/${encodeURIComponent(bucket)}/${b64url(key)}`,
};

// Sends a body with XMLHttpRequest, for the request's own upload progress; returns {promise, abort}.
export function sendWithProgress(method, url, body, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(method, url);
    xhr.withCredentials = true;
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      let answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch { answer = null; }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(answer);
      } else {
        const retry = xhr.getResponseHeader('Retry-After');
        const error = new ApiError(xhr.status, answer && answer.error, (answer && answer.message) || `${xhr.status} ${xhr.statusText}`,
          retry ? Number(retry) : undefined);
        if (xhr.status === 401) onUnauthorized(error);
        reject(error);
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'NetworkError', 'The upload was interrupted (network error)'));
    xhr.onabort = () => reject(new ApiError(0, 'Aborted', 'Cancelled'));
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}

// One request, a multipart form with the file in its `file` field.
export function uploadFile(bucket, key, file, onProgress) {
  const form = new FormData();
  form.append('file', file, file.name);
  return sendWithProgress('POST', urls.upload(bucket, key), form, onProgress);
}
