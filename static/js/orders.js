// The orders section: the company's orders with filters kept in the URL (a filtered list can be
// bookmarked and shared), totals, CSV of the filtered set, and the order page.
import { api } from './api.js';
import { t, money, dateTime, date, lang, docKind } from './i18n.js';
import { el, table, field, form, foldable } from './dom.js';
import { sentence } from './history.js';

const STATUSES = ['draft', 'awaiting_payment', 'reserved', 'paid', 'partly_shipped', 'shipped', 'cancelled'];
const FILTERS = ['from', 'to', 'ship_from', 'ship_to', 'status', 'number', 'q', 'author', 'legal_entity', 'sort'];

const statusText = (o) => t(`ord.status.${o.status}`) + (o.changes_waiting ? ` · ${t('ord.waiting')}` : '');

function currentQuery() {
  const [, query = ''] = location.hash.split('?');
  return new URLSearchParams(query);
}

/** The order's status as a badge (a colour per status, the words for a screen reader too). */
const statusBadge = (o) => el('span', {}, el('span', { class: `badge-st st-${o.status}`, 'data-testid': 'status-badge' }, t(`ord.status.${o.status}`)),
  o.changes_waiting ? [' ', el('span', { class: 'badge-st st-waiting' }, t('ord.waiting'))] : '');

function listForm(q, people, entities) {
  const statusBoxes = el('fieldset', { class: 'roles' }, el('legend', {}, t('col.status')),
    STATUSES.map((s) => el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'status', value: s, checked: (q.get('status') ?? '').split(',').includes(s) }), t(`ord.status.${s}`))));
  const sort = el('select', { name: 'sort' }, ['date_desc', 'date_asc', 'amount_desc', 'amount_asc'].map((s) => el('option', { value: s, selected: (q.get('sort') ?? 'date_desc') === s }, t(`ord.sort.${s}`))));
  // Who placed it and for which legal entity: names every role may read.
  const author = el('select', { name: 'author', 'data-testid': 'filter-author' }, el('option', { value: '' }, t('ord.author.any')),
    people.map((p) => el('option', { value: p.id, selected: q.get('author') === p.id }, p.full_name)));
  const entity = el('select', { name: 'legal_entity', 'data-testid': 'filter-legal-entity' }, el('option', { value: '' }, t('ord.le.any')),
    entities.map((l) => el('option', { value: l.id, selected: q.get('legal_entity') === l.id }, l.name)));
  const f = el('form', { class: 'filters', id: 'order-filters' },
    field('from', 'ord.from', q.get('from'), { type: 'date' }), field('to', 'ord.to', q.get('to'), { type: 'date' }),
    field('ship_from', 'ord.shipfrom', q.get('ship_from'), { type: 'date' }), field('ship_to', 'ord.shipto', q.get('ship_to'), { type: 'date' }),
    field('number', 'ord.number', q.get('number')), field('q', 'ord.contains', q.get('q')),
    el('label', {}, el('span', {}, t('ord.author')), author), el('label', {}, el('span', {}, t('home.legal')), entity),
    statusBoxes, el('label', {}, el('span', {}, t('ord.sortby')), sort),
    el('button', { type: 'submit' }, t('audit.filter')));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new FormData(f);
    const next = new URLSearchParams();
    for (const k of FILTERS) {
      const v = k === 'status' ? d.getAll('status').join(',') : d.get(k);
      if (v) next.set(k, v);
    }
    location.hash = `#/orders?${next}`;
  });
  // Folded on a phone (the list comes first), open when a filter is set.
  return foldable('ord.filters', f, FILTERS.some((k) => k !== 'sort' && q.get(k)));
}

// A change 1C has not answered yet: no other change is offered beside it.
const open = (d) => ['waiting', 'received'].includes(d.change?.state);
const canChange = (me) => me.user.roles.some((r) => r === 'admin' || r === 'buyer');
const openForShipping = (o) => !['shipped', 'cancelled', 'draft'].includes(o.status);

