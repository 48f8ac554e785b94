// The portal shell: who is signed in, navigation, and the sections built so far.
import { api, ApiError, goToSignIn, leave } from './api.js';
import { t, lang, setLang, translatePage, money, dateTime, problemText } from './i18n.js';
import { el, table, field, fieldErrors } from './dom.js';
import { companySections, accountForms } from './company.js';
import { financeSections } from './finance.js';
import { ordersSection } from './orders.js';
import { documentsSections } from './documents.js';
import { returnsSection } from './returns.js';
import { renderHome as homePage } from './home.js';
import { registerWorker, clearSaved, rememberMe, savedMe, disableActions, onChange } from './offline.js';
import { notificationSection } from './notifications.js';
import { askConsent, personalDataSection } from './privacy.js';

const main = document.getElementById('main');
let me = null;

const roleNames = (roles) => roles.map((r) => t(`role.${r}`)).join(', ');

function renderHome() {
  return homePage(me, roleNames);
}

function renderCompany() {
  return companySections(me, route);
}

function syncNotice(sync) {
  if (!sync) return null;
  const text = sync.state === 'rejected' ? `${t('sync.rejected')}: ${sync.reason ?? ''}` : t(`sync.${sync.state}`);
  // Accepted, and 1C's data late: said beside the state (which stays accepted).
  const late = sync.overdue && sync.overdue_message ? el('span', { class: 'sync-overdue' }, lang() === 'en' ? sync.overdue_message.en : sync.overdue_message.ru) : '';
  return el('p', { class: `sync sync-${sync.state}`, 'data-testid': 'sync-state', 'data-state': sync.state }, text, late);
}

async function renderProfile() {
  me = await api('GET', '/api/auth/me');
  const u = me.user;
  const status = el('p', { class: 'error', hidden: true, role: 'alert' });
  const profileForm = el('form', { class: 'narrow', id: 'profile-form' },
    field('email', 'profile.email', u.email, { disabled: true }),
    field('full_name', 'profile.name', u.full_name, { required: true, maxLength: 300 }),
    field('position', 'profile.position', u.position, { maxLength: 200 }),
    field('phone', 'profile.phone', u.phone, { type: 'tel' }),
    status,
    el('button', { type: 'submit', class: 'needs-extension' }, t('profile.save')));
  // Stock-only: the profile goes to 1C only through the extension; it is shown, not edited.
  if (me.stock_only) for (const i of profileForm.querySelectorAll('input')) i.disabled = true;
  profileForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.hidden = true;
    const data = new FormData(profileForm);
    try {
      await api('PATCH', '/api/auth/profile', { full_name: data.get('full_name'), position: data.get('position'), phone: data.get('phone'), version: u.version });
      route();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return goToSignIn();
      const fields = e.problem?.field_errors?.map((f) => (lang() === 'en' ? f.message_en : f.message_ru)) ?? [];
      status.textContent = [problemText(e.problem), ...fields].join(' ');
      status.hidden = false;
      fieldErrors(profileForm, e.problem);
    }
  });
  // While 1C has not answered, look again shortly (only while this page is open).
  if (['waiting', 'received'].includes(u.sync?.state)) {
    setTimeout(() => { if (location.hash.startsWith('#/profile') && !profileForm.contains(document.activeElement)) route(); }, 3000);
  }
  return [el('h1', {}, t('profile.title')), syncNotice(u.sync) ?? '', profileForm, ...accountForms(me, route), ...(await notificationSection()), personalDataSection()];
}

function renderSoon(section) {
  return [el('h1', {}, t(`nav.${section}`)), el('p', { class: 'notice' }, t('section.soon'))];
}

const SECTIONS = { home: renderHome, company: renderCompany, profile: renderProfile, finance: () => financeSections(me, route),
  orders: () => ordersSection(me, route), documents: () => documentsSections(me, route), returns: () => returnsSection(me, route) };

// The page last drawn: a new page starts at the top with focus on its heading (a screen reader
// hears where it is); the same page drawn again after a change keeps its place.
let shownPage = null;

async function route() {
  const section = (location.hash.replace(/^#\/?/, '').split(/[/?]/)[0]) || 'home';
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.section === section);
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.getElementById('user-name').toggleAttribute('aria-current', section === 'profile');
  document.getElementById('nav').classList.remove('open');
  const page = location.hash.split('?')[0];
  const newPage = page !== shownPage;
  if (newPage) main.replaceChildren(el('p', { class: 'muted' }, t('loading')));
  try {
    const render = SECTIONS[section] ?? (() => renderSoon(section));
    main.replaceChildren(...(await render()));
    document.getElementById('user-name').textContent = me.user.full_name;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return goToSignIn();
    main.replaceChildren(el('h1', {}, t(`nav.${section}`) || t('app.title')), el('p', { class: 'error' }, problemText(e.problem)));
  }
  disableActions(main);
  if (newPage) {
    // The first page of a load keeps the browser's own start (the skip link is the first Tab).
    if (shownPage !== null) focusHeading();
    shownPage = page;
    window.scrollTo(0, 0);
  }
}

function focusHeading() {
  // The page's heading, or the main area itself while the page is still loading.
  const h = main.querySelector('h1') ?? main;
  h.tabIndex = -1;
  h.focus({ preventScroll: true });
}

async function start() {
  translatePage();
  registerWorker();
  try {
    me = await api('GET', '/api/auth/me');
    rememberMe(me);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return goToSignIn();
    // Offline: the last signed-in user's saved pages, if this device kept any.
    me = e.problem?.offline ? await savedMe() : null;
    if (!me) {
      main.replaceChildren(el('p', { class: 'error' }, e.problem?.offline ? t('offline.nodata') : problemText(e.problem)));
      return;
    }
  }
  document.getElementById('company-name').textContent = me.company.name;
  document.getElementById('user-name').textContent = me.user.full_name;
  // A stock-only deployment (1C without the extension): what only the extension takes to 1C is
  // hidden (`.needs-extension`, docs/exchange/stock-only.md).
  document.body.classList.toggle('stock-only', Boolean(me.stock_only));
  const signOut = async () => {
    // Nothing of this user stays on the device (the answer's Clear-Site-Data says so too).
    await clearSaved();
    await api('POST', '/api/auth/sign-out', undefined, { retry: false }).catch(() => {});
    await clearSaved();
    leave('/sign-in');
  };
  document.getElementById('sign-out').addEventListener('click', signOut);
  // Back online: the page is drawn again from the network, its actions enabled; offline: disabled.
  onChange((off) => { if (off) disableActions(main); else route(); });
  document.getElementById('lang-switch').addEventListener('click', () => {
    setLang(lang() === 'en' ? 'ru' : 'en');
    translatePage();
    route();
  });
  const toggle = document.getElementById('menu-toggle');
  toggle.addEventListener('click', () => {
    const nav = document.getElementById('nav');
    nav.classList.toggle('open');
    toggle.setAttribute('aria-expanded', nav.classList.contains('open'));
  });
  // The skip link jumps to the page's heading without touching the router's hash.
  document.getElementById('skip-link').addEventListener('click', (ev) => { ev.preventDefault(); focusHeading(); });
  // 152-ФЗ: no page before the current privacy policy is accepted (once per version).
  await askConsent(me, signOut);
  window.addEventListener('hashchange', route);
  route();
}

start();
