// The returns section: the company's returns with a status filter, a new return (a whole order or
// chosen lines, only what was shipped and not yet returned), and a return page with 1C's decision,
// the refund credited to the internal account, photos and history.
import { api, ApiError } from './api.js';
import { t, lang, money, dateTime, problemText, quantity } from './i18n.js';
import { el, table, problemMessage } from './dom.js';
import { Action, busy, failureText } from './actions.js';

const STATUSES = ['requested', 'approved', 'rejected', 'completed'];
const REASONS = ['defect', 'wrong_item', 'surplus', 'other'];
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

// Quantities in the page's language (1 500,5 in Russian, 1,500.5 in English).
const qty = quantity;
const canRequest = (me) => me.user.roles.some((r) => r === 'admin' || r === 'buyer');
const statusBadge = (s) => el('span', { class: `badge ret-${s}`, 'data-status': s }, t(`ret.status.${s}`));

function query() {
  const [, q = ''] = location.hash.split('?');
  return new URLSearchParams(q);
}

async function renderList(me) {
  const q = query();
  const status = q.get('status') ?? '';
  const data = await api('GET', `/api/returns/returns?${q}`);
  const select = el('select', { name: 'status', 'data-testid': 'return-status-filter' },
    el('option', { value: '' }, t('ret.all')), STATUSES.map((s) => el('option', { value: s, selected: s === status }, t(`ret.status.${s}`))));
  select.addEventListener('change', () => { location.hash = select.value ? `#/returns?status=${select.value}` : '#/returns'; });
  const parts = [el('h1', {}, t('nav.returns'))];
  if (canRequest(me)) parts.push(el('p', { class: 'needs-extension' }, el('a', { href: '#/returns/new', class: 'button', 'data-testid': 'new-return' }, t('ret.new'))));
  // Stock-only (no 1C extension): returns go through the manager.
  if (me.stock_only) parts.push(el('p', { class: 'muted', 'data-testid': 'returns-by-manager' }, t('ret.bymanager')));
  parts.push(el('label', { class: 'inline' }, el('span', {}, `${t('col.status')}: `), select));
  if (!data.items.length) {
    parts.push(el('p', { class: 'muted', 'data-testid': 'returns-empty' }, t('ret.none')));
  } else {
    parts.push(table(['ret.number', 'fin.order', 'ord.date', 'col.status', 'ret.reason', 'ret.lines', 'ret.requested', 'ret.refund'],
      data.items.map((r) => [
        el('a', { href: `#/returns/${r.id}` }, r.number ?? t('ret.nonumber')), r.order_number, dateTime(r.created_at), statusBadge(r.status),
        r.reason_code ? t(`ret.reason.${r.reason_code}`) : '', String(r.line_count), money(r.requested_kop), r.refund_kop ? money(r.refund_kop) : '—',
      ]), { 'data-testid': 'returns' }));
  }
  if (data.next_cursor) {
    const more = new URLSearchParams(q);
    more.set('cursor', data.next_cursor);
    parts.push(el('a', { href: `#/returns?${more}`, 'data-testid': 'next-page' }, t('ord.next')));
  }
  return parts;
}

/** Photos go up one by one after the return exists; a refused one is reported, the rest go on. */
async function uploadPhotos(id, files) {
  const problems = [];
  for (const f of files) {
    const resp = await fetch(`/api/returns/returns/${id}/photos`, {
      method: 'POST', credentials: 'same-origin', body: f,
      headers: { 'Content-Type': f.type || 'application/octet-stream', 'Accept-Language': lang() === 'en' ? 'en' : 'ru' },
    });
    if (!resp.ok) problems.push(`${f.name}: ${problemText(await resp.json().catch(() => null))}`);
  }
  return problems;
}

/** Checked before sending, so a wrong file never costs the whole request. */
function photoProblems(files) {
  return files.flatMap((f) => {
    if (!PHOTO_TYPES.includes(f.type)) return [`${f.name}: ${t('ret.photo.type')}`];
    if (f.size > MAX_PHOTO_BYTES) return [`${f.name}: ${t('ret.photo.size')}`];
    return [];
  });
}

