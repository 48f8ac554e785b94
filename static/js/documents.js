// The documents section: the company's documents with filters, one document as a readable
// table, an order's full set with its ZIP, and reconciliation acts (requests, history, the
// preliminary act and the official one with the differences highlighted). A corrected УПД (ИУПД)
// shows as its current version with "Исправление № N от …"; its page lists the versions, and the
// original's page says what corrected it. A УКД shows under every УПД it corrects.
import { api } from './api.js';
import { t, money, dateTime, date, lang, docKind } from './i18n.js';
import { el, table, form, problemMessage, foldable } from './dom.js';

const canActs = (me) => me.user.roles.some((r) => r === 'admin' || r === 'accountant');

/** Quantities come in thousandths: 12 500 -> "12,5". */
function qty(milli) {
  return new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'ru-RU', { maximumFractionDigits: 3 }).format(milli / 1000);
}

/** "1 234,56" or "1234.56" rubles -> kopecks; empty -> null. */
function rublesToKop(s) {
  const v = String(s ?? '').replace(/\s/g, '').replace(',', '.');
  if (!v) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n * 100) : NaN;
}

/** The Moscow calendar date of a UTC instant: 12.08.2026. */
const dayOf = (iso) => new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'ru-RU', { dateStyle: 'short', timeZone: 'Europe/Moscow' }).format(new Date(iso));

/** "Исправление № 2 от 12.08.2026" for an ИУПД; empty for an original. */
const fixText = (d) => (d.correction_no ? `${t('doc.fix')} № ${d.correction_no} ${t('doc.of')} ${dayOf(d.correction_date)}` : '');

/** 1C's VAT rate as sent ("22%"); "none" is "без НДС" / "VAT-free". */
const vatRate = (r) => (r == null || r === 'none' ? t('doc.novat') : r);

/** The portal's ЭДО status in words; 1C's own state name in the tooltip. */
const edoCell = (d) => (d.edo_status ? el('span', { class: `edo edo-${d.edo_status}`, title: d.edo_state ?? '', 'data-testid': 'edo' }, t(`edo.${d.edo_status}`)) : '');

const kindName = (d) => docKind(d.kind, d.kind_name) + (d.upd_status ? ` (${t('doc.status')} ${d.upd_status})` : '');

function fileLinks(files) {
  return el('span', { class: 'files' }, files.map((f) => el('a', { href: `/api/documents/files/${encodeURIComponent(f.id)}`, download: '', class: 'file', 'data-testid': 'file-link' },
    `${f.role === 'fns_xml' ? 'XML' : f.role === 'print' ? 'PDF' : t('doc.file')}`)));
}

function orderLinks(orders) {
  return el('span', {}, orders.flatMap((o, i) => [i ? ', ' : '', o.order_id
    ? el('a', { href: `#/documents/order/${encodeURIComponent(o.order_id)}` }, o.order_number)
    : o.order_onec_id]));
}

function tabs(me, active) {
  if (!canActs(me)) return '';
  return el('nav', { class: 'tabs' },
    el('a', { href: '#/documents', class: active === 'docs' ? 'active' : '' }, t('doc.list')),
    el('a', { href: '#/documents/acts', class: active === 'acts' ? 'active' : '', 'data-testid': 'acts-tab' }, t('act.title')));
}

function docRows(items) {
  return items.map((d) => [
    el('span', {}, el('a', { href: `#/documents/doc/${encodeURIComponent(d.id)}`, 'data-testid': 'doc-link' }, d.number),
      d.correction_no ? el('div', { class: 'muted', 'data-testid': 'doc-fix' }, fixText(d)) : '',
      // In an order's set: the УКД correcting this document (one may correct several УПД).
      (d.corrections ?? []).length ? el('div', { class: 'muted', 'data-testid': 'doc-corrections' }, `${t('doc.correction')}: `,
        d.corrections.flatMap((c, i) => [i ? ', ' : '', el('a', { href: `#/documents/doc/${encodeURIComponent(c.id)}` }, `${docKind(c.kind, c.kind_name)} № ${c.number}`)])) : ''),
    dateTime(d.doc_date), kindName(d), d.legal_entity ?? '', money(d.amount_kop), money(d.vat_kop),
    orderLinks(d.orders), edoCell(d), fileLinks(d.files)]);
}

