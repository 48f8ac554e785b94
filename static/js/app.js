// The portal shell: who is signed in, navigation, and the sections built so far.
import { api, ApiError, goToSignIn, leave } from './api.js';
import { t, lang, setLang, translatePage, money, dateTime, problemText } from './i18n.js';
import { el, table, field } from './dom.js';
import { companySections, accountForms } from './company.js';
import { financeSections } from './finance.js';
import { ordersSection } from './orders.js';
import { documentsSections } from './documents.js';
import { returnsSection } from './returns.js';
import { notificationSection } from './notifications.js';

const main = document.getElementById('main');
let me = null;

const roleNames = (roles) => roles.map((r) => t(`role.${r}`)).join(', ');

async function renderHome() {
  const data = await api('GET', '/api/company/company');
  return [
    el('h1', {}, `${t('home.welcome')}, ${me.user.full_name}`),
    el('p', { class: 'muted' }, `${data.company.name} · ${roleNames(me.user.roles)}`),
    el('h2', {}, t('home.legal')),
    table(['col.name', 'col.inn', 'col.kpp'], data.legal_entities.map((l) => [l.name, l.inn ?? '', l.kpp ?? ''])),
    el('h2', {}, t('home.agreements')),
    table(['col.agreement', 'col.name', 'col.limit', 'col.deferral', 'col.pricetype'], data.agreements.map((a) => {
      const le = data.legal_entities.find((l) => l.id === a.legal_entity_id);
      return [a.name, le?.name ?? '', a.credit_limit_kop > 0 ? money(a.credit_limit_kop) : t('nocredit'), String(a.deferral_days), a.price_type ?? ''];
    })),
  ];
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
    el('button', { type: 'submit' }, t('profile.save')));
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
    }
  });
  // While 1C has not answered, look again shortly (only while this page is open).
  if (['waiting', 'received'].includes(u.sync?.state)) {
    setTimeout(() => { if (location.hash.startsWith('#/profile') && !profileForm.contains(document.activeElement)) route(); }, 3000);
  }
  return [el('h1', {}, t('profile.title')), syncNotice(u.sync) ?? '', profileForm, ...accountForms(me, route), ...(await notificationSection())];
}

function renderSoon(section) {
  return [el('h1', {}, t(`nav.${section}`)), el('p', { class: 'notice' }, t('section.soon'))];
}

const SECTIONS = { home: renderHome, company: renderCompany, profile: renderProfile, finance: () => financeSections(me, route),
  orders: () => ordersSection(me, route), documents: () => documentsSections(me, route), returns: () => returnsSection(me, route) };

async function route() {
  const section = (location.hash.replace(/^#\/?/, '').split(/[/?]/)[0]) || 'home';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.section === section);
  document.getElementById('nav').classList.remove('open');
  main.replaceChildren(el('p', { class: 'muted' }, t('loading')));
  try {
    const render = SECTIONS[section] ?? (() => renderSoon(section));
    main.replaceChildren(...(await render()));
    document.getElementById('user-name').textContent = me.user.full_name;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return goToSignIn();
    main.replaceChildren(el('p', { class: 'error' }, problemText(e.problem)));
  }
}

async function start() {
  translatePage();
  try {
    me = await api('GET', '/api/auth/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return goToSignIn();
    main.replaceChildren(el('p', { class: 'error' }, problemText(e.problem)));
    return;
  }
  document.getElementById('company-name').textContent = me.company.name;
  document.getElementById('user-name').textContent = me.user.full_name;
  document.getElementById('sign-out').addEventListener('click', async () => {
    await api('POST', '/api/auth/sign-out', undefined, { retry: false }).catch(() => {});
    leave('/sign-in');
  });
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
  window.addEventListener('hashchange', route);
  route();
}

start();
