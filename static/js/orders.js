// The orders section: the company's orders with filters kept in the URL (a filtered list can be
// bookmarked and shared), totals, CSV of the filtered set, and the order page.
import { api } from './api.js';
import { t, money, dateTime, date, lang, docKind, number, quantity } from './i18n.js';
import { el, table, field, form, foldable } from './dom.js';
import { sentence } from './history.js';
import { moneyForm } from './confirm.js';

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
    'ord.together.send', (d, key) => api('POST', '/api/orders/consolidations', {
      orders: boxes.filter((b) => b.checked).map((b) => b.value), planned_shipping_date: d.get('planned_shipping_date') || null }, { key }),
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
    // Shipping together needs 1C's extension (a stock-only supplier has none).
    if (!canChange(me) || !openForShipping(o) || data.stock_only) return '';
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
      d.lines.map((l) => [l.article, l.name, quantity(l.qty_milli), l.unit, money(l.price_kop), money(l.amount_kop), money(l.vat_kop)]), { 'data-testid': 'invoice-lines' }),
    el('p', {}, `${t('inv.total')}: ${money(o.total_kop)} · ${t('inv.vat')}: ${money(o.vat_kop)}`),
  ];
}

async function renderOrder(id, me, refresh) {
  const d = await api('GET', `/api/orders/orders/${id}`);
  follow(id, d, me, refresh);
  const parts = await orderParts(id, d, me, refresh);
  // `?pay=1` (the home page's "pay"): straight to the payment choice, after the router's own
  // scroll to the top.
  if (new URLSearchParams(location.hash.split('?')[1] ?? '').get('pay')) setTimeout(showPayment, 0);
  return parts;
}

/** Brings the payment choice into view with focus on its first option that can be chosen. */
function showPayment() {
  const heading = document.getElementById('pay-heading');
  if (!heading) return;
  heading.scrollIntoView({ block: 'start' });
  const first = document.querySelector('#payment-choice-form input[name=method]:not(:disabled)');
  if (first) first.focus({ preventScroll: true });
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
  const busy = () => Boolean(document.querySelector('dialog.confirm[open]'))
    || [...document.querySelectorAll('#main details[open], #main form')].some((f) => f.matches('details[open]') || f.contains(document.activeElement));
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
  // Stock-only (no 1C extension): the client's changes wait for 1C's next exchange, then 1C's file applies.
  if (d.stock_only) {
    const st = d.stock_only.state;
    parts.push(el('p', { class: `sync sync-${st}`, 'data-testid': 'order-stock-only', 'data-state': st }, t(`ord.so.${st}`)));
  }
  if (d.change) {
    parts.push(changeNotice(d.change));
    // What it proposes, until 1C's own data (a snapshot naming it) has replaced the order above.
    if (d.change.state !== 'applied') parts.push(...proposed(d.change.values ?? {}));
  }
  parts.push(table(['ord.article', 'col.name', 'ord.qty', 'ord.unit', 'ord.price', 'fin.amount', 'ord.vat'],
    d.lines.map((l) => [l.article, withThumb(l.image, l.name), quantity(l.qty_milli), l.unit, money(l.price_kop), money(l.amount_kop), money(l.vat_kop)]), { 'data-testid': 'order-lines' }));
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
  parts.push(...cardPart(id, d));
  // Paying: one choice among credit, the internal account, card and bank transfer, with figures.
  if (o.paid_kop < o.total_kop && !['cancelled', 'shipped'].includes(o.status)) parts.push(...await paymentChoice(id, d, me, refresh));
  // Stock-only (no 1C extension): cancelling, editing and repeating travel in 1C's exchange.
  if (d.can_cancel && canChange(me) && !open(d)) {
    parts.push(el('details', {}, el('summary', {}, t('ord.cancel')), moneyForm('cancel-form', [field('reason', 'ord.reason', '')], 'ord.cancelsend',
      () => ({ title: `${t('cancel.confirm')} ${o.number}?`, confirmKey: 'cancel.yes',
        facts: [[t('fin.total'), money(o.total_kop)], ...(o.payment_method === 'credit' ? [[t('cancel.release'), money(o.total_kop - o.paid_kop)]] : [])],
        notes: [t('cancel.ship')] }),
      (f, key) => api('POST', `/api/orders/orders/${id}/cancellation`, { version: o.version, reason: f.get('reason') || null }, { key }), refresh)));
  }
  if (d.can_cancel && canChange(me) && !open(d)) {
    parts.push(await editForm(id, o, d.lines, refresh));
  }
  // Repeating goes through a draft to review (today's prices and stock) before anything is sent.
  if (canChange(me)) {
    // The page's main action, when there is nothing to pay (the payment choice's button is then).
    const main = !parts.some((x) => x instanceof Element && (x.matches('.main-action') || x.querySelector('.main-action')));
    parts.push(el('p', {}, el('a', { class: `button${main ? ' main-action' : ''}`, href: `#/orders/${encodeURIComponent(id)}/repeat`, 'data-testid': 'repeat-link' }, t('ord.repeat'))));
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
      v.lines.map((l) => [l.article ?? '', l.name ?? '', number(Number(l.quantity)), l.unit ?? '',
        money(Math.round(Number(l.price) * 100)), money(Math.round(Number(l.amount) * 100))]), { 'data-testid': 'order-change-lines' }));
  }
  return parts;
}

