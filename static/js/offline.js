// The page's side of working offline: registers the service worker (static/sw.js), remembers who
// was signed in (only the current user's data is ever kept: another user's sign-in wipes it),
// shows the offline banner with when the data shown was saved, disables actions with the reason,
// and clears everything kept on sign-out and on a 401.
import { t, dateTime } from './i18n.js';

const DATA = 'portal-data';
const ME = '/offline/me';
let offline = false;
let savedAt = null;
const listeners = [];

export function registerWorker() {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
}

/** Everything the service worker kept of the user (the data caches), e.g. on sign-out or a 401.
 * The shell (pages, scripts, styles: nothing of anyone's) stays: the worker fills it once, at
 * install, and without it the next offline start has no page to show. */
export async function clearSaved() {
  if (!('caches' in window)) return;
  await Promise.all((await caches.keys()).filter((k) => !k.startsWith('portal-shell-')).map((k) => caches.delete(k))).catch(() => {});
}

/** Keeps who is signed in (name, roles, company; nothing secret) for an offline start; a
 * different user than the last one first wipes the last one's data. */
export async function rememberMe(me) {
  if (!('caches' in window)) return;
  try {
    const cache = await caches.open(DATA);
    const last = await (await cache.match(ME))?.json().catch(() => null);
    if (last && last.user?.id !== me.user.id) {
      await caches.delete(DATA);
      return rememberMe(me);
    }
    const slim = { user: { id: me.user.id, full_name: me.user.full_name, roles: me.user.roles, language: me.user.language }, company: { name: me.company.name } };
    await cache.put(ME, new Response(JSON.stringify(slim), { headers: { 'content-type': 'application/json' } }));
  } catch { /* storage refused: nothing kept */ }
}

export async function savedMe() {
  if (!('caches' in window)) return null;
  const r = await caches.match(ME, { cacheName: DATA }).catch(() => null);
  return r ? r.json() : null;
}

export const isOffline = () => offline;

/** Called by the API client after each answer: a network failure or a saved copy means offline. */
export function setOffline(now, at = null) {
  const changed = now !== offline;
  offline = now;
  if (at && (!savedAt || at < savedAt)) savedAt = at;
  if (!now) savedAt = null;
  showBanner();
  if (changed) for (const f of listeners) f(now);
}

export function onChange(f) { listeners.push(f); }

function showBanner() {
  const b = document.getElementById('offline-banner');
  if (!b) return;
  b.hidden = !offline;
  b.textContent = offline ? t('offline.banner') + (savedAt && savedAt !== 'none' ? ` ${t('offline.savedat')}: ${dateTime(savedAt)}.` : '') : '';
}

/** Offline, every action in `root` is disabled and says why (reading stays possible). */
export function disableActions(root) {
  if (!offline) return;
  let said = false;
  for (const b of root.querySelectorAll('button, input[type=submit], input[type=file]')) {
    b.disabled = true;
    b.title = t('offline.action');
    if (!said && b.closest('form')) {
      b.closest('form').prepend(Object.assign(document.createElement('p'), { className: 'notice offline-reason', textContent: t('offline.action') }));
      said = true;
    }
  }
  for (const f of root.querySelectorAll('form')) {
    if (!f.querySelector('.offline-reason')) f.prepend(Object.assign(document.createElement('p'), { className: 'notice offline-reason', textContent: t('offline.action') }));
  }
}

window.addEventListener('online', () => setOffline(false));
window.addEventListener('offline', () => setOffline(true));
