// The company section: legal entity details (admins propose, 1C decides), consignees, employees
// and the audit log; and the account forms of the profile (password, e-mail, language).
import { api } from './api.js';
import { t, lang, setLang, translatePage, dateTime } from './i18n.js';
import { el, table, field, form, needsExtension } from './dom.js';
import { sentence } from './history.js';

const roleNames = (roles) => roles.map((r) => t(`role.${r}`)).join(', ');
const ROLES = ['admin', 'buyer', 'accountant'];

function changeBanner(change, testid) {
  if (!change) return '';
  const text = change.state === 'rejected' ? `${t('sync.rejected')}: ${change.reason ?? ''}` : t(`sync.${change.state}`);
  return el('p', { class: `sync sync-${change.state}`, 'data-testid': testid }, text);
}

const LE_FIELDS = [
  ['name', 'le.name'], ['full_name', 'le.fullname'], ['inn', 'col.inn'], ['kpp', 'col.kpp'], ['ogrn', 'le.ogrn'],
  ['legal_address', 'le.legaladdress'], ['postal_address', 'le.postaladdress'], ['phone', 'profile.phone'], ['email', 'col.email'],
];
const BANK_FIELDS = [['bik', 'le.bik'], ['bank_name', 'le.bank'], ['corr_account', 'le.corr'], ['account', 'le.account']];

function legalEntity(le, isAdmin, refresh) {
  const bank = le.bank_accounts?.[0] ?? {};
  const rows = LE_FIELDS.map(([k, label]) => [t(label), le[k] ?? '', le.change?.values?.[k] ?? '']);
  for (const [k, label] of BANK_FIELDS) rows.push([t(label), bank[k] ?? '', le.change?.values?.bank_accounts?.[0]?.[k] ?? '']);
  const parts = [el('h3', {}, le.name), changeBanner(le.change, `le-change-${le.id}`),
    table(['le.field', 'le.accepted', 'le.proposed'], rows, { 'data-testid': `le-${le.id}` })];
  if (isAdmin && !['waiting', 'received'].includes(le.change?.state)) {
    const src = le.change?.state === 'rejected' ? { ...le, ...le.change.values } : le;
    const srcBank = src.bank_accounts?.[0] ?? {};
    const f = form(`le-form-${le.id}`, [
      ...LE_FIELDS.map(([k, label]) => field(k, label, src[k], k === 'name' ? { required: true } : {})),
      ...BANK_FIELDS.map(([k, label]) => field(`bank_${k}`, label, srcBank[k])),
    ], 'le.send', (d) => {
      const body = { version: le.version };
      for (const [k] of LE_FIELDS) body[k] = d.get(k) || null;
      body.name = d.get('name');
      body.inn = d.get('inn') ?? '';
      const b = Object.fromEntries(BANK_FIELDS.map(([k]) => [k, d.get(`bank_${k}`) || '']));
      body.bank_accounts = b.bik || b.account ? [b] : [];
      return api('PATCH', `/api/company/legal-entities/${le.id}`, body);
    }, refresh);
    parts.push(el('details', { class: 'needs-extension' }, el('summary', {}, t('le.edit')), f));
  }
  return parts;
}

function consignees(list, canEdit, refresh) {
  const rows = list.items.map((c) => {
    const actions = canEdit ? el('button', { type: 'button', class: 'link needs-extension', 'data-testid': `archive-${c.id}`, onclick: async () => {
      await api('DELETE', `/api/company/consignees/${c.id}?version=${c.version}`);
      refresh();
    } }, t('cons.archive')) : '';
    return [c.name, c.address, [c.inn, c.kpp].filter(Boolean).join(' / '), [c.contact_person, c.phone].filter(Boolean).join(', '),
      c.change ? changeBanner(c.change, `cons-change-${c.id}`) : t('sync.accepted'), actions];
  });
  const parts = [table(['col.name', 'cons.address', 'cons.innkpp', 'cons.contact', 'col.status', ''], rows, { 'data-testid': 'consignees' })];
  if (canEdit) {
    parts.push(el('details', { class: 'needs-extension' }, el('summary', {}, t('cons.add')), form('consignee-form', [
      field('name', 'col.name', '', { required: true }), field('address', 'cons.address', '', { required: true }),
      field('inn', 'col.inn', ''), field('kpp', 'col.kpp', ''), field('contact_person', 'cons.person', ''), field('phone', 'profile.phone', '', { type: 'tel' }),
    ], 'cons.save', (d, key) => api('POST', '/api/company/consignees', Object.fromEntries([...d.entries()].map(([k, v]) => [k, v || null])), { key }), refresh)));
  }
  return parts;
}