/** Several selected orders shipped together on one date: 1C decides; each order page shows it. */
function consolidationForm(boxes) {
  return form('consolidate-form', [el('p', { class: 'muted' }, t('ord.together.hint')), field('planned_shipping_date', 'ord.shipping', '', { type: 'date' })],
    'ord.together.send', (d) => api('POST', '/api/orders/consolidations', {
      orders: boxes.filter((b) => b.checked).map((b) => b.value), planned_shipping_date: d.get('planned_shipping_date') || null }),
    (r) => { location.hash = `#/orders/${r.orders?.[0] ?? boxes.find((b) => b.checked).value}`; });
}

/** The sticky bar at the bottom once an order is chosen: how many, the rules, and whether the
 * chosen ones fit them (one delivery method, one consignee) before 1C is asked. */
function togetherBar(boxes, byId) {
  const count = el('p', { 'data-testid': 'selected-count' });
  const warn = el('p', { class: 'error', 'data-testid': 'together-warning', hidden: true });
  const bar = el('div', { class: 'together-bar', hidden: true, 'data-testid': 'together-bar', role: 'region', 'aria-label': t('ord.together') },
    count, el('p', { class: 'muted' }, t('ord.together.rules')), warn,
    el('details', {}, el('summary', {}, t('ord.together')), consolidationForm(boxes)));
  const update = () => {
    const chosen = boxes.filter((b) => b.checked).map((b) => byId.get(b.value));
    bar.hidden = chosen.length === 0;
    count.textContent = `${t('ord.selected')}: ${chosen.length}`;
    const mixed = new Set(chosen.map((o) => o.delivery_method ?? '')).size > 1 || new Set(chosen.map((o) => o.consignee ?? '')).size > 1;
    warn.hidden = !(chosen.length < 2 || mixed);
    warn.textContent = chosen.length < 2 ? t('ord.together.need2') : t('ord.together.mixed');
  };
  for (const b of boxes) b.addEventListener('change', update);
  return bar;
}

async function renderList(me) {
  const q = currentQuery();
  const [data, people, company] = await Promise.all([api('GET', `/api/orders/orders?${q}`),
    api('GET', '/api/company/employee-names').catch(() => ({ items: [] })), api('GET', '/api/company/company').catch(() => ({ legal_entities: [] }))]);
  const boxes = [];
  const pick = (o) => {
    if (!canChange(me) || !openForShipping(o)) return '';
    const b = el('input', { type: 'checkbox', value: o.id, 'aria-label': `${t('ord.together.pick')} ${o.number}`, 'data-testid': `pick-${o.number}` });
    boxes.push(b);
    return el('label', { class: 'inline pick' }, b);
  };
  const rows = data.items.map((o) => [
    pick(o),
    el('a', { href: `#/orders/${o.id}` }, o.number), o.onec_number ?? '', dateTime(o.ordered_at), statusBadge(o),
    [o.delivery_method ? t(`ord.dm.${o.delivery_method}`) : '—', o.consignee ? ` · ${o.consignee}` : ''], o.legal_entity ?? '', o.author ?? '',
    money(o.total_kop), o.planned_shipping_date ? date(o.planned_shipping_date) : '',
  ]);
  const parts = [
    el('h1', {}, t('nav.orders')), listForm(q, people.items ?? [], company.legal_entities ?? []),
    el('p', { 'data-testid': 'order-totals' }, `${t('ord.count')}: ${data.totals.count} · ${t('fin.amount')}: ${money(data.totals.total_kop)} `,
      el('a', { href: `/api/orders/orders.csv?${q}`, download: '', 'data-testid': 'orders-csv' }, t('fin.csv'))),
    table(['', 'ord.number', 'ord.onecnumber', 'ord.date', 'col.status', 'ord.delivery', 'home.legal', 'ord.author', 'fin.amount', 'ord.shipping'], rows, { 'data-testid': 'orders' }),
  ];
  if (data.next_cursor) {
    const more = new URLSearchParams(q);
    more.set('cursor', data.next_cursor);
    parts.push(el('a', { href: `#/orders?${more}`, 'data-testid': 'next-page' }, t('ord.next')));
  }
  if (boxes.length >= 2) parts.push(togetherBar(boxes, new Map(data.items.map((o) => [o.id, o]))));
  return parts;
}