/** Card payment's state: back from the acquirer's page (the payment choice sends the buyer there),
 * the page shows "being confirmed" and looks again until the acquirer's notification has landed. */
function cardPart(id, d) {
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
  return parts;
}

/** Lines (quantities, removal, pasted `article;qty`), delivery, shipping date, consignee. */
/** A product's catalogue thumbnail (issue 18) before its name: 160 px on a phone, 480 px on a
 * dense screen, loaded when scrolled to; width/height keep its place before it loads. */
function withThumb(image, name) {
  if (!image?.id) return name;
  const src = (size) => `/api/orders/catalog/images/${image.id}/${size}`;
  return el('span', { class: 'with-thumb' }, el('img', { class: 'thumb', src: src(160), srcset: `${src(160)} 1x, ${src(480)} 3x`,
    width: image.w, height: image.h, loading: 'lazy', decoding: 'async', alt: '', 'data-testid': 'thumb' }), name);
}

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
  const qtyText = quantity;
  const stockCell = (p) => ((p.stock || []).length > 1
    ? el('details', { 'data-testid': `stock-${p.article}` }, el('summary', {}, qtyText(p.stock_milli)),
      el('ul', { class: 'plain' }, p.stock.map((s) => el('li', {}, `${s.warehouse}: ${qtyText(s.qty_milli)}`))))
    : qtyText(p.stock_milli));
  const search = async () => {
    if (query.value.trim().length < 2) return;
    const r = await api('GET', `/api/orders/catalog?q=${encodeURIComponent(query.value.trim())}`);
    // A product's variants (characteristics, issue 18) follow its row on the card, each with its
    // properties, price, stock and its own add button.
    // A product's own properties (`ЗначенияСвойств`, issue 18) under its name.
    const nameOf = (p) => ((p.properties || []).length && !p.onec_id.includes('#')
      ? el('span', {}, p.name, el('br'), el('small', { class: 'muted', 'data-testid': `props-${p.article}` }, p.properties.map(([k, val]) => `${k}: ${val}`).join('; ')))
      : p.name);
    const rows = r.items.flatMap((p) => [p, ...(p.variants || []).map((v) => ({ ...v,
      name: `— ${v.name}${(v.properties || []).length ? ` (${v.properties.map(([k, val]) => `${k}: ${val}`).join(', ')})` : ''}` }))]);
    results.replaceChildren(rows.length ? table(['ord.article', 'col.name', 'ord.price', 'ord.stock', ''], rows.map((p) => {
      const add = el('button', { type: 'button', class: 'link', 'data-testid': p.onec_id.includes('#') ? `add-${p.onec_id}` : `add-${p.article}` }, t('ord.catalog.add'));
      add.addEventListener('click', () => {
        const qty = el('input', { name: `add-${p.id}`, value: '1', inputMode: 'decimal', size: 6, 'aria-label': `${t('ord.qty')} ${p.article}`, 'data-added': p.id });
        added.push({ product: p, qty });
        addedBody.append(el('tr', {}, el('td', {}, p.article), el('td', {}, p.name), el('td', {}, p.price_kop == null ? '—' : money(p.price_kop)),
          el('td', {}, quantity(p.stock_milli)), el('td', {}, qty)));
        addedTable.hidden = false;
      });
      return [p.article, withThumb(p.image, nameOf(p)), p.price_kop == null ? '—' : money(p.price_kop), stockCell(p), add];
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
  ], 'ord.sendchange', async (data, key) => {
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
    return api('PATCH', `/api/orders/orders/${id}`, body, { key });
  }, refresh);
  return el('details', {}, el('summary', {}, t('ord.edit')), f);
}

const canPayMoney = (me) => me.user.roles.some((r) => r === 'admin' || r === 'accountant');

/**
 * One payment choice for a placed, unpaid order: credit (the available credit of the order's
 * agreement; blocked: why and what to pay), the internal account (the balance and a shortfall
 * before any click; only for the roles that see the balance: a buyer is told who pays from it),
 * card (YooKassa's page) and bank transfer (the payee's details). Each option is offered only to
 * the roles its endpoint serves and when the order allows it; the reason is shown otherwise. The
 * choice goes through the confirmation (what is paid, what is left after, when the goods ship).
 */
async function paymentChoice(id, d, me, refresh) {
  const o = d.order;
  const due = o.total_kop - o.paid_kop;
  const buyer = canChange(me);
  const payer = canPayMoney(me);
  // Switching between invoice and credit (the payment-method endpoint): admins and buyers.
  // Stock-only: 1C's exchange carries no switch (it needs 1C's credit check).
  const switchable = buyer && d.can_cancel && !open(d) && !d.stock_only && ['invoice', 'credit'].includes(o.payment_method);
  const [credit, account] = await Promise.all([
    api('GET', '/api/finance/credit').catch(() => null),
    payer ? api('GET', '/api/finance/account').catch(() => null) : null,
  ]);
  const pos = credit?.agreements?.find((a) => a.agreement_id === o.agreement_id) ?? null;
  const cp = d.card_payment;
  const back = new URLSearchParams(location.hash.split('?')[1] ?? '').get('card') === 'return';
  const fig = (text, cls = '') => el('span', { class: `pay-figure ${cls}` }, text);
  const options = [];

  // Credit.
  {
    const current = o.payment_method === 'credit';
    const figures = [];
    let why = null;
    if (!pos) why = t('pay.credit.noagreement');
    else if (!pos.on_credit) why = t('pay.credit.none');
    else if (pos.blocked) {
      why = `${t('fin.blocked')} ${credit.view === 'full' ? `${t('fin.topay')}: ${money(pos.amount_to_pay_kop)}.` : t('fin.blockedbrief')}`;
    } else {
      figures.push(fig(`${t('pay.credit.available')}: ${money(pos.available_kop)}`));
      if (!current && pos.available_kop < due) why = `${t('problem.shortfall')}: ${money(due - pos.available_kop)}.`;
    }
    if (!why && !current && !buyer) why = t('pay.role.buyers');
    if (!why && !current && !switchable) why = t('pay.notnow');
    options.push({ value: 'credit', current, figures, why });
  }
  // The internal account.
  {
    const current = o.payment_method === 'internal_account';
    const figures = [];
    let why = null;
    if (!payer) why = t('pay.account.role');
    else if (!account) why = t('error.generic');
    else {
      figures.push(fig(`${t('pay.account.available')}: ${money(account.available_kop)}`));
      if (account.available_kop < due) why = `${t('problem.shortfall')}: ${money(due - account.available_kop)}.`;
      else if (!d.can_pay_from_account) why = t('pay.notnow');
    }
    options.push({ value: 'internal_account', current, figures, why });
  }
  // Card, through YooKassa's page.
  {
    const current = o.payment_method === 'card';
    const figures = [fig(`${t('card.due')}: ${money(due)} · ${t('pay.card.where')}`)];
    let why = null;
    if (!buyer) why = t('pay.role.buyers');
    else if (o.payment_method === 'credit') why = t('pay.card.credit');
    else if (!d.can_pay_by_card || (cp?.status === 'pending' && back)) why = t('pay.notnow');
    options.push({ value: 'card', current, figures, why });
  }
  // Bank transfer: paying by invoice to the payee's account.
  {
    const current = o.payment_method === 'invoice';
    const figures = [fig(`${t('pay.transfer.due')}: ${money(due)}`), ...payeePart(o, d.payee),
      el('a', { href: `#/orders/${encodeURIComponent(id)}/invoice`, 'data-testid': 'invoice-link' }, t('inv.open'))];
    let why = null;
    if (!current && !buyer) why = t('pay.role.buyers');
    else if (!current && !switchable) why = t('pay.notnow');
    options.push({ value: 'invoice', current, figures, why });
  }

  const choosable = options.filter((x) => !x.current && !x.why);
  const list = el('div', { class: 'pay-options', role: 'radiogroup', 'aria-label': t('pay.choice') }, options.map((x) => {
    const radio = el('input', { type: 'radio', name: 'method', value: x.value, disabled: x.current || Boolean(x.why), 'data-testid': `pay-radio-${x.value}` });
    return el('label', { class: `pay-option${x.current ? ' current' : ''}${x.why ? ' unavailable' : ''}`, 'data-testid': `pay-option-${x.value}`, 'data-available': x.why || x.current ? 'false' : 'true' },
      el('span', { class: 'pay-head' }, radio, el('strong', {}, t(`pay.opt.${x.value}`)), x.current ? el('span', { class: 'badge' }, t('pay.current')) : ''),
      el('span', { class: 'pay-figures', 'data-testid': `pay-figures-${x.value}` }, ...x.figures),
      x.why ? el('span', { class: 'pay-why muted', 'data-testid': `pay-why-${x.value}` }, x.why) : '');
  }));
  const shipToday = switchable
    ? el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'ship_today', 'data-testid': 'ship-today' }), t('ord.shiptoday'), el('span', { class: 'muted' }, ` (${t('pay.shiptoday.hint')})`))
    : '';
  const status = el('p', { class: 'error', hidden: true, role: 'alert', 'data-testid': 'pay-error' });
  const parts = [el('h2', { id: 'pay-heading' }, t('pay.choice'))];
  if (!choosable.length) {
    return [...parts, el('div', { 'data-testid': 'payment-choice' }, list)];
  }
  const f = moneyForm('payment-choice-form', [list, shipToday, status], 'pay.choose', (data) => {
    const method = data.get('method');
    status.hidden = true;
    if (!method) {
      status.textContent = t('pay.pick');
      status.hidden = false;
      // On a phone the button sits at the bottom of the screen, far from the options.
      showPayment();
      return null;
    }
    const today = data.get('ship_today') === 'on' ? t('pay.ship.today') : '';
    const amount = [t('fin.amount'), money(due)];
    if (method === 'credit') {
      return { title: t('pay.confirm.credit'), facts: [amount, [t('pay.credit.now'), money(pos.available_kop)], [t('pay.credit.after'), money(pos.available_kop - due)]],
        notes: [t('pay.ship.credit'), today] };
    }
    if (method === 'internal_account') {
      return { title: t('pay.confirm.account'), facts: [amount, [t('pay.account.now'), money(account.available_kop)], [t('pay.account.after'), money(account.available_kop - due)]],
        notes: [t('pay.ship.account')] };
    }
    if (method === 'card') return { title: t('pay.confirm.card'), facts: [amount], notes: [t('pay.ship.card')] };
    const released = pos && o.payment_method === 'credit' && !pos.blocked ? [[t('pay.credit.after'), money(pos.available_kop + due)]] : [];
    return { title: t('pay.confirm.invoice'), facts: [amount, ...released], notes: [t('pay.ship.invoice'), today] };
  }, (data, key) => {
    const method = data.get('method');
    if (method === 'internal_account') return api('POST', '/api/finance/account/payments', { order_id: id }, { key });
    if (method === 'card') return api('POST', `/api/orders/orders/${id}/card-payments`, undefined, { key });
    return api('POST', `/api/orders/orders/${id}/payment-method`, { version: o.version, payment_method: method, ship_today: data.get('ship_today') === 'on' }, { key });
  }, (r) => {
    if (r?.confirmation_url) location.href = r.confirmation_url;
    else refresh();
  });
  f.setAttribute('data-testid', 'payment-choice');
  // The order page's main action: on a phone it stays at the bottom of the screen, in a thumb's
  // reach (app.css), and brings the options into view until one is chosen.
  const submit = f.querySelector('button[type=submit]');
  submit.classList.add('main-action');
  submit.setAttribute('data-testid', 'main-action');
  return [...parts, f];
}

