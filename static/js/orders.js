// The orders section: the company's orders with filters kept in the URL (a filtered list can be
// bookmarked and shared), totals, CSV of the filtered set, and the order page.
import { api } from './api.js';
import { t, money, dateTime, date } from './i18n.js';
import { el, table, field, form } from './dom.js';

const STATUSES = ['draft', 'awaiting_payment', 'reserved', 'paid', 'partly_shipped', 'shipped', 'cancelled'];
const FILTERS = ['from', 'to', 'ship_from', 'ship_to', 'status', 'number', 'q', 'author', 'legal_entity', 'sort'];

const statusText = (o) => t(`ord.status.${o.status}`) + (o.changes_waiting ? ` · ${t('ord.waiting')}` : '');

function currentQuery() {
  const [, query = ''] = location.hash.split('?');
  return new URLSearchParams(query);
}

function listForm(q) {
  const statusBoxes = el('fieldset', { class: 'roles' }, el('legend', {}, t('col.status')),
    STATUSES.map((s) => el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'status', value: s, checked: (q.get('status') ?? '').split(',').includes(s) }), t(`ord.status.${s}`))));
  const sort = el('select', { name: 'sort' }, ['date_desc', 'date_asc', 'amount_desc', 'amount_asc'].map((s) => el('option', { value: s, selected: (q.get('sort') ?? 'date_desc') === s }, t(`ord.sort.${s}`))));
  const f = el('form', { class: 'filters', id: 'order-filters' },
    field('from', 'ord.from', q.get('from'), { type: 'date' }), field('to', 'ord.to', q.get('to'), { type: 'date' }),
    field('ship_from', 'ord.shipfrom', q.get('ship_from'), { type: 'date' }), field('ship_to', 'ord.shipto', q.get('ship_to'), { type: 'date' }),
    field('number', 'ord.number', q.get('number')), field('q', 'ord.contains', q.get('q')),
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
    // Keep filters the form does not show (author, legal entity from a shared link).
    for (const k of ['author', 'legal_entity']) if (q.get(k)) next.set(k, q.get(k));
    location.hash = `#/orders?${next}`;
  });
  return f;
}

async function renderList() {
  const q = currentQuery();
  const data = await api('GET', `/api/orders/orders?${q}`);
  const rows = data.items.map((o) => [
    el('a', { href: `#/orders/${o.id}` }, o.number), o.onec_number ?? '', dateTime(o.ordered_at), statusText(o), o.legal_entity ?? '', o.author ?? '',
    money(o.total_kop), o.planned_shipping_date ? date(o.planned_shipping_date) : '',
  ]);
  const parts = [
    el('h1', {}, t('nav.orders')), listForm(q),
    el('p', { 'data-testid': 'order-totals' }, `${t('ord.count')}: ${data.totals.count} · ${t('fin.amount')}: ${money(data.totals.total_kop)} `,
      el('a', { href: `/api/orders/orders.csv?${q}`, download: '', 'data-testid': 'orders-csv' }, t('fin.csv'))),
    table(['ord.number', 'ord.onecnumber', 'ord.date', 'col.status', 'home.legal', 'ord.author', 'fin.amount', 'ord.shipping'], rows, { 'data-testid': 'orders' }),
  ];
  if (data.next_cursor) {
    const more = new URLSearchParams(q);
    more.set('cursor', data.next_cursor);
    parts.push(el('a', { href: `#/orders?${more}`, 'data-testid': 'next-page' }, t('ord.next')));
  }
  return parts;
}