async function renderNew(me) {
  if (!canRequest(me)) return [el('h1', {}, t('ret.new')), el('p', { class: 'muted' }, t('ret.norole'))];
  const q = query();
  const orderId = q.get('order');
  const parts = [el('h1', {}, t('ret.new'))];
  const search = el('form', { class: 'filters', id: 'return-order-search' },
    el('label', {}, el('span', {}, t('ret.findorder')), el('input', { name: 'q', value: q.get('q') ?? '', placeholder: t('ret.ordernumber') })),
    el('button', { type: 'submit' }, t('ret.find')));
  search.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/returns/new?q=${encodeURIComponent(new FormData(search).get('q'))}`;
  });
  parts.push(search);
  if (!orderId) {
    const found = await api('GET', `/api/returns/returnable-orders?q=${encodeURIComponent(q.get('q') ?? '')}`);
    parts.push(found.items.length
      ? table(['fin.order', 'ord.date', 'col.status', ''], found.items.map((o) => [o.number, dateTime(o.ordered_at), t(`ord.status.${o.status}`),
        el('a', { href: `#/returns/new?order=${o.id}`, 'data-testid': `choose-${o.number}` }, t('ret.choose'))]), { 'data-testid': 'returnable-orders' })
      : el('p', { class: 'muted' }, t('ret.noorders')));
    return parts;
  }
  const d = await api('GET', `/api/returns/returnable-orders/${orderId}`);
  parts.push(el('h2', {}, `${t('fin.order')} ${d.order.number}`));
  const whole = el('input', { type: 'checkbox', name: 'whole', 'data-testid': 'return-whole' });
  const rows = d.lines.map((l) => {
    const input = el('input', { type: 'number', name: `qty-${l.line_no}`, min: '0', step: '0.001', max: String(l.returnable_milli / 1000),
      disabled: l.returnable_milli === 0, inputMode: 'decimal', 'aria-label': `${t('ret.toreturn')} ${l.article}`, 'data-line': String(l.line_no) });
    const error = el('span', { class: 'error', 'data-error-line': String(l.line_no) });
    return { l, input, error };
  });
  whole.addEventListener('change', () => rows.forEach((r) => { r.input.disabled = whole.checked || r.l.returnable_milli === 0; }));
  const reason = el('select', { name: 'reason', required: true }, el('option', { value: '' }, '—'), REASONS.map((r) => el('option', { value: r }, t(`ret.reason.${r}`))));
  const comment = el('textarea', { name: 'comment', rows: 3, maxLength: 2000 });
  const photos = el('input', { type: 'file', name: 'photos', multiple: true, accept: PHOTO_TYPES.join(',') });
  const status = el('p', { class: 'error', hidden: true, role: 'alert', 'data-testid': 'return-error' });
  // The server's per-line message says more than the browser's range check (what was shipped and
  // already claimed), so the form leaves checking to it.
  const submit = el('button', { type: 'submit' }, t('ret.submit'));
  const f = el('form', { id: 'return-form', noValidate: true },
    el('label', { class: 'inline' }, whole, t('ret.whole')),
    table(['ord.article', 'col.name', 'ord.unit', 'ord.price', 'ret.shipped', 'ret.claimed', 'ret.returnable', 'ret.toreturn'],
      rows.map(({ l, input, error }) => [l.article, l.name, l.unit, money(l.price_kop), qty(l.shipped_milli), qty(l.claimed_milli), qty(l.returnable_milli),
        el('span', {}, input, error)]), { 'data-testid': 'returnable-lines' }),
    el('label', {}, el('span', {}, t('ret.reason')), reason),
    el('label', {}, el('span', {}, t('ret.comment')), comment),
    el('label', {}, el('span', {}, t('ret.photos')), photos),
    status, submit);
  // One key per return request (actions.js): a retry after a network failure keeps it.
  const action = new Action();
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(submit, () => send());
  });
  const send = async () => {
    status.hidden = true;
    rows.forEach((r) => { r.error.textContent = ''; });
    const files = [...photos.files];
    const bad = photoProblems(files);
    if (bad.length) { status.textContent = bad.join(' '); status.hidden = false; return; }
    const chosen = rows.filter((r) => !whole.checked && r.input.value.trim() !== '' && Number(r.input.value) !== 0);
    const body = { order_id: orderId, whole: whole.checked, reason: reason.value, comment: comment.value.trim() || null,
      lines: whole.checked ? [] : chosen.map((r) => ({ line_no: r.l.line_no, quantity: r.input.value.trim().replace(',', '.') })) };
    try {
      const created = await api('POST', '/api/returns/returns', body, { key: action.open() });
      action.answered();
      const problems = await uploadPhotos(created.return.id, files);
      if (problems.length) sessionStorage.setItem('return-photo-problems', problems.join(' '));
      location.hash = `#/returns/${created.return.id}`;
    } catch (e) {
      action.answered(e);
      if (!(e instanceof ApiError)) {
        status.textContent = failureText(e, problemMessage);
        status.hidden = false;
        return;
      }
      // Per-line messages go next to the line they are about (field `lines[i].quantity`).
      for (const fe of e.problem?.field_errors ?? []) {
        const m = /^lines\[(\d+)\]/.exec(fe.field);
        const row = m && chosen[Number(m[1])];
        if (row) row.error.textContent = lang() === 'en' ? fe.message_en : fe.message_ru;
      }
      status.textContent = problemMessage(e.problem);
      status.hidden = false;
    }
  };
  parts.push(f);
  return parts;
}

