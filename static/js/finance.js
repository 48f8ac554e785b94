// The finance section: credit position (a prominent notice when blocked), the payment schedule
// with its CSV, and the internal account with paying an order from it.
import { api } from './api.js';
import { t, money, dateTime, date } from './i18n.js';
import { el, table, needsExtension } from './dom.js';
import { moneyForm } from './confirm.js';

function creditPanel(c) {
  const parts = [el('h2', {}, t('fin.credit'))];
  if (c.totals.blocked) {
    parts.push(el('div', { class: 'notice notice-danger', role: 'alert', 'data-testid': 'credit-blocked' },
      el('strong', {}, t('fin.blocked')), ' ',
      c.view === 'full' ? `${t('fin.topay')}: ${money(c.totals.amount_to_pay_kop)}` : t('fin.blockedbrief')));
  }
  if (c.view === 'brief') {
    parts.push(table(['col.agreement', 'home.legal', 'fin.available'],
      c.agreements.map((a) => [a.agreement, a.legal_entity ?? t('fin.typical'), a.on_credit ? money(a.available_kop) : t('nocredit')]), { 'data-testid': 'credit' }));
    return parts;
  }
  parts.push(table(['col.agreement', 'home.legal', 'fin.limit', 'fin.debt', 'fin.reserve', 'fin.available', 'col.deferral', 'fin.asof'],
    c.agreements.map((a) => [a.agreement, a.legal_entity ?? t('fin.typical'), a.on_credit ? money(a.limit_kop) : t('nocredit'), money(a.debt_kop),
      money(a.reserve_kop), money(a.available_kop), String(a.deferral_days), a.as_of ? dateTime(a.as_of) : t('never')]), { 'data-testid': 'credit' }));
  parts.push(el('p', { class: 'muted' }, `${t('fin.total')}: ${t('fin.limit')} ${money(c.totals.limit_kop)} · ${t('fin.debt')} ${money(c.totals.debt_kop)} · ${t('fin.reserve')} ${money(c.totals.reserve_kop)} · ${t('fin.available')} ${money(c.totals.available_kop)}`));
  if (c.overdue?.length) {
    parts.push(el('h3', {}, t('fin.overdue')), scheduleTable(c.overdue, 'overdue'));
  }
  return parts;
}

function scheduleTable(items, testid) {
  return table(['fin.order', 'home.legal', 'fin.duedate', 'fin.amount', 'fin.due', 'fin.daysleft'],
    items.map((e) => {
      const days = el('span', { class: e.overdue ? 'overdue' : '' }, e.overdue ? `${e.days_left} (${t('fin.isoverdue')})` : String(e.days_left));
      return [e.order_number, e.legal_entity ?? '', date(e.due_date), money(e.amount_kop), money(e.due_kop), days];
    }), { 'data-testid': testid });
}

function schedule(s) {
  return [
    el('h2', {}, t('fin.schedule')),
    el('p', {}, `${t('fin.overduetotal')}: ${money(s.totals.overdue_kop)} · ${t('fin.week')}: ${money(s.totals.this_week_kop)} · ${t('fin.month')}: ${money(s.totals.this_month_kop)}`,
      ' ', el('a', { href: '/api/finance/schedule?format=csv', download: '', 'data-testid': 'schedule-csv' }, t('fin.csv'))),
    scheduleTable(s.items, 'schedule'),
  ];
}

function account(a, refresh) {
  // A refund links to its return, a payment to its order.
  const kind = (m) => el('span', {}, t(`fin.kind.${m.kind}`),
    m.order_number ? [' · ', m.order_id ? el('a', { href: `#/orders/${m.order_id}` }, m.order_number) : m.order_number] : '',
    m.return_id ? [' · ', el('a', { href: `#/returns/${m.return_id}`, 'data-testid': 'movement-return' }, m.return_number ?? t('ret.return'))] : '');
  const parts = [
    el('h2', {}, t('fin.account')),
    el('p', { 'data-testid': 'account-balance' }, `${t('fin.balance')}: ${money(a.balance_kop)} · ${t('fin.held')}: ${money(a.held_kop)} · ${t('fin.available')}: ${money(a.available_kop)}`),
  ];
  if (a.holds.length) {
    parts.push(table(['fin.order', 'fin.amount', 'col.status'], a.holds.map((h) => [h.order_number, money(h.amount_kop), t('sync.pending')]), { 'data-testid': 'holds' }));
  }
  if (a.payable_orders.length) {
    const select = el('select', { name: 'order_id', required: true },
      a.payable_orders.map((o) => el('option', { value: o.id }, `${o.number} — ${money(o.due_kop)}`)));
    // What the chosen order leaves on the account, or what is missing, before any click.
    const figure = el('p', { class: 'muted', 'data-testid': 'pay-figure' });
    const chosen = () => a.payable_orders.find((o) => o.id === select.value);
    const show = () => {
      const o = chosen();
      figure.className = o.due_kop > a.available_kop ? 'error' : 'muted';
      figure.textContent = o.due_kop > a.available_kop ? `${t('problem.shortfall')}: ${money(o.due_kop - a.available_kop)}.` : `${t('pay.account.after')}: ${money(a.available_kop - o.due_kop)}`;
    };
    select.addEventListener('change', show);
    show();
    parts.push(needsExtension(moneyForm('pay-form', [el('label', {}, el('span', {}, t('fin.payorder')), select), figure], 'fin.pay', () => {
      const o = chosen();
      // Short: said beside the choice already; nothing to confirm.
      if (o.due_kop > a.available_kop) return null;
      return { title: t('pay.confirm.account'), facts: [[t('fin.order'), o.number], [t('fin.amount'), money(o.due_kop)], [t('pay.account.now'), money(a.available_kop)],
        [t('pay.account.after'), money(a.available_kop - o.due_kop)]], notes: [t('pay.ship.account')] };
    }, (d, key) => api('POST', '/api/finance/account/payments', { order_id: d.get('order_id') }, { key }), refresh)));
  }
  parts.push(table(['audit.at', 'audit.kind', 'fin.amount', 'fin.comment'],
    a.items.map((m) => [dateTime(m.at), kind(m), el('span', { class: m.amount_kop < 0 ? 'minus' : 'plus' }, money(m.amount_kop)), m.comment ?? '']), { 'data-testid': 'movements' }));
  return parts;
}

export async function financeSections(me, refresh) {
  const parts = [el('h1', {}, t('nav.finance'))];
  parts.push(...creditPanel(await api('GET', '/api/finance/credit')));
  if (me.user.roles.some((r) => r === 'admin' || r === 'accountant')) {
    const [s, a] = await Promise.all([api('GET', '/api/finance/schedule'), api('GET', '/api/finance/account')]);
    parts.push(...schedule(s), ...account(a, refresh));
  }
  return parts;
}
