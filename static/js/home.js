// The home page, per role: credit per agreement (available, used, overdue) or the blocked notice
// with the amount to pay and the ways to pay; the orders and returns waiting for the user (orders
// awaiting payment, with a "pay" link into the order's payment choice and its confirmation;
// changes waiting for 1C; changes 1C refused); the latest documents; the internal account's
// balance (money roles). Built from the sections' own APIs, each as the role may see it: a part
// the role may not read is left out.
import { api } from './api.js';
import { t, money, dateTime, docKind } from './i18n.js';
import { el, table } from './dom.js';

const MONEY = ['admin', 'accountant'];
const quiet = (p) => p.catch(() => null);

function creditPart(c, isMoney) {
  const parts = [el('h2', {}, t('home.credit'))];
  if (c.totals.blocked) {
    const pay = c.view === 'full'
      ? [el('p', { 'data-testid': 'home-topay' }, `${t('home.topay')}: `, el('strong', {}, money(c.totals.amount_to_pay_kop))), el('p', {}, t('home.ways'), ' ',
        el('a', { href: '#/finance' }, t('home.finance')))]
      : [el('p', {}, t('fin.blockedbrief'))];
    parts.push(el('div', { class: 'notice notice-danger', role: 'alert', 'data-testid': 'home-blocked' }, el('strong', {}, t('home.blocked')), ...pay));
  }
  parts.push(el('div', { class: 'cards' }, c.agreements.map((a) => {
    const rows = [el('p', { class: 'muted' }, a.legal_entity ?? t('fin.typical'))];
    if (!a.on_credit) rows.push(el('p', {}, t('nocredit')));
    else {
      rows.push(el('p', {}, `${t('home.available')}: `, el('span', { class: 'big', 'data-testid': `home-available-${a.agreement_id}` }, money(a.available_kop))));
      if (isMoney && c.view === 'full') {
        rows.push(el('p', {}, `${t('home.used')}: `, el('span', { 'data-testid': `home-used-${a.agreement_id}` }, money(a.debt_kop + a.reserve_kop)),
          ` · ${t('fin.limit')}: ${money(a.limit_kop)}`));
        rows.push(el('p', { class: a.overdue_kop > 0 ? 'overdue' : '' }, `${t('home.overdue')}: `, el('span', { 'data-testid': `home-overdue-${a.agreement_id}` }, money(a.overdue_kop))));
      }
    }
    return el('section', { class: 'tile', 'data-testid': 'home-credit' }, el('h3', {}, a.agreement), ...rows);
  })));
  return parts;
}

// Orders still open whose newest change 1C refused: the user has to act on them.
const OPEN_STATUSES = 'draft,awaiting_payment,reserved,paid,partly_shipped';

function todoPart(orders, rejected, returns) {
  const items = [];
  // The latest orders, and every open order with a refused change (the list's own flag and
  // filter), each once.
  const seen = new Set();
  for (const o of [...(rejected?.items ?? []), ...(orders?.items ?? [])]) {
    if (seen.has(o.id)) continue;
    seen.add(o.id);
    const due = o.total_kop - o.paid_kop;
    const awaiting = o.status === 'awaiting_payment' && due > 0;
    const refused = o.change_rejected && !['shipped', 'cancelled'].includes(o.status);
    const why = [awaiting ? t('home.todo.awaiting') : '', o.changes_waiting ? t('home.todo.waiting') : '',
      refused ? `${t('home.todo.rejected')} (${t('home.todo.why')})` : ''].filter(Boolean);
    if (!why.length) continue;
    // Paying goes through the order's payment choice and its confirmation (confirm.js), never
    // straight from here.
    const pay = awaiting ? [' ', el('a', { href: `#/orders/${o.id}?pay=1`, class: 'button', 'data-testid': 'home-pay', 'aria-label': `${t('home.todo.pay')}: ${t('ord.order')} ${o.number}` },
      t('home.todo.pay'))] : '';
    items.push(el('li', { 'data-testid': refused ? 'home-todo-rejected' : 'home-todo-item', 'data-order': o.id },
      el('a', { href: `#/orders/${o.id}` }, `${t('ord.order')} ${o.number}`), ` — ${why.join(', ')} · ${money(due)}`, pay));
  }
  for (const r of returns?.items ?? []) {
    if (['approved', 'rejected'].includes(r.status)) {
      items.push(el('li', {}, el('a', { href: `#/returns/${r.id}` }, `${t('ret.return')} ${r.number ?? ''}`), ` — ${t('home.todo.return')}: ${t(`ret.status.${r.status}`)}`));
    }
  }
  return [el('h2', {}, t('home.todo')), items.length ? el('ul', { class: 'todo', 'data-testid': 'home-todo' }, items.slice(0, 10)) : el('p', { class: 'muted', 'data-testid': 'home-todo' }, t('home.todo.none')),
    el('p', {}, el('a', { href: '#/orders' }, t('home.allorders')))];
}

function docsPart(docs) {
  const items = (docs?.items ?? []).slice(0, 5);
  return [el('h2', {}, t('home.docs')), items.length
    ? table(['doc.number', 'doc.date', 'doc.kind', 'doc.amount'], items.map((d) => [el('a', { href: `#/documents/doc/${encodeURIComponent(d.id)}` }, d.number),
      dateTime(d.doc_date), docKind(d.kind, d.kind_name), money(d.amount_kop)]), { 'data-testid': 'home-docs' })
    : el('p', { class: 'muted' }, t('home.docs.none')),
  el('p', {}, el('a', { href: '#/documents' }, t('home.alldocs')))];
}

export async function renderHome(me, roleNames) {
  const isMoney = me.user.roles.some((r) => MONEY.includes(r));
  const [company, credit, orders, rejected, returns, docs, account] = await Promise.all([
    api('GET', '/api/company/company'), quiet(api('GET', '/api/finance/credit')), quiet(api('GET', '/api/orders/orders?sort=date_desc')),
    quiet(api('GET', `/api/orders/orders?change=rejected&status=${OPEN_STATUSES}`)),
    quiet(api('GET', '/api/returns/returns')), quiet(api('GET', '/api/documents/documents')), isMoney ? quiet(api('GET', '/api/finance/account')) : null]);
  const parts = [el('h1', {}, `${t('home.welcome')}, ${me.user.full_name}`), el('p', { class: 'muted' }, `${company.company.name} · ${roleNames(me.user.roles)}`)];
  if (credit) parts.push(...creditPart(credit, isMoney));
  if (account) {
    parts.push(el('h2', {}, t('home.account')), el('p', {}, `${t('fin.balance')}: `, el('strong', { 'data-testid': 'home-balance' }, money(account.balance_kop)),
      ` · ${t('fin.available')}: ${money(account.available_kop)} · `, el('a', { href: '#/finance' }, t('home.finance'))));
  }
  if (orders) parts.push(...todoPart(orders, rejected, returns));
  if (docs) parts.push(...docsPart(docs));
  parts.push(el('h2', {}, t('home.legal')),
    table(['col.name', 'col.inn', 'col.kpp'], company.legal_entities.map((l) => [l.name, l.inn ?? '', l.kpp ?? ''])),
    el('h2', {}, t('home.agreements')),
    table(['col.agreement', 'col.name', 'col.limit', 'col.deferral', 'col.pricetype'], company.agreements.map((a) => {
      const le = company.legal_entities.find((l) => l.id === a.legal_entity_id);
      return [a.name, le?.name ?? '', a.credit_limit_kop > 0 ? money(a.credit_limit_kop) : t('nocredit'), String(a.deferral_days), a.price_type ?? ''];
    })));
  return parts;
}