async function renderReturn(id, me, refresh) {
  const d = await api('GET', `/api/returns/returns/${id}`);
  const r = d.return;
  const parts = [el('h1', {}, `${t('ret.return')} ${r.number ?? t('ret.nonumber')}`),
    el('p', {}, statusBadge(r.status), ` · ${t('fin.order')} `, el('a', { href: `#/orders/${r.order_id}` }, r.order_number), ` · ${dateTime(r.created_at)}`,
      r.created_by_name ? ` · ${r.created_by_name}` : '')];
  const left = sessionStorage.getItem('return-photo-problems');
  if (left) {
    sessionStorage.removeItem('return-photo-problems');
    parts.push(el('p', { class: 'error', role: 'alert' }, `${t('ret.photo.failed')} ${left}`));
  }
  if (d.sync && (d.sync.state !== 'applied' && (d.sync.state !== 'accepted' || d.sync.overdue))) {
    const text = d.sync.state === 'rejected' ? `${t('sync.rejected')}: ${d.sync.reason ?? ''}` : t(`sync.${d.sync.state}`);
    const late = d.sync.overdue && d.sync.overdue_message ? el('span', { class: 'sync-overdue' }, lang() === 'en' ? d.sync.overdue_message.en : d.sync.overdue_message.ru) : '';
    parts.push(el('p', { class: `sync sync-${d.sync.state}`, 'data-testid': 'return-sync', 'data-state': d.sync.state }, text, late));
  }
  if (r.status === 'rejected') parts.push(el('p', { class: 'notice', 'data-testid': 'reject-reason' }, `${t('ret.rejected')}: ${r.reject_reason ?? '—'}`));
  parts.push(el('p', {}, `${t('ret.reason')}: ${r.reason_code ? t(`ret.reason.${r.reason_code}`) : '—'}${r.comment ? ` — ${r.comment}` : ''}`));
  parts.push(table(['ord.article', 'col.name', 'ord.unit', 'ord.price', 'ret.requestedqty', 'ret.approvedqty'],
    d.lines.map((l) => [l.article ?? '', l.name ?? '', l.unit ?? '', l.price_kop == null ? '' : money(l.price_kop), qty(l.requested_milli),
      l.approved_milli == null ? '—' : qty(l.approved_milli)]), { 'data-testid': 'return-lines' }));
  parts.push(el('h2', {}, t('ret.refunds')));
  parts.push(d.refunds.length
    ? el('div', {}, table(['audit.at', 'fin.amount', 'fin.comment'], d.refunds.map((m) => [dateTime(m.at), money(m.amount_kop), m.comment ?? '']), { 'data-testid': 'return-refunds' }),
      el('p', { 'data-testid': 'refunded' }, `${t('ret.refunded')}: ${money(d.refunded_kop)} `, el('a', { href: '#/finance' }, t('ret.toaccount'))))
    : el('p', { class: 'muted' }, r.status === 'completed' ? t('ret.refundwaiting') : t('ret.norefund')));
  parts.push(el('h2', {}, t('ret.photos')));
  parts.push(el('div', { class: 'photos', 'data-testid': 'return-photos' },
    d.photos.map((p) => el('a', { href: `/api/returns/returns/${id}/photos/${p.id}`, target: '_blank' },
      el('img', { src: `/api/returns/returns/${id}/photos/${p.id}`, alt: t('ret.photo'), loading: 'lazy', width: 160 })))));
  if (d.accepts_photos && canRequest(me)) {
    const input = el('input', { type: 'file', multiple: true, accept: PHOTO_TYPES.join(',') });
    const status = el('p', { class: 'error', hidden: true, role: 'alert' });
    const add = el('form', { id: 'photo-form', class: 'needs-extension' }, el('label', {}, el('span', {}, t('ret.addphotos')), input), status, el('button', { type: 'submit' }, t('ret.upload')));
    add.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const files = [...input.files];
      const problems = [...photoProblems(files)];
      if (!problems.length) problems.push(...await uploadPhotos(id, files));
      if (problems.length) { status.textContent = problems.join(' '); status.hidden = false; return; }
      await refresh();
    });
    parts.push(add);
  }
  parts.push(el('h2', {}, t('ret.history')));
  parts.push(table(['audit.at', 'audit.kind', 'audit.who', 'col.status'], d.history.map((h) => [dateTime(h.at), t(`ret.kind.${h.kind}`), h.user_name ?? '1С',
    h.after?.status ? t(`ret.status.${h.after.status}`) : (h.onec_answer?.status ? t(`sync.${h.onec_answer.status}`) : '')]), { 'data-testid': 'return-history' }));
  return parts;
}

export async function returnsSection(me, refresh) {
  const [, sub] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
  if (sub === 'new') return renderNew(me);
  if (sub) return renderReturn(sub, me, refresh);
  return renderList(me);
}