const DOC_COLUMNS = ['doc.number', 'doc.date', 'doc.kind', 'doc.legal', 'doc.amount', 'doc.vat', 'doc.orders', 'doc.edo', 'doc.files'];

async function listPage(me) {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const filters = el('form', { class: 'filters', id: 'doc-filters' },
    el('label', {}, el('span', {}, t('doc.kind')), el('select', { name: 'kind' },
      el('option', { value: '' }, t('doc.allkinds')),
      ['invoice', 'upd', 'ukd', 'other'].map((k) => el('option', { value: k, selected: params.get('kind') === k }, t(`doc.kind.${k}`))))),
    el('label', {}, el('span', {}, t('audit.from')), el('input', { type: 'date', name: 'from', value: params.get('from') ?? '' })),
    el('label', {}, el('span', {}, t('audit.to')), el('input', { type: 'date', name: 'to', value: params.get('to') ?? '' })),
    el('label', {}, el('span', {}, t('doc.order')), el('input', { name: 'order', value: params.get('order') ?? '', maxLength: 40 })),
    el('label', {}, el('span', {}, t('doc.min')), el('input', { name: 'min', inputMode: 'decimal', value: params.get('min') ?? '' })),
    el('label', {}, el('span', {}, t('doc.max')), el('input', { name: 'max', inputMode: 'decimal', value: params.get('max') ?? '' })),
    el('label', {}, el('span', {}, t('doc.q')), el('input', { name: 'q', value: params.get('q') ?? '', maxLength: 40, 'data-testid': 'doc-q' })),
    el('button', { type: 'submit' }, t('audit.filter')));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(filters)) if (String(v).trim()) q.set(k, String(v).trim());
    location.hash = `#/documents?${q}`;
  });
  const query = new URLSearchParams();
  for (const k of ['kind', 'from', 'to', 'order', 'q']) if (params.get(k)) query.set(k, params.get(k));
  for (const [k, name] of [['min', 'min_kop'], ['max', 'max_kop']]) {
    const kop = rublesToKop(params.get(k));
    if (kop !== null && !Number.isNaN(kop)) query.set(name, String(kop));
  }
  const status = el('p', { class: 'error', hidden: true, role: 'alert' });
  const tbody = el('tbody');
  const wrap = el('div', { class: 'table-wrap' }, el('table', { 'data-testid': 'documents' },
    el('thead', {}, el('tr', {}, DOC_COLUMNS.map((c) => el('th', { scope: 'col' }, t(c))))), tbody));
  const more = el('button', { type: 'button', class: 'secondary', hidden: true }, t('doc.more'));
  const empty = el('p', { class: 'muted', hidden: true }, t('doc.none'));
  let cursor = null;
  const load = async () => {
    const q = new URLSearchParams(query);
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await api('GET', `/api/documents/documents?${q}`);
      for (const r of docRows(page.items)) tbody.append(el('tr', {}, r.map((cell, i) => el('td', { 'data-label': t(DOC_COLUMNS[i]) }, cell))));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      empty.hidden = tbody.children.length > 0;
    } catch (e) {
      status.textContent = problemMessage(e.problem);
      status.hidden = false;
    }
  };
  more.addEventListener('click', load);
  await load();
  // Folded on a phone like the order list's (the documents come first), open when a filter is set.
  const folded = foldable('ord.filters', filters, ['kind', 'from', 'to', 'order', 'min', 'max', 'q'].some((k) => params.get(k)));
  return [el('h1', {}, t('nav.documents')), tabs(me, 'docs'), folded, status, wrap, empty, more];
}