/** The payee of a bank transfer: the supplier's organisation the order is sold from, with the
 * account to pay to (the first one 1C lists) and the purpose to write. */
function payeePart(o, payee) {
  if (!payee) return [el('p', { class: 'muted', 'data-testid': 'payee' }, t('pay.nopayee'))];
  const b = payee.bank_accounts?.[0] ?? {};
  const rows = [
    [t('pay.payee'), payee.full_name ?? payee.name], [t('pay.inn'), payee.inn], [t('pay.kpp'), payee.kpp ?? '—'],
    [t('pay.account'), b.account ?? '—'], [t('pay.bank'), b.bank_name ?? '—'], [t('pay.bik'), b.bik ?? '—'], [t('pay.corr'), b.corr_account ?? '—'],
    [t('pay.purpose'), `${t('inv.title')} ${o.onec_number ?? o.number} ${t('inv.of')} ${date(o.ordered_at.slice(0, 10))}`],
  ];
  return [el('dl', { class: 'payee', 'data-testid': 'payee' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))];
}

/** Счёт на оплату: the order as an invoice with the payee's requisites and bank details. */
async function renderInvoice(id) {
  const d = await api('GET', `/api/orders/orders/${id}`);
  const o = d.order;
  const p = d.payee;
  return [
    el('p', {}, el('a', { href: `#/orders/${encodeURIComponent(id)}` }, t('inv.back'))),
    el('h1', { 'data-testid': 'invoice-title' }, `${t('inv.title')} ${o.onec_number ?? o.number} ${t('inv.of')} ${date(o.ordered_at.slice(0, 10))}`),
    el('h2', {}, t('inv.supplier')),
    ...(p ? [el('p', { 'data-testid': 'invoice-supplier' }, `${p.full_name ?? p.name}, ${t('pay.inn')} ${p.inn}${p.kpp ? `, ${t('pay.kpp')} ${p.kpp}` : ''}${p.address ? `, ${p.address}` : ''}`)] : []),
    ...payeePart(o, p),
    el('h2', {}, t('inv.buyer')), el('p', {}, o.legal_entity ?? '—'),
    table(['ord.article', 'col.name', 'ord.qty', 'ord.unit', 'ord.price', 'fin.amount', 'ord.vat'],
      d.lines.map((l) => [l.article, l.name, (l.qty_milli / 1000).toLocaleString('ru-RU'), l.unit, money(l.price_kop), money(l.amount_kop), money(l.vat_kop)]), { 'data-testid': 'invoice-lines' }),
    el('p', {}, `${t('inv.total')}: ${money(o.total_kop)} · ${t('inv.vat')}: ${money(o.vat_kop)}`),
  ];
}

async function renderOrder(id, me, refresh) {
  const d = await api('GET', `/api/orders/orders/${id}`);
  follow(id, d, me, refresh);
  return orderParts(id, d, me, refresh);
}

// The order page follows by itself: it looks at the order again (If-None-Match: 304 while
// nothing changed, so a look costs little), every 2 s after a change and backing off to 30 s
// while nothing does, never while the tab is hidden, and re-renders in place (no reload). It does
// not re-render under a user who is filling in a form: it looks again later.
const FOLLOW_MIN_MS = 2000;
const FOLLOW_MAX_MS = 30000;
let follower = null;

