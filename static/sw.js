// The service worker: the portal stays readable on a bad link. It keeps the shell (pages, styles,
// scripts, icons) and the last answers of a few read-only lists the signed-in user saw (orders,
// credit, documents, the home page's figures), and answers from them only when the network
// fails, marking such an answer with `x-offline-copy` (when it was saved). It never keeps
// sign-in and session calls (/api/auth/*), 1C's exchange, the monitor or any file download.
// The page clears all of it on sign-out and on a 401 (and sign-out's Clear-Site-Data does too).
const SHELL = 'portal-shell-v1';
const DATA = 'portal-data';
const SHELL_FILES = ['/', '/sign-in', '/forgot-password', '/set-password', '/css/app.css', '/favicon.svg', '/manifest.webmanifest',
  '/icons/icon-192.png', '/icons/icon-512.png',
  // Every page script (tests/browser/offline.test.mjs checks the list against static/js): one
  // missing module and the offline shell cannot start.
  ...['actions', 'api', 'app', 'company', 'confirm', 'documents', 'dom', 'finance', 'forms', 'history', 'home', 'i18n', 'notifications',
    'offline', 'orders', 'privacy', 'returns', 'sign-in', 'forgot-password', 'set-password'].map((f) => `/js/${f}.js`)];

// Read-only data the offline pages show (paths, any query). Downloads (CSV, ZIP, PDF, photos)
// never match: they end in an extension or sit under /files/.
const DATA_PATHS = [/^\/api\/orders\/orders$/, /^\/api\/finance\/[a-z-]+$/, /^\/api\/documents\/documents$/,
  /^\/api\/company\/company$/, /^\/api\/company\/employee-names$/, /^\/api\/returns\/returns$/];
const NEVER = [/^\/api\/auth\//, /^\/exchange\//, /^\/monitor/, /\/files?\//, /\.(csv|zip|pdf)$/];

// On a bad link one file may fail: each is tried three times before the install gives up (a
// failed install is retried by the browser at the next visit; addAll would give up at once).
async function keep(cache, path) {
  for (let attempt = 1; ; attempt++) {
    try {
      const resp = await fetch(path, { cache: 'no-cache' });
      if (!resp.ok) throw new Error(`${path}: ${resp.status}`);
      await cache.put(path, resp);
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(SHELL).then((c) => Promise.all(SHELL_FILES.map((f) => keep(c, f)))).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('portal-shell-') && k !== SHELL).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

const offlineProblem = () => new Response(JSON.stringify({ type: 'about:blank', title: 'offline', status: 503, offline: true,
  title_ru: 'Нет связи, и эта страница ещё не сохранялась на этом устройстве.', title_en: 'No connection, and this page has not been saved on this device yet.' }),
{ status: 503, headers: { 'content-type': 'application/problem+json', 'x-offline-copy': 'none' } });

async function dataFirst(req) {
  try {
    const resp = await fetch(req);
    if (resp.status === 200) {
      const copy = resp.clone();
      const headers = new Headers(copy.headers);
      headers.set('x-offline-copy', new Date().toISOString());
      const body = await copy.blob();
      const cache = await caches.open(DATA);
      await cache.put(req, new Response(body, { status: 200, headers }));
    }
    return resp;
  } catch {
    const saved = await caches.match(req, { cacheName: DATA });
    return saved ?? offlineProblem();
  }
}

async function shellFirst(req) {
  try {
    const resp = await fetch(req);
    if (resp.ok && resp.type === 'basic') {
      const cache = await caches.open(SHELL);
      await cache.put(req, resp.clone());
    }
    return resp;
  } catch {
    const url = new URL(req.url);
    // A reload of any shell address (the router lives in the fragment) gets the shell.
    const saved = await caches.match(req, { ignoreSearch: true, cacheName: SHELL })
      ?? (req.mode === 'navigate' ? await caches.match(['/sign-in', '/forgot-password', '/set-password'].includes(url.pathname) ? url.pathname : '/', { cacheName: SHELL }) : null);
    return saved ?? Response.error();
  }
}

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || NEVER.some((r) => r.test(url.pathname))) return;
  if (DATA_PATHS.some((r) => r.test(url.pathname))) { ev.respondWith(dataFirst(req)); return; }
  if (url.pathname.startsWith('/api/')) return;
  ev.respondWith(shellFirst(req));
});
