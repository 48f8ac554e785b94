// The JSON API client: same-origin cookies, one refresh on an expired session, problems as errors.
import { lang } from './i18n.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function send(method, path, body, key) {
  const headers = { 'Accept-Language': lang() === 'en' ? 'en' : 'ru' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // The user action's key (actions.js): the same action retried is done once.
  if (key) headers['Idempotency-Key'] = key;
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
}

let refreshing = null;

/** `key`: the Idempotency-Key of the user action this request is (actions.js). */
export async function api(method, path, body, { retry = true, key } = {}) {
  let resp = await send(method, path, body, key);
  if (resp.status === 401 && retry && !path.startsWith('/api/auth/sign-in')) {
    refreshing ??= send('POST', '/api/auth/refresh').finally(() => { refreshing = null; });
    const r = await refreshing;
    if (r.ok) resp = await send(method, path, body, key);
  }
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

// Once the page is leaving (signing out, or a 401 sending it to sign in), a second navigation
// from another request still in flight would abort the first: the first one wins.
let leaving = false;

export function leave(url) {
  if (leaving) return;
  leaving = true;
  location.assign(url);
}

export function goToSignIn() {
  leave(`/sign-in?next=${encodeURIComponent(location.pathname + location.hash)}`);
}