function roleBoxes(selected) {
  return el('fieldset', { class: 'roles' }, el('legend', {}, t('col.roles')),
    ROLES.map((r) => el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'roles', value: r, checked: selected.includes(r) }), t(`role.${r}`))));
}

function employees(list, me, refresh) {
  const rows = list.items.map((e) => {
    const actions = [];
    if (e.active) {
      const edit = el('details', { class: 'needs-extension' }, el('summary', {}, t('emp.edit')), form(`emp-form-${e.id}`, [
        field('full_name', 'profile.name', e.full_name, { required: true }), field('position', 'profile.position', e.position),
        field('phone', 'profile.phone', e.phone, { type: 'tel' }), roleBoxes(e.roles),
      ], 'profile.save', (d) => api('PATCH', `/api/company/employees/${e.id}`, {
        version: e.version, full_name: d.get('full_name'), position: d.get('position') || null, phone: d.get('phone') || null, roles: d.getAll('roles'),
      }), refresh));
      const remove = el('button', { type: 'button', class: 'link danger needs-extension', 'data-testid': `remove-${e.id}`, onclick: async () => {
        if (!confirm(t('emp.confirmremove').replace('{name}', e.full_name))) return;
        try {
          await api('DELETE', `/api/company/employees/${e.id}?version=${e.version}`);
          refresh();
        } catch (err) {
          alert(err.problem ? (lang() === 'en' ? err.problem.title_en : err.problem.title_ru) : String(err));
        }
      } }, t('emp.remove'));
      actions.push(edit, remove);
    } else if (e.status === 'deactivated') {
      // 152-ФЗ: a removed employee's personal data erased at their request (docs/personal-data.md).
      actions.push(el('button', { type: 'button', class: 'link danger', 'data-testid': `erase-${e.id}`, onclick: async () => {
        if (!confirm(t('emp.confirmerase').replace('{name}', e.full_name))) return;
        try {
          await api('POST', `/api/company/employees/${e.id}/erasure?version=${e.version}`);
          refresh();
        } catch (err) {
          alert(err.problem ? (lang() === 'en' ? err.problem.title_en : err.problem.title_ru) : String(err));
        }
      } }, t('emp.erase')));
    }
    return [e.full_name, e.position ?? '', e.email, roleNames(e.roles), t(`status.${e.status}`), dateTime(e.last_sign_in_at), el('div', {}, actions)];
  });
  return [
    table(['col.name', 'col.position', 'col.email', 'col.roles', 'col.status', 'col.lastsignin', ''], rows, { 'data-testid': 'employees' }),
    el('details', { class: 'needs-extension' }, el('summary', {}, t('emp.add')), form('employee-form', [
      field('email', 'col.email', '', { type: 'email', required: true }), field('full_name', 'profile.name', '', { required: true }),
      field('position', 'profile.position', ''), field('phone', 'profile.phone', '', { type: 'tel' }), roleBoxes(['buyer']),
    ], 'emp.invite', (d, key) => api('POST', '/api/company/employees', {
      email: d.get('email'), full_name: d.get('full_name'), position: d.get('position') || null, phone: d.get('phone') || null,
      roles: d.getAll('roles'), language: lang(),
    }, { key }), refresh)),
  ];
}