/** Repeat into a draft: the old order's lines at today's prices with today's stock, quantities
 * editable, lines that cannot be ordered flagged and left out, the total recomputed; sent through
 * the confirmation as a new order. */
async function renderRepeat(id) {
  const d = await api('GET', `/api/orders/orders/${encodeURIComponent(id)}/repeat-draft`);
  const qty = (input) => {
    const v = Number(input.value.trim().replace(',', '.'));
    return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : 0;
  };
  const inputs = [];
  const amounts = new Map();
  const rows = d.lines.map((l) => {
    const amount = el('span', { 'data-testid': `draft-amount-${l.line_no}` }, l.available ? money(l.amount_kop) : '—');
    let cell;
    if (l.available) {
      const input = el('input', { name: `qty-${l.line_no}`, value: String(l.qty_milli / 1000), inputMode: 'decimal', size: 6,
        'aria-label': `${t('ord.qty')} ${l.article}`, 'data-line': String(l.line_no), 'data-price': String(l.price_kop) });
      inputs.push(input);
      amounts.set(input, amount);
      cell = input;
    } else {
      cell = el('span', { class: 'error', 'data-testid': `draft-why-${l.line_no}` }, `${t('rep.unavailable')}: ${lang() === 'en' ? l.reason_en : l.reason_ru}`);
    }
    return el('tr', { class: l.available ? '' : 'unavailable', 'data-testid': `draft-line-${l.line_no}`, 'data-available': String(l.available) },
      ...[[l.article, 'ord.article'], [l.name, 'col.name'], [money(l.was_price_kop), 'rep.wasprice'], [l.price_kop == null ? '—' : money(l.price_kop), 'ord.price'],
        [quantity(l.stock_milli), 'ord.stock'], [cell, 'ord.qty'], [amount, 'fin.amount']].map(([v, c]) => el('td', { 'data-label': t(c) }, v)));
  });
  const lines = el('div', { class: 'table-wrap' }, el('table', { 'data-testid': 'draft-lines' },
    el('thead', {}, el('tr', {}, ['ord.article', 'col.name', 'rep.wasprice', 'ord.price', 'ord.stock', 'ord.qty', 'fin.amount'].map((c) => el('th', { scope: 'col' }, t(c))))),
    el('tbody', {}, rows)));
  const total = el('strong', { 'data-testid': 'draft-total' }, '');
  const chosen = () => inputs.filter((i) => qty(i) > 0);
  const sum = () => chosen().reduce((s, i) => s + Math.floor((qty(i) * Number(i.dataset.price) + 500) / 1000), 0);
  const recompute = () => {
    for (const i of inputs) amounts.get(i).textContent = qty(i) > 0 ? money(Math.floor((qty(i) * Number(i.dataset.price) + 500) / 1000)) : '—';
    total.textContent = money(sum());
  };
  for (const i of inputs) i.addEventListener('input', recompute);
  recompute();
  const status = el('p', { class: 'error', hidden: true, role: 'alert' });
  const left = d.lines.filter((l) => !l.available);
  const f = moneyForm('repeat-draft-form', [lines, el('p', {}, `${t('fin.total')}: `, total), status], 'rep.send', () => {
    status.hidden = true;
    if (!chosen().length) {
      status.textContent = t('rep.empty');
      status.hidden = false;
      return null;
    }
    return { title: t('rep.confirm'), confirmKey: 'rep.yes',
      facts: [[t('fin.total'), money(sum())], [t('rep.count'), String(chosen().length)], [t('ord.payment'), t('ord.pm.invoice')]],
      notes: [left.length ? `${t('rep.left')}: ${left.map((l) => l.article).join(', ')}.` : '', t('rep.ship')] };
  }, (_, key) => api('POST', `/api/orders/orders/${encodeURIComponent(id)}/repeat-draft`,
    { lines: chosen().map((i) => ({ line_no: Number(i.dataset.line), quantity: String(qty(i) / 1000) })) }, { key }),
  (r) => { location.hash = `#/orders/${r.id}`; });
  return [
    el('p', {}, el('a', { href: `#/orders/${encodeURIComponent(id)}` }, t('inv.back'))),
    el('h1', {}, `${t('rep.title')} ${d.order.onec_number ?? d.order.number}`),
    el('p', { class: 'muted' }, t('rep.hint')),
    f,
  ];
}

export function ordersSection(me, refresh) {
  const [, rest = '', sub] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
  if (rest && sub === 'invoice') return renderInvoice(decodeURIComponent(rest));
  if (rest && sub === 'repeat') return renderRepeat(decodeURIComponent(rest));
  return rest ? renderOrder(decodeURIComponent(rest), me, refresh) : renderList(me);
}

