// The JSON API client: same-origin cookies, one refresh on an expired session, problems as errors,
// offline noticed (a failed fetch, or a saved copy the service worker answered with).
import { lang } from './i18n.js';
import { clearSaved, setOffline } from './offline.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** A network failure: the page is offline (a saved copy, if any, came through the service worker). */
const OFFLINE_PROBLEM = { offline: true, title_ru: 'Нет связи с интернетом. Действие станет доступно, когда связь вернётся.',
  title_en: 'No internet connection. This becomes available when the connection is back.' };

async function send(method, path, body, key) {
  const headers = { 'Accept-Language': lang() === 'en' ? 'en' : 'ru' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // The user action's key (actions.js): the same action retried is done once.
  if (key) headers['Idempotency-Key'] = key;
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    setOffline(true);
    throw new ApiError(0, OFFLINE_PROBLEM);
  }
  // The service worker marks what it answered from its saved copies.
  const saved = resp.headers.get('x-offline-copy');
  setOffline(!!saved, saved);
  return resp;
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

/** Signed out by the server (a 401 the refresh could not mend): nothing of this user stays kept. */
export function goToSignIn() {
  const url = `/sign-in?next=${encodeURIComponent(location.pathname + location.hash)}`;
  clearSaved().finally(() => leave(url));
}
