// The exchange monitor: the key stays in this tab only (sessionStorage), sent as a bearer token.
import { dateTime } from './i18n.js';

const $ = (id) => document.getElementById(id);
let key = sessionStorage.getItem('monitor-key');

async function call(method, path, body, extra = {}) {
  const headers = { Authorization: `Bearer ${key}`, ...extra };
  if (body) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body && JSON.stringify(body) });
  if (r.status === 204) return null;
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new Error(data?.title_ru ? `${data.title_ru} / ${data.title_en}` : `HTTP ${r.status}`);
  return data;
}

function table(headers, rows) {
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const h of headers) head.append(Object.assign(document.createElement('th'), { textContent: h }));
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of r) {
      const td = tr.insertCell();
      if (c instanceof Node) td.append(c); else td.textContent = c ?? '';
    }
  }
  const wrap = Object.assign(document.createElement('div'), { className: 'table-wrap' });
  wrap.append(t);
  return rows.length ? wrap : Object.assign(document.createElement('p'), { className: 'muted', textContent: '—' });
}

function replayButton(direction, id) {
  const b = Object.assign(document.createElement('button'), { className: 'secondary', textContent: 'Повторить / Replay' });
  b.dataset.replay = `${direction}:${id}`;
  b.addEventListener('click', async () => {
    try { await call('POST', '/exchange/v1/monitor/replays', { direction, id }); await load(); } catch (e) { showError(e); }
  });
  return b;
}

function showError(e) {
  $('error').textContent = e.message;
  $('error').hidden = false;
}

async function load() {
  $('error').hidden = true;
  const m = await call('GET', '/exchange/v1/monitor');
  $('key-form').hidden = true;
  $('overview').hidden = false;
  $('backlog').textContent = `Ждут применения: ${m.inbox_backlog} · ждут доставки в 1С: ${m.outbox_backlog} · 1С не ответила в срок: ${m.waiting_overdue} · приняты 1С, данные не пришли в срок: ${m.accepted_overdue}`
    + ` / waiting to apply: ${m.inbox_backlog} · waiting for 1C: ${m.outbox_backlog} · 1C has not answered in time: ${m.waiting_overdue} · accepted by 1C, data overdue: ${m.accepted_overdue}`;
  $('extension-version').textContent = `Версия расширения 1С / 1C extension version: ${m.extension_version ?? '—'}`;
  $('contacts').replaceChildren(table(['Обращение / Contact', 'Последнее / Last', 'Версия / Version'],
    m.onec_contacts.map((c) => [c.kind, dateTime(c.last_at), c.extension_version ?? ''])));
  const byType = (rows) => table(['Тип / Type', 'Последнее / Last', 'Всего / Count'], rows.map((r) => [r.type, dateTime(r.last_at), String(r.count)]));
  $('inbound').replaceChildren(byType(m.inbound));
  $('outbound').replaceChildren(byType(m.outbound));
  const problems = (rows, direction) => table(['Когда / When', 'Тип / Type', 'Сущность / Entity', 'Статус / Status', 'Причина / Reason', ''],
    // A change 1C refused is final; only undelivered (dead-lettered) ones can go again.
    rows.map((r) => [dateTime(r.at), r.type, r.entity_id, r.status, r.reason, r.status === 'rejected' && direction === 'outbox' ? '' : replayButton(direction, r.id)]));
  $('inbox-problems').replaceChildren(problems(m.inbox_problems, 'inbox'));
  $('outbox-problems').replaceChildren(problems(m.outbox_problems, 'outbox'));
}

$('key-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  key = new FormData(ev.target).get('key');
  try {
    await load();
    sessionStorage.setItem('monitor-key', key);
  } catch (e) { showError(e); }
});
$('refresh').addEventListener('click', () => load().catch(showError));

// One key per request the operator means: a double click or a retry after a lost answer asks 1C
// once; a new key after an answer.
let resyncKey = crypto.randomUUID();
$('resync-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const body = { company_id: f.get('company_id').trim() };
  if (f.get('reason')) body.reason = f.get('reason');
  try {
    const r = await call('POST', '/exchange/v1/monitor/resyncs', body, { 'Idempotency-Key': resyncKey });
    resyncKey = crypto.randomUUID();
    $('resync-result').textContent = `Запрос отправлен в 1С / Sent to 1C: ${r.id} (${r.company_id}: ${r.entity_types.join(', ')})`;
    await load();
  } catch (e) { showError(e); }
});
if (key) load().catch(showError);