async function documentPage(id) {
  const d = await api('GET', `/api/documents/documents/${encodeURIComponent(id)}`);
  const doc = d.document;
  const facts = [
    [t('doc.kind'), kindName(doc)], [t('doc.date'), dateTime(doc.doc_date)],
    [t('doc.legal'), `${doc.legal_entity ?? ''}${d.legal_entity_inn ? `, ${t('col.inn')} ${d.legal_entity_inn}` : ''}`],
    [t('doc.orders'), orderLinks(doc.orders)],
  ];
  if (d.shipment) facts.push([t('doc.shipment'), `${d.shipment.number}${d.shipment.vehicle ? ` · ${d.shipment.vehicle}` : ''}`]);
  if (doc.correction_no) facts.push([t('doc.fixof'), fixText(doc)]);
  if (doc.edo_status) facts.push([t('doc.edo'), edoCell(doc)]);
  for (const c of d.corrects) {
    facts.push([t('doc.corrects'), c.id ? el('a', { href: `#/documents/doc/${encodeURIComponent(c.id)}` }, `${docKind(c.kind, c.kind_name)} № ${c.number}`) : c.onec_id]);
  }
  for (const c of d.corrections) facts.push([t('doc.correction'), el('a', { href: `#/documents/doc/${encodeURIComponent(c.id)}` }, `${docKind(c.kind, c.kind_name)} № ${c.number} (${money(c.amount_kop)})`)]);
  const bases = d.lines.some((l) => l.base_id);
  const cols = ['doc.line', 'doc.article', 'col.name', 'doc.qty', 'doc.unit', 'doc.okei', 'doc.price', 'doc.net', 'doc.vatrate', 'doc.vat', 'doc.amount', ...(bases ? ['doc.base'] : [])];
  const lines = table(cols,
    d.lines.map((l) => [String(l.line_no), l.article ?? '', l.name, qty(l.quantity_milli), l.unit ?? '', l.unit_code ?? '', money(l.price_kop), money(l.amount_net_kop),
      vatRate(l.vat_rate), money(l.vat_kop), money(l.amount_kop),
      ...(bases ? [l.base_id ? `${l.base_number ?? l.base_id}${l.base_line_no ? `, ${t('doc.line')} ${l.base_line_no}` : ''}` : ''] : [])]), { 'data-testid': 'lines' });
  // The original of a corrected УПД says what replaced it; every version lists the history.
  const correctedBy = d.corrected_by ? el('p', { class: 'notice', 'data-testid': 'corrected-by' }, `${t('doc.correctedby')}: `,
    el('a', { href: `#/documents/doc/${encodeURIComponent(d.corrected_by.id)}` }, `${t('doc.iupd')} № ${d.corrected_by.number}, ${fixText(d.corrected_by).toLowerCase()}`)) : '';
  const history = d.history.length ? [el('h2', {}, t('doc.history')), el('ul', { 'data-testid': 'doc-history' }, d.history.map((v) => el('li', {},
    v.id === doc.id ? el('strong', {}, v.correction_no ? fixText(v) : `${t('doc.original')} ${t('doc.of')} ${dateTime(v.doc_date)}`)
      : el('a', { href: `#/documents/doc/${encodeURIComponent(v.id)}` }, v.correction_no ? fixText(v) : `${t('doc.original')} ${t('doc.of')} ${dateTime(v.doc_date)}`),
    v.current ? ` — ${t('doc.current')}` : '')))] : [];
  return [
    el('p', {}, el('a', { href: '#/documents' }, `← ${t('doc.list')}`)),
    el('h1', {}, `${docKind(doc.kind, doc.kind_name)} № ${doc.number}`),
    correctedBy,
    el('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    ...history,
    el('h2', {}, t('doc.lines')), lines,
    el('p', { 'data-testid': 'totals' }, `${t('doc.net')}: ${money(d.totals.amount_net_kop)} · ${t('doc.vat')}: ${money(d.totals.vat_kop)} · ${t('doc.total')}: ${money(d.totals.amount_kop)}`),
    el('h2', {}, t('doc.files')),
    el('ul', {}, doc.files.map((f) => el('li', {}, el('a', { href: `/api/documents/files/${encodeURIComponent(f.id)}`, download: '' }, f.name), ` (${Math.ceil(f.size / 1024)} ${t('doc.kb')})`))),
  ];
}

async function orderPage(id) {
  const s = await api('GET', `/api/documents/orders/${encodeURIComponent(id)}`);
  const groups = [];
  const byShipment = new Map();
  for (const d of s.items) {
    const key = d.shipment_number ?? '';
    if (!byShipment.has(key)) byShipment.set(key, []);
    byShipment.get(key).push(d);
  }
  for (const [key, docs] of byShipment) {
    const sh = s.shipments.find((x) => x.number === key);
    groups.push(el('h2', {}, key ? `${t('doc.shipment')} ${key}${sh?.vehicle ? ` · ${sh.vehicle}` : ''}${sh?.shipped_at ? ` · ${dateTime(sh.shipped_at)}` : ''}` : t('doc.orderdocs')));
    groups.push(table(DOC_COLUMNS, docRows(docs), { 'data-testid': 'order-documents' }));
  }
  return [
    el('p', {}, el('a', { href: '#/documents' }, `← ${t('doc.list')}`)),
    el('h1', {}, `${t('doc.fullset')} ${s.order.number}`),
    el('p', { class: 'muted' }, `${dateTime(s.order.ordered_at)} · ${money(s.order.total_kop)} · ${t('doc.shipments')}: ${s.shipments.length}`),
    s.file_count ? el('p', {}, el('a', { href: `/api/documents/orders/${encodeURIComponent(id)}/archive`, download: '', 'data-testid': 'zip-link' }, `${t('doc.zip')} (${s.file_count})`)) : '',
    ...(s.items.length ? groups : [el('p', { class: 'muted' }, t('doc.none'))]),
  ];
}

const actStatus = (s) => el('span', { class: `act-status act-${s}`, 'data-testid': 'act-status' }, t(`act.status.${s}`));

async function actsPage(me, refresh) {
  const h = await api('GET', '/api/documents/acts');
  const agreementSelect = el('select', { name: 'agreement_id' });
  const leSelect = el('select', { name: 'legal_entity_id', required: true }, h.legal_entities.map((l) => el('option', { value: l.id }, l.name)));
  const fillAgreements = () => {
    agreementSelect.replaceChildren(el('option', { value: '' }, t('act.allagreements')),
      ...h.agreements.filter((a) => a.legal_entity_id === leSelect.value || a.legal_entity_id == null).map((a) => el('option', { value: a.id }, a.name)));
  };
  leSelect.addEventListener('change', fillAgreements);
  fillAgreements();
  const presetLabel = (k) => `${t(`act.preset.${k}`)} (${date(h.presets[k].from)} — ${date(h.presets[k].to)})`;
  const preset = el('select', { name: 'preset' },
    ['last_quarter', 'last_year'].map((k) => el('option', { value: k }, presetLabel(k))),
    el('option', { value: 'custom' }, t('act.preset.custom')));
  const from = el('input', { type: 'date', name: 'period_from', max: h.today });
  const to = el('input', { type: 'date', name: 'period_to', max: h.today });
  const custom = el('div', { class: 'period', hidden: true },
    el('label', {}, el('span', {}, t('audit.from')), from), el('label', {}, el('span', {}, t('audit.to')), to));
  preset.addEventListener('change', () => { custom.hidden = preset.value !== 'custom'; });
  const request = form('act-form', [
    el('label', {}, el('span', {}, t('doc.legal')), leSelect),
    el('label', {}, el('span', {}, t('col.agreement')), agreementSelect),
    el('label', {}, el('span', {}, t('act.period')), preset), custom,
  ], 'act.request', (d, key) => api('POST', '/api/documents/acts', {
    legal_entity_id: d.get('legal_entity_id'), agreement_id: d.get('agreement_id') || null, preset: d.get('preset'),
    period_from: d.get('period_from') || null, period_to: d.get('period_to') || null,
  }, { key }), (r) => { location.hash = `#/documents/acts/${encodeURIComponent(r.id)}`; });
  const history = table(['act.period', 'doc.legal', 'col.agreement', 'act.requested', 'col.status', 'act.closing'],
    h.items.map((a) => [
      el('a', { href: `#/documents/acts/${encodeURIComponent(a.id)}`, 'data-testid': 'act-link' }, `${date(a.period_from)} — ${date(a.period_to)}`),
      a.legal_entity ?? '', a.agreement ?? t('act.allagreements'),
      a.requested_by ? `${dateTime(a.requested_at)}, ${a.requested_by}` : t('act.unasked'),
      el('span', {}, actStatus(a.status), a.reason ? ` ${a.reason}` : '', a.act_number ? ` № ${a.act_number}` : ''),
      a.closing_kop == null ? '' : money(a.closing_kop)]), { 'data-testid': 'act-history' });
  request.classList.add('needs-extension');
  return [el('h1', {}, t('nav.documents')), tabs(me, 'acts'), el('h2', { class: 'needs-extension' }, t('act.new')), request, el('h2', {}, t('act.history')),
    h.items.length ? history : el('p', { class: 'muted' }, t('act.nohistory'))];
}

/** The act as a table: opening, operations, turnovers, closing; `diffs` marks what differs. */
function actTable(act, testid, stateOf) {
  const rowClass = (o, i) => {
    const s = stateOf?.(o, i);
    return s && s !== 'same' ? `diff diff-${s}` : '';
  };
  const signed = (kop) => (kop >= 0 ? `${t('act.debit')} ${money(kop)}` : `${t('act.credit')} ${money(-kop)}`);
  const body = [
    el('tr', { class: 'act-total' }, el('td', { colSpan: 2 }, t('act.opening')), el('td', { colSpan: 2, 'data-testid': `${testid}-opening` }, signed(act.opening_kop))),
    ...act.operations.map((o, i) => el('tr', { class: rowClass(o, i), 'data-state': stateOf?.(o, i) ?? '' },
      el('td', { 'data-label': t('doc.date') }, date(o.date)), el('td', { 'data-label': t('act.document') }, o.document),
      el('td', { 'data-label': t('act.debit') }, o.debit_kop ? money(o.debit_kop) : ''), el('td', { 'data-label': t('act.credit') }, o.credit_kop ? money(o.credit_kop) : ''))),
    el('tr', { class: 'act-total' }, el('td', { colSpan: 2 }, t('act.turnover')), el('td', {}, money(act.debit_kop)), el('td', {}, money(act.credit_kop))),
    el('tr', { class: 'act-total' }, el('td', { colSpan: 2 }, t('act.closing')), el('td', { colSpan: 2, 'data-testid': `${testid}-closing` }, signed(act.closing_kop))),
  ];
  return el('div', { class: 'table-wrap' }, el('table', { 'data-testid': testid },
    el('thead', {}, el('tr', {}, ['doc.date', 'act.document', 'act.debit', 'act.credit'].map((c) => el('th', { scope: 'col' }, t(c))))),
    el('tbody', {}, body)));
}

async function actPage(id, refresh) {
  const a = await api('GET', `/api/documents/acts/${encodeURIComponent(id)}`);
  const r = a.request;
  const head = r
    ? `${r.legal_entity}${r.agreement ? `, ${r.agreement}` : ''} · ${date(r.period_from)} — ${date(r.period_to)}`
    : `${a.official.legal_entity ?? ''} · ${date(a.preliminary.period_from)} — ${date(a.preliminary.period_to)}`;
  const parts = [el('p', {}, el('a', { href: '#/documents/acts' }, `← ${t('act.history')}`)), el('h1', {}, t('act.one')), el('p', {}, head), el('p', {}, actStatus(a.status))];
  if (a.status === 'rejected') parts.push(el('p', { class: 'sync sync-rejected', 'data-testid': 'act-reason' }, `${t('act.rejectedby')}: ${r.reason ?? ''}`));
  if (a.status === 'waiting') {
    parts.push(el('p', { class: 'sync sync-pending' }, t(a.delivery === 'failed' ? 'sync.failed' : 'act.waiting')));
    setTimeout(() => { if (location.hash === `#/documents/acts/${id}`) refresh(); }, 5000);
  }
  if (a.official) {
    const cmp = a.comparison;
    const o = a.official;
    parts.push(el('h2', {}, `${t('act.official')}${o.number ? ` № ${o.number}` : ''}`),
      el('p', { class: 'muted' }, `${t('act.received')}: ${dateTime(o.received_at)}`),
      ...o.files.map((f) => el('p', {}, el('a', { href: `/api/documents/acts/${encodeURIComponent(id)}/files/${f.no}`, download: '', 'data-testid': 'act-pdf' }, `${t('act.pdf')}: ${f.name}`))),
      actTable(o.act, 'official', (_, i) => cmp.operations.filter((d) => d.official)[i]?.state));
    if (cmp.equal) {
      parts.push(el('p', { class: 'sync sync-accepted', 'data-testid': 'act-equal' }, t('act.equal')));
    } else {
      const b = cmp.balances;
      const diffs = [['act.opening', b.opening_kop], ['act.debitturnover', b.debit_kop], ['act.creditturnover', b.credit_kop], ['act.closing', b.closing_kop]]
        .filter(([, v]) => v !== 0).map(([k, v]) => `${t(k)}: ${v > 0 ? '+' : ''}${money(v)}`);
      parts.push(el('div', { class: 'notice', 'data-testid': 'act-differences' },
        el('strong', {}, t('act.differences')), diffs.length ? el('p', {}, diffs.join(' · ')) : '',
        el('ul', {}, cmp.operations.filter((d) => d.state !== 'same').map((d) => {
          const op = d.official ?? d.preliminary;
          const amounts = (x) => (x ? `${money(x.debit_kop)} / ${money(x.credit_kop)}` : '—');
          return el('li', { class: `diff-${d.state}` }, `${t(`act.diff.${d.state}`)}: ${date(op.date)} ${op.document}`,
            d.state === 'differs' ? ` — ${t('act.inact')} ${amounts(d.official)}, ${t('act.inportal')} ${amounts(d.preliminary)}` : '');
        }))));
    }
  }
  const p = a.preliminary;
  parts.push(el('h2', {}, t('act.preliminary')),
    el('p', { class: 'notice', 'data-testid': 'act-preliminary-note' }, `${t('act.preliminarynote')} ${p.base_as_of ? `${t('act.base')} ${date(p.base_as_of)}.` : t('act.nobase')}`),
    actTable(p, 'preliminary', a.comparison ? (op) => a.comparison.operations.find((d) => d.preliminary
      && d.preliminary.document_id === op.document_id && d.preliminary.date === op.date)?.state : null));
  return parts;
}

export async function documentsSections(me, refresh) {
  const [, sub, id] = location.hash.split('?')[0].replace(/^#\/?/, '').split('/');
  if (sub === 'doc' && id) return documentPage(decodeURIComponent(id));
  if (sub === 'order' && id) return orderPage(decodeURIComponent(id));
  if (sub === 'acts' && canActs(me)) return id ? actPage(decodeURIComponent(id), refresh) : actsPage(me, refresh);
  return listPage(me);
}