function follow(id, first, me, refresh) {
  follower?.stop();
  const hash = location.hash;
  const path = `/api/orders/orders/${id}`;
  let shown = JSON.stringify(first);
  let etag = null;
  let delay = FOLLOW_MIN_MS;
  let timer = null;
  let stopped = false;
  let looking = false;
  const busy = () => [...document.querySelectorAll('#main details[open], #main form')].some((f) => f.matches('details[open]') || f.contains(document.activeElement));
  const look = async () => {
    timer = null;
    if (stopped || looking) return;
    if (location.hash !== hash) { stop(); return; }
    looking = true;
    let changed = false;
    try {
      const headers = { 'Accept-Language': lang() === 'en' ? 'en' : 'ru' };
      if (etag) headers['If-None-Match'] = etag;
      let r = await fetch(path, { headers, credentials: 'same-origin' });
      // An expired session: the API client renews it, then look again next time.
      if (r.status === 401) { await api('GET', '/api/auth/me').catch(() => {}); r = null; }
      if (r?.status === 200) {
        // Compared as the page holds it (the first render came through JSON.parse too).
        const text = JSON.stringify(await r.json());
        if (text !== shown && !busy() && !stopped && location.hash === hash) {
          shown = text;
          changed = true;
          etag = r.headers.get('etag');
          const main = document.getElementById('main');
          const y = window.scrollY;
          main.replaceChildren(...await orderParts(id, JSON.parse(text), me, refresh));
          window.scrollTo(0, y);
        } else if (text === shown) {
          etag = r.headers.get('etag');
        }
      }
    } catch { /* offline for a moment: look again later */ }
    looking = false;
    delay = changed ? FOLLOW_MIN_MS : Math.min(delay * 2, FOLLOW_MAX_MS);
    schedule();
  };
  const schedule = () => { if (!stopped && !document.hidden && !timer) timer = setTimeout(look, delay); };
  const onVisibility = () => {
    if (document.hidden) { clearTimeout(timer); timer = null; return; }
    delay = FOLLOW_MIN_MS;
    if (!timer) look();
  };
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('hashchange', stop);
  };
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('hashchange', stop);
  follower = { stop };
  schedule();
}

/** What a change's state says: 1C's reason for a refusal, a late acceptance flagged. */
function changeNotice(c) {
  const text = c.state === 'rejected' ? `${t('sync.rejected')}: ${c.reason ?? ''}` : t(`sync.${c.state}`);
  const late = c.overdue && c.overdue_message
    ? el('span', { class: 'sync-overdue', 'data-testid': 'order-change-overdue' }, lang() === 'en' ? c.overdue_message.en : c.overdue_message.ru)
    : '';
  return el('p', { class: `sync sync-${c.state}`, 'data-testid': 'order-change', 'data-state': c.state, 'data-overdue': c.overdue ? 'true' : 'false' },
    `${t(`ord.kind.${c.kind}`)} — ${text}`, late);
}