async function renderOrder(id, me, refresh) {
  const d = await api('GET', `/api/orders/orders/${id}`);
  const o = d.order;
  const parts = [el('h1', {}, `${t('ord.order')} ${o.number}`), el('p', { class: 'muted' }, `${statusText({ status: o.status })} · ${dateTime(o.ordered_at)} · ${o.legal_entity ?? ''}`)];
  if (d.change) {
    const text = d.change.state === 'rejected' ? `${t('sync.rejected')}: ${d.change.reason ?? ''}` : t(`sync.${d.change.state}`);
    parts.push(el('p', { class: `sync sync-${d.change.state}`, 'data-testid': 'order-change' }, `${t(`ord.kind.${d.change.kind}`)} — ${text}`));
  }
  parts.push(table(['ord.article', 'col.name', 'ord.qty', 'ord.unit', 'ord.price', 'fin.amount', 'ord.vat'],
    d.lines.map((l) => [l.article, l.name, (l.qty_milli / 1000).toLocaleString('ru-RU'), l.unit, money(l.price_kop), money(l.amount_kop), money(l.vat_kop)]), { 'data-testid': 'order-lines' }));
  parts.push(el('p', {}, `${t('fin.total')}: ${money(o.total_kop)} (${t('ord.vat')} ${money(o.vat_kop)}) · ${t('ord.paid')}: ${money(o.paid_kop)} · ${t('ord.payment')}: ${t(`ord.pm.${o.payment_method}`)}`));
  parts.push(el('p', {}, `${t('ord.delivery')}: ${o.delivery_method ? t(`ord.dm.${o.delivery_method}`) : '—'} ${o.delivery_address ?? ''} · ${t('ord.consignee')}: ${o.consignee ?? '—'} · ${t('ord.shipping')}: ${o.planned_shipping_date ? date(o.planned_shipping_date) : '—'}`));
  if (d.shipments.length) {
    parts.push(el('h2', {}, t('ord.shipments')), table(['ord.number', 'ord.date', 'ord.vehicle', 'ord.docs'],
      d.shipments.map((s) => [s.number, s.shipped_at ? dateTime(s.shipped_at) : '', s.vehicle ?? '', (s.documents ?? []).join(', ')])));
  }
  if (d.documents.length) {
    parts.push(el('h2', {}, t('nav.documents')), table(['audit.kind', 'ord.number', 'ord.date', 'fin.amount'],
      d.documents.map((x) => [x.kind_name, el('a', { href: `#/documents/doc/${encodeURIComponent(x.id)}` }, x.number), date(x.doc_date.slice(0, 10)), money(x.amount_kop)])),
      el('p', {}, el('a', { href: `#/documents/order/${id}`, 'data-testid': 'order-docs' }, t('doc.fullset'))));
  }
  parts.push(...cardPart(id, d, me, refresh));
  if (d.can_cancel && me.user.roles.some((r) => r === 'admin' || r === 'buyer') && d.change?.state !== 'pending') {
    parts.push(el('details', {}, el('summary', {}, t('ord.cancel')), form('cancel-form', [field('reason', 'ord.reason', '')], 'ord.cancelsend',
      (f) => api('POST', `/api/orders/orders/${id}/cancellation`, { version: o.version, reason: f.get('reason') || null }), refresh)));
  }
  if (d.can_cancel && me.user.roles.some((r) => r === 'admin' || r === 'buyer') && d.change?.state !== 'pending') {
    parts.push(await editForm(id, o, d.lines, refresh));
  }
  if (d.can_cancel && me.user.roles.some((r) => r === 'admin' || r === 'buyer') && d.change?.state !== 'pending' && ['invoice', 'credit'].includes(o.payment_method)) {
    const other = o.payment_method === 'credit' ? 'invoice' : 'credit';
    parts.push(form('payment-method-form', [el('p', {}, `${t('ord.payment')}: ${t(`ord.pm.${o.payment_method}`)} → ${t(`ord.pm.${other}`)}`)], 'ord.switchpm',
      () => api('POST', `/api/orders/orders/${id}/payment-method`, { version: o.version, payment_method: other }), refresh));
  }
  if (me.user.roles.some((r) => r === 'admin' || r === 'buyer')) {
    parts.push(form('repeat-form', [], 'ord.repeat', () => api('POST', `/api/orders/orders/${id}/repeat`), (r) => { location.hash = `#/orders/${r.id}`; }));
  }
  if (d.history.length) {
    parts.push(el('h2', {}, t('ord.history')), table(['audit.at', 'audit.who', 'audit.kind', 'audit.answer'],
      d.history.map((h) => [dateTime(h.at), h.user ?? t('audit.onec'), h.kind, h.onec_answer?.status ? (h.onec_answer.status === 'rejected' ? `${t('sync.rejected')}: ${h.onec_answer.reason ?? ''}` : t(`audit.${h.onec_answer.status}`)) : ''])));
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
  const qtyInputs = lines.map((l) => el('input', { name: `qty-${l.line_no}`, value: String(l.qty_milli / 1000), inputMode: 'decimal', size: 6, 'data-article': l.article, 'data-product': l.product_id ?? '' }));
  const linesTable = table(['ord.article', 'col.name', 'ord.qty'], lines.map((l, i) => [l.article, l.name, qtyInputs[i]]));
  const paste = el('textarea', { name: 'paste', rows: 3, placeholder: 'AZ-100;2' });
  const delivery = el('select', { name: 'delivery_method' }, el('option', { value: '' }, '—'),
    ['pickup', 'delivery', 'transport_company'].map((m) => el('option', { value: m, selected: o.delivery_method === m }, t(`ord.dm.${m}`))));
  const consignee = el('select', { name: 'consignee_id' }, el('option', { value: '' }, '—'), consignees.map((c) => el('option', { value: c.id }, c.name)));
  const f = form('edit-form', [
    linesTable, el('label', {}, el('span', {}, t('ord.paste')), paste),
    el('label', {}, el('span', {}, t('ord.delivery')), delivery), field('delivery_address', 'cons.address', o.delivery_address ?? ''),
    field('planned_shipping_date', 'ord.shipping', o.planned_shipping_date ?? '', { type: 'date' }),
    el('label', {}, el('span', {}, t('ord.consignee')), consignee),
  ], 'ord.sendchange', async (data) => {
    const body = { version: o.version };
    const kept = qtyInputs.filter((q) => q.value.trim() !== '' && q.value.trim() !== '0').map((q) => (q.dataset.product ? { product_id: q.dataset.product, quantity: q.value.trim() } : { article: q.dataset.article, quantity: q.value.trim() }));
    const changedLines = kept.length !== lines.length || kept.some((k, i) => Number(k.quantity.replace(',', '.')) !== lines[i].qty_milli / 1000) || data.get('paste');
    if (changedLines) {
      body.lines = kept;
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
  const [, rest = ''] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
  return rest ? renderOrder(decodeURIComponent(rest), me, refresh) : renderList();
}