async function audit(params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  const data = await api('GET', `/api/company/audit?${q}`);
  // One sentence per change, in the user's language, with 1C's answer after it.
  const answer = (i) => (i.onec_answer ? ` ${t('audit.answer')}: ${i.onec_answer.status === 'rejected' ? `${t('sync.rejected')}: ${i.onec_answer.reason ?? ''}` : t(`audit.${i.onec_answer.status}`)}.` : '');
  return el('ol', { class: 'history', 'data-testid': 'audit' }, data.items.map((i) => el('li', {},
    sentence({ at: i.at, who: i.user?.full_name ?? t('audit.onec'), kind: i.kind, before: i.before, after: i.after, entity: i.entity_type }), answer(i))));
}

export async function companySections(me, refresh) {
  const isAdmin = me.user.roles.includes('admin');
  const canEditConsignees = isAdmin || me.user.roles.includes('buyer');
  const [data, cons] = await Promise.all([api('GET', '/api/company/company'), api('GET', '/api/company/consignees')]);
  const parts = [el('h1', {}, me.company.name), el('h2', {}, t('home.legal'))];
  for (const le of data.legal_entities) parts.push(...legalEntity(le, isAdmin, refresh));
  parts.push(el('h2', {}, t('cons.title')), ...consignees(cons, canEditConsignees, refresh));
  parts.push(el('h2', {}, t('company.employees')));
  if (!isAdmin) {
    parts.push(el('p', { class: 'muted' }, t('company.noaccess')));
    return parts;
  }
  const staff = await api('GET', '/api/company/employees');
  parts.push(...employees(staff, me, refresh));
  parts.push(el('h2', {}, t('audit.title')));
  const holder = el('div', {}, await audit({}));
  const who = el('select', { name: 'user' }, el('option', { value: '' }, t('audit.anyone')), staff.items.map((e) => el('option', { value: e.id }, e.full_name)));
  const filters = form('audit-filters', [
    el('label', {}, el('span', {}, t('audit.who')), who),
    field('kind', 'audit.kind', ''), field('from', 'audit.from', '', { type: 'date' }), field('to', 'audit.to', '', { type: 'date' }),
  ], 'audit.filter', (d) => audit({ user: d.get('user'), kind: d.get('kind'), from: d.get('from'), to: d.get('to') }), (tbl) => holder.replaceChildren(tbl));
  parts.push(filters, holder);
  return parts;
}

/** The profile's account forms: password, sign-in e-mail, language. */
export function accountForms(me, refresh) {
  const done = (key) => (box) => () => { box.textContent = t(key); box.hidden = false; };
  const pwOk = el('p', { class: 'success', hidden: true, role: 'status', 'data-testid': 'password-done' });
  const emailOk = el('p', { class: 'success', hidden: true, role: 'status', 'data-testid': 'email-done' });
  const language = el('select', { name: 'language', 'data-testid': 'language', 'aria-label': t('account.language') },
    ['ru', 'en'].map((l) => el('option', { value: l, selected: me.user.language === l }, l === 'ru' ? 'Русский' : 'English')));
  language.addEventListener('change', async () => {
    await api('PATCH', '/api/auth/preferences', { language: language.value });
    setLang(language.value);
    translatePage();
    refresh();
  });
  return [
    el('h2', {}, t('account.language')), el('label', {}, language),
    el('h2', {}, t('account.password')),
    form('password-form', [
      field('current_password', 'account.current', '', { type: 'password', autocomplete: 'current-password', required: true }),
      field('new_password', 'setpw.password', '', { type: 'password', autocomplete: 'new-password', required: true, minLength: 10 }),
    ], 'account.changepw', (d) => api('POST', '/api/auth/password-change', { current_password: d.get('current_password'), new_password: d.get('new_password') }), done('account.pwdone')(pwOk)),
    pwOk,
    el('h2', { class: 'needs-extension' }, t('account.email')),
    needsExtension(form('email-form', [
      field('new_email', 'account.newemail', '', { type: 'email', required: true }),
      field('password', 'signin.password', '', { type: 'password', autocomplete: 'current-password', required: true }),
    ], 'account.sendlink', (d) => api('POST', '/api/auth/email-changes', { new_email: d.get('new_email'), password: d.get('password') }), done('account.emailsent')(emailOk))),
    emailOk,
  ];
}
