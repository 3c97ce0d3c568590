// The API as the console uses it: same-origin fetches with the session
// cookies, the CSRF token kept in memory for writes, one refresh of the
// session on a 401, and a refresh a minute before the session expires.

let csrf = '';
let refreshTimer = 0;
let onLoggedOut = () => {};

export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setLoggedOutHandler(fn) { onLoggedOut = fn; }

async function parse(res) {
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const e = body && body.error ? body.error : { code: 'http_' + res.status, message: res.statusText };
    throw new APIError(res.status, e.code, e.message);
  }
  return body;
}

function keepSession(s) {
  csrf = s.csrf;
  clearTimeout(refreshTimer);
  const wait = Math.max(5, (s.expires_in || 900) - 60) * 1000;
  refreshTimer = setTimeout(() => { refresh().catch(() => onLoggedOut()); }, wait);
  return s;
}

async function sessionCall(path) {
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'X-Homeshore-Console': '1' } });
  return keepSession(await parse(res));
}

export async function login(username, password) {
  const res = await fetch('/v1/console/login', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Homeshore-Console': '1' },
    body: JSON.stringify({ username, password }),
  });
  return keepSession(await parse(res));
}

export function refresh() { return sessionCall('/v1/console/refresh'); }

// resume finds an existing session after a reload (cookie still valid, or
// renewable with the refresh cookie); null when the user must log in.
export async function resume() {
  try {
    const res = await fetch('/v1/console/session', { credentials: 'same-origin' });
    return keepSession(await parse(res));
  } catch (e) {
    if (!(e instanceof APIError) || e.status !== 401) throw e;
  }
  try {
    return await refresh();
  } catch (e) {
    if (e instanceof APIError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}

export async function logout() {
  clearTimeout(refreshTimer);
  csrf = '';
  await fetch('/v1/console/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Homeshore-Console': '1' } });
}

// call sends one API request; writes carry the CSRF token (and an
// Idempotency-Key when key is given). A 401 renews the session once.
export async function call(method, path, body, key) {
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key) headers['Idempotency-Key'] = key;
    const res = await fetch(path, { method, credentials: 'same-origin', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && attempt === 0) {
      try { await refresh(); } catch { onLoggedOut(); throw new APIError(401, 'unauthorized', 'session ended'); }
      continue;
    }
    return parse(res);
  }
}

export const get = (path) => call('GET', path);
export const post = (path, body, key) => call('POST', path, body, key);
export const put = (path) => call('PUT', path);
export const del = (path) => call('DELETE', path);

export function uuid() {
  return crypto.randomUUID();
}