async function orderParts(id, d, me, refresh) {
  const o = d.order;
  const parts = [el('h1', {}, `${t('ord.order')} ${o.number}`), el('p', { class: 'muted' }, `${statusText({ status: o.status })} · ${dateTime(o.ordered_at)} · ${o.legal_entity ?? ''}`)];
  if (d.change) {
    parts.push(changeNotice(d.change));
    // What it proposes, until 1C's own data (a snapshot naming it) has replaced the order above.
    if (d.change.state !== 'applied') parts.push(...proposed(d.change.values ?? {}));
  }
  parts.push(table(['ord.article', 'col.name', 'ord.qty', 'ord.unit', 'ord.price', 'fin.amount', 'ord.vat'],
    d.lines.map((l) => [l.article, l.name, (l.qty_milli / 1000).toLocaleString('ru-RU'), l.unit, money(l.price_kop), money(l.amount_kop), money(l.vat_kop)]), { 'data-testid': 'order-lines' }));
  parts.push(el('p', {}, `${t('fin.total')}: ${money(o.total_kop)} (${t('ord.vat')} ${money(o.vat_kop)}) · ${t('ord.paid')}: ${money(o.paid_kop)} · ${t('ord.payment')}: ${t(`ord.pm.${o.payment_method}`)}`));
  parts.push(el('p', {}, `${t('ord.delivery')}: ${o.delivery_method ? t(`ord.dm.${o.delivery_method}`) : '—'} ${o.delivery_address ?? ''} · ${t('ord.consignee')}: ${o.consignee ?? '—'} · ${t('ord.shipping')}: ${o.planned_shipping_date ? date(o.planned_shipping_date) : '—'}`));
  if (d.shipped_together) {
    const x = d.shipped_together;
    const state = { accepted: t('ord.together.accepted'), rejected: t('sync.rejected'), failed: t('sync.failed') }[x.state] ?? t('sync.pending');
    parts.push(el('p', { class: `sync sync-${x.state === 'sent' ? 'pending' : x.state}`, 'data-testid': 'shipped-together' }, `${t('ord.together')}: `,
      ...x.orders.flatMap((r, i) => [i ? ', ' : '', r.id === id ? r.number : el('a', { href: `#/orders/${r.id}` }, r.number)]),
      x.planned_shipping_date ? ` · ${date(x.planned_shipping_date.slice(0, 10))}` : '', ` — ${state}`));
  }
  if (d.shipments.length) {
    parts.push(el('h2', {}, t('ord.shipments')), table(['ord.number', 'ord.date', 'ord.vehicle', 'ord.docs'],
      d.shipments.map((s) => [s.number, s.shipped_at ? dateTime(s.shipped_at) : '', s.vehicle ?? '', (s.documents ?? []).join(', ')])));
  }
  if (d.documents.length) {
    parts.push(el('h2', {}, t('nav.documents')), table(['audit.kind', 'ord.number', 'ord.date', 'fin.amount'],
      d.documents.map((x) => [docKind(x.kind, x.kind_name), el('a', { href: `#/documents/doc/${encodeURIComponent(x.id)}` }, x.number + (x.correction_no ? ` (${t('doc.fix')} № ${x.correction_no})` : '')), date(x.doc_date.slice(0, 10)), money(x.amount_kop)])),
      el('p', {}, el('a', { href: `#/documents/order/${id}`, 'data-testid': 'order-docs' }, t('doc.fullset'))));
  }
  // Paying by invoice is a bank transfer: to whom, and the invoice to print.
  if (o.payment_method === 'invoice' && o.paid_kop < o.total_kop && o.status !== 'cancelled') {
    parts.push(el('h2', {}, t('pay.transfer')), ...payeePart(o, d.payee),
      el('p', {}, el('a', { href: `#/orders/${encodeURIComponent(id)}/invoice`, 'data-testid': 'invoice-link' }, t('inv.open'))));
  }
  parts.push(...cardPart(id, d, me, refresh));
  if (d.can_cancel && me.user.roles.some((r) => r === 'admin' || r === 'buyer') && !open(d)) {
    parts.push(el('details', {}, el('summary', {}, t('ord.cancel')), form('cancel-form', [field('reason', 'ord.reason', '')], 'ord.cancelsend',
      (f) => api('POST', `/api/orders/orders/${id}/cancellation`, { version: o.version, reason: f.get('reason') || null }), refresh)));
  }
  if (d.can_cancel && me.user.roles.some((r) => r === 'admin' || r === 'buyer') && !open(d)) {
    parts.push(await editForm(id, o, d.lines, refresh));
  }
  if (d.can_cancel && me.user.roles.some((r) => r === 'admin' || r === 'buyer') && !open(d) && ['invoice', 'credit'].includes(o.payment_method)) {
    const other = o.payment_method === 'credit' ? 'invoice' : 'credit';
    // Choosing the bank transfer shows whom the client would pay; the client may ask for an
    // urgent shipment along with the switch (1C's manager decides).
    const payee = other === 'invoice' ? payeePart(o, d.payee) : [];
    parts.push(form('payment-method-form', [el('p', {}, `${t('ord.payment')}: ${t(`ord.pm.${o.payment_method}`)} → ${t(`ord.pm.${other}`)}`), ...payee,
      el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'ship_today', 'data-testid': 'ship-today' }), t('ord.shiptoday'))], 'ord.switchpm',
      (fd) => api('POST', `/api/orders/orders/${id}/payment-method`, { version: o.version, payment_method: other, ship_today: fd.get('ship_today') === 'on' }), refresh));
  }
  // Paying from the internal account holds the amount at once (refused with the shortfall).
  if (d.can_pay_from_account) {
    parts.push(form('account-pay-form', [el('p', { class: 'muted' }, `${t('ord.payaccount.hint')} ${money(o.total_kop - o.paid_kop)}`)], 'ord.payaccount',
      () => api('POST', '/api/finance/account/payments', { order_id: id }), refresh));
  }
  if (me.user.roles.some((r) => r === 'admin' || r === 'buyer')) {
    parts.push(form('repeat-form', [], 'ord.repeat', () => api('POST', `/api/orders/orders/${id}/repeat`), (r) => { location.hash = `#/orders/${r.id}`; }));
  }
  if (d.history.length) {
    // Sentences in the user's language (history.js), 1C's answer after each.
    parts.push(el('h2', {}, t('ord.history')), el('ol', { class: 'history', 'data-testid': 'order-history' }, d.history.map((h) => el('li', {},
      sentence({ at: h.at, who: h.user ?? t('audit.onec'), kind: h.kind, before: h.before, after: h.after, entity: 'order' }),
      h.onec_answer?.status ? ` ${t('audit.answer')}: ${h.onec_answer.status === 'rejected' ? `${t('sync.rejected')}: ${h.onec_answer.reason ?? ''}` : t(`audit.${h.onec_answer.status}`)}.` : ''))));
  }
  return parts;
}

/** What a change not yet accepted by 1C proposes, field by field; the order above stays as 1C has it. */
function proposed(v) {
  const fields = [];
  if (v.payment_method) fields.push(`${t('ord.payment')}: ${t(`ord.pm.${v.payment_method}`)}`);
  if (v.delivery_method) fields.push(`${t('ord.delivery')}: ${t(`ord.dm.${v.delivery_method}`)}`);
  if (v.delivery_address) fields.push(`${t('cons.address')}: ${v.delivery_address}`);
  if (v.planned_shipping_date) fields.push(`${t('ord.shipping')}: ${date(v.planned_shipping_date)}`);
  if (v.consignee) fields.push(`${t('ord.consignee')}: ${v.consignee}`);
  if (v.total) fields.push(`${t('fin.total')}: ${money(Math.round(Number(v.total) * 100))}`);
  if (v.reason) fields.push(`${t('ord.reason')}: ${v.reason}`);
  const parts = [];
  if (fields.length) parts.push(el('p', { 'data-testid': 'order-change-values' }, `${t('ord.proposed')}: ${fields.join(' · ')}`));
  if (Array.isArray(v.lines)) {
    parts.push(table(['ord.article', 'col.name', 'ord.qty', 'ord.unit', 'ord.price', 'fin.amount'],
      v.lines.map((l) => [l.article ?? '', l.name ?? '', Number(l.quantity).toLocaleString('ru-RU', { maximumFractionDigits: 3 }), l.unit ?? '',
        money(Math.round(Number(l.price) * 100)), money(Math.round(Number(l.amount) * 100))]), { 'data-testid': 'order-change-lines' }));
  }
  return parts;
}

/** Card payment: the button sends the buyer to the acquirer's page; back from it, the page shows
 * "being confirmed" and looks again until the acquirer's notification has landed. */
function cardPart(id, d, me, refresh) {
  const cp = d.card_payment;
  const parts = [];
  const back = new URLSearchParams(location.hash.split('?')[1] ?? '').get('card') === 'return';
  if (cp?.status === 'succeeded') {
    parts.push(el('p', { class: 'sync sync-accepted', 'data-testid': 'card-state' }, `${t('card.paid')}: ${money(cp.amount_kop)}`));
  } else if (cp?.status === 'pending' && back) {
    parts.push(el('p', { class: 'sync sync-pending', 'data-testid': 'card-state' }, t('card.confirming')));
    const hash = location.hash;
    setTimeout(() => { if (location.hash === hash) refresh(); }, 1500);
  } else if (cp?.status === 'pending') {
    parts.push(el('p', { class: 'sync sync-pending', 'data-testid': 'card-state' }, t('card.started')));
  } else if (cp?.status === 'canceled') {
    parts.push(el('p', { class: 'sync sync-rejected', 'data-testid': 'card-state' }, t('card.canceled')));
  }
  if (d.can_pay_by_card && me.user.roles.some((r) => r === 'admin' || r === 'buyer') && !(cp?.status === 'pending' && back)) {
    parts.push(form('card-form', [el('p', { class: 'muted' }, `${t('card.due')}: ${money(d.order.total_kop - d.order.paid_kop)}`)], 'card.pay',
      () => api('POST', `/api/orders/orders/${id}/card-payments`), (r) => { location.href = r.confirmation_url; }));
  }
  return parts;
}

/** Lines (quantities, removal, pasted `article;qty`), delivery, shipping date, consignee. */
async function editForm(id, o, lines, refresh) {
  const consignees = (await api('GET', '/api/company/consignees')).items;
  const qtyInputs = lines.map((l) => el('input', { name: `qty-${l.line_no}`, value: String(l.qty_milli / 1000), inputMode: 'decimal', size: 6, 'aria-label': `${t('ord.qty')} ${l.article}`, 'data-article': l.article, 'data-product': l.product_id ?? '' }));
  const linesTable = table(['ord.article', 'col.name', 'ord.qty'], lines.map((l, i) => [l.article, l.name, qtyInputs[i]]));
  const paste = el('textarea', { name: 'paste', rows: 3, placeholder: 'AZ-100;2' });
  // Products found by the catalogue search and added here go in by their 1C id.
  const added = [];
  const addedBody = el('tbody', {});
  const addedTable = el('div', { class: 'table-wrap', hidden: true }, el('table', { 'data-testid': 'added-lines' },
    el('thead', {}, el('tr', {}, ['ord.article', 'col.name', 'ord.price', 'ord.stock', 'ord.qty'].map((c) => el('th', { scope: 'col' }, t(c))))), addedBody));
  const query = el('input', { type: 'search', placeholder: t('ord.catalog.hint'), 'aria-label': t('ord.catalog'), 'data-testid': 'catalog-q' });
  const results = el('div', { 'data-testid': 'catalog-results' });
  // The total; with several warehouses, each one's stock under it (issue 18).
  const qtyText = (milli) => (milli / 1000).toLocaleString('ru-RU');
  const stockCell = (p) => ((p.stock || []).length > 1
    ? el('details', { 'data-testid': `stock-${p.article}` }, el('summary', {}, qtyText(p.stock_milli)),
      el('ul', { class: 'plain' }, p.stock.map((s) => el('li', {}, `${s.warehouse}: ${qtyText(s.qty_milli)}`))))
    : qtyText(p.stock_milli));
  const search = async () => {
    if (query.value.trim().length < 2) return;
    const r = await api('GET', `/api/orders/catalog?q=${encodeURIComponent(query.value.trim())}`);
    // A product's variants (characteristics, issue 18) follow its row on the card, each with its
    // properties, price, stock and its own add button.
    const rows = r.items.flatMap((p) => [p, ...(p.variants || []).map((v) => ({ ...v,
      name: `— ${v.name}${(v.properties || []).length ? ` (${v.properties.map(([k, val]) => `${k}: ${val}`).join(', ')})` : ''}` }))]);
    results.replaceChildren(rows.length ? table(['ord.article', 'col.name', 'ord.price', 'ord.stock', ''], rows.map((p) => {
      const add = el('button', { type: 'button', class: 'link', 'data-testid': p.onec_id.includes('#') ? `add-${p.onec_id}` : `add-${p.article}` }, t('ord.catalog.add'));
      add.addEventListener('click', () => {
        const qty = el('input', { name: `add-${p.id}`, value: '1', inputMode: 'decimal', size: 6, 'aria-label': `${t('ord.qty')} ${p.article}`, 'data-added': p.id });
        added.push({ product: p, qty });
        addedBody.append(el('tr', {}, el('td', {}, p.article), el('td', {}, p.name), el('td', {}, p.price_kop == null ? '—' : money(p.price_kop)),
          el('td', {}, (p.stock_milli / 1000).toLocaleString('ru-RU')), el('td', {}, qty)));
        addedTable.hidden = false;
      });
      return [p.article, p.name, p.price_kop == null ? '—' : money(p.price_kop), stockCell(p), add];
    })) : el('p', { class: 'muted' }, t('ord.catalog.none')));
  };
  const searchButton = el('button', { type: 'button', class: 'secondary' }, t('ord.catalog.find'));
  searchButton.addEventListener('click', search);
  query.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); search(); } });
  const delivery = el('select', { name: 'delivery_method' }, el('option', { value: '' }, '—'),
    ['pickup', 'delivery', 'transport_company'].map((m) => el('option', { value: m, selected: o.delivery_method === m }, t(`ord.dm.${m}`))));
  const consignee = el('select', { name: 'consignee_id' }, el('option', { value: '' }, '—'), consignees.map((c) => el('option', { value: c.id }, c.name)));
  const f = form('edit-form', [
    linesTable, el('fieldset', {}, el('legend', {}, t('ord.catalog')), query, ' ', searchButton, results, addedTable),
    el('label', {}, el('span', {}, t('ord.paste')), paste),
    el('label', {}, el('span', {}, t('ord.delivery')), delivery), field('delivery_address', 'cons.address', o.delivery_address ?? ''),
    field('planned_shipping_date', 'ord.shipping', o.planned_shipping_date ?? '', { type: 'date' }),
    el('label', {}, el('span', {}, t('ord.consignee')), consignee),
  ], 'ord.sendchange', async (data) => {
    const body = { version: o.version };
    const kept = qtyInputs.filter((q) => q.value.trim() !== '' && q.value.trim() !== '0').map((q) => (q.dataset.product ? { product_id: q.dataset.product, quantity: q.value.trim() } : { article: q.dataset.article, quantity: q.value.trim() }));
    const extra = added.filter((a) => a.qty.value.trim() !== '' && a.qty.value.trim() !== '0').map((a) => ({ product_id: a.product.id, quantity: a.qty.value.trim() }));
    const changedLines = kept.length !== lines.length || kept.some((k, i) => Number(k.quantity.replace(',', '.')) !== lines[i].qty_milli / 1000) || data.get('paste') || extra.length;
    if (changedLines) {
      body.lines = [...kept, ...extra];
      if (data.get('paste')) {
        const r = await api('POST', '/api/orders/pasted-lines', { text: data.get('paste') });
        if (r.unknown_articles.length || r.unreadable_lines.length) {
          throw { problem: { title_ru: `${t('ord.unknown')}: ${[...r.unknown_articles, ...r.unreadable_lines.map((n) => `#${n}`)].join(', ')}`, title_en: `${t('ord.unknown')}: ${[...r.unknown_articles, ...r.unreadable_lines.map((n) => `#${n}`)].join(', ')}` } };
        }
        body.lines.push(...r.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity })));
      }
    }
    if (data.get('delivery_method') && data.get('delivery_method') !== o.delivery_method) body.delivery_method = data.get('delivery_method');
    if (data.get('delivery_address') && data.get('delivery_address') !== (o.delivery_address ?? '')) body.delivery_address = data.get('delivery_address');
    if (data.get('planned_shipping_date') && data.get('planned_shipping_date') !== o.planned_shipping_date) body.planned_shipping_date = data.get('planned_shipping_date');
    if (data.get('consignee_id')) body.consignee_id = data.get('consignee_id');
    return api('PATCH', `/api/orders/orders/${id}`, body);
  }, refresh);
  return el('details', {}, el('summary', {}, t('ord.edit')), f);
}

export function ordersSection(me, refresh) {
  const [, rest = '', sub] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
  if (rest && sub === 'invoice') return renderInvoice(decodeURIComponent(rest));
  return rest ? renderOrder(decodeURIComponent(rest), me, refresh) : renderList(me);
}

