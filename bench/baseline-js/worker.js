// The benchmark's baseline (issue 8): a minimal JavaScript Worker on the same workerd and the same
// local D1 as the portal, doing what the Rust capability Workers do for two routes, with nothing
// in front of it (no entry Worker, no service binding):
//   GET /api/orders/orders   (shared::orders::list::page)
//   GET /api/finance/credit  (shared::finance::credit::panel)
// Each request: the same session check as shared::auth::authenticate (the access-token cookie,
// an EdDSA JWT, verified with WebCrypto against the key derived from SESSION_SIGNING_KEY; then
// the same SESSION_STATE query and the same checks), then the same SQL (./sql.mjs: copied
// verbatim from the Rust) with the same parameters, and the same JSON shape and security headers.
// Kept per isolate on both sides: the verify key (derived once), and each token's checked
// signature (checked once; expiry and the session row on every request).
import { CREDIT, LIST_COLUMNS, LIST_WHERE, SCHEDULE, SESSION_STATE, TOTALS } from './sql.mjs';

const ACCESS_COOKIE = '__Host-portal_at';
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};

class Problem extends Error {
  constructor(status, code) { super(code); this.status = status; this.code = code; }
}
const unauthorized = () => new Problem(401, 'unauthenticated');
const expired = () => new Problem(401, 'session-expired');

function json(status, value, type = 'application/json; charset=utf-8') {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': type, ...SECURITY_HEADERS } });
}

const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const b64url = (s) => b64(s.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (s.length % 4)) % 4));
const utf8 = new TextDecoder();

// ---- The key ring (shared::auth::token::KeyRing): kid -> Ed25519 public key ----
let ring = null;
async function keyRing(env) {
  if (ring) return ring;
  const keys = new Map();
  const [kid, seed] = env.SESSION_SIGNING_KEY.trim().split(/:(.*)/s);
  // PKCS#8 wrapping of a 32-byte Ed25519 seed; its JWK export carries the public key `x`.
  const der = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...b64(seed.trim())]);
  const priv = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, true, ['sign']);
  const { x } = await crypto.subtle.exportKey('jwk', priv);
  keys.set(kid, await crypto.subtle.importKey('raw', b64url(x), { name: 'Ed25519' }, false, ['verify']));
  for (const entry of (env.SESSION_VERIFY_KEYS ?? '').split(',').filter((s) => s.trim())) {
    const [k, pk] = entry.trim().split(/:(.*)/s);
    keys.set(k, await crypto.subtle.importKey('raw', b64(pk.trim()), { name: 'Ed25519' }, false, ['verify']));
  }
  ring = keys;
  return ring;
}

function cookie(req, name) {
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

// Tokens whose signature was checked, with their claims (the Rust KeyRing keeps the same per
// isolate: each token's signature is checked once; expiry and the session row on every request).
const VERIFIED_CAP = 4096;
const verified = new Map();

/** shared::auth::authenticate: the token's signature, key id and expiry, then the session row. */
async function authenticate(req, env) {
  const token = cookie(req, ACCESS_COOKIE);
  if (!token) throw unauthorized();
  let claims = verified.get(token);
  if (!claims) {
    claims = await checkSignature(token, env);
    if (verified.size >= VERIFIED_CAP) verified.clear();
    verified.set(token, claims);
  }
  const now = Date.now();
  if (!(claims.exp * 1000 > now)) throw expired();
  const { results } = await env.DB.prepare(SESSION_STATE).bind(claims.sid, claims.uid, claims.cid).all();
  const state = results[0];
  if (!state) throw expired();
  const exp = Date.parse(state.expires_at);
  if (state.active === 0 || state.revoked_at !== null || !(exp > now) || state.security_version !== claims.ver) throw expired();
  const roles = claims.roles.split(',').map((r) => r.trim()).filter(Boolean);
  if (roles.some((r) => !['admin', 'buyer', 'accountant'].includes(r))) throw unauthorized();
  return { userId: claims.uid, companyId: claims.cid, roles };
}

/** The token's claims if one of the ring's keys signed it. */
async function checkSignature(token, env) {
  const parts = token.split('.');
  if (parts.length !== 3) throw unauthorized();
  let header, claims;
  try {
    header = JSON.parse(utf8.decode(b64url(parts[0])));
    claims = JSON.parse(utf8.decode(b64url(parts[1])));
  } catch { throw unauthorized(); }
  if (header.alg !== 'EdDSA' || !header.kid) throw unauthorized();
  const key = (await keyRing(env)).get(header.kid);
  if (!key) throw unauthorized();
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, b64url(parts[2]), new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
  if (!ok) throw unauthorized();
  return claims;
}

// ---- Page cursors sealed to one company (shared::cursor::CursorSeal), with WebCrypto HMAC ----
const enc = new TextEncoder();
const b64urlOut = (bytes) => btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const u64be = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };
const concatBytes = (...parts) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let i = 0; for (const p of parts) { out.set(p, i); i += p.length; } return out; };
const hmacKey = (raw) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
const hmac = async (key, ...parts) => new Uint8Array(await crypto.subtle.sign('HMAC', key, concatBytes(...parts)));
let cursorKey = null; // per isolate, as the portal's key ring: derived from SESSION_SIGNING_KEY once
async function cursorSeal(env, companyId) {
  if (!cursorKey) cursorKey = await hmacKey(await hmac(await hmacKey(enc.encode(env.SESSION_SIGNING_KEY)), enc.encode('portal page cursor v1')));
  const company = enc.encode(companyId);
  const tagOf = async (plain) => (await hmac(cursorKey, enc.encode('tag'), u64be(company.length), company, plain)).slice(0, 16);
  const stream = async (tag, data) => {
    for (let at = 0, counter = 0; at < data.length; at += 32, counter++) {
      const block = await hmac(cursorKey, enc.encode('stream'), tag, u64be(counter));
      for (let k = 0; k < 32 && at + k < data.length; k++) data[at + k] ^= block[k];
    }
    return data;
  };
  return {
    async seal(plain) { const p = enc.encode(plain); const tag = await tagOf(p); return b64urlOut(concatBytes(tag, await stream(tag, p))); },
    async open(cursor) {
      let raw;
      try { raw = b64url(cursor); } catch { return null; }
      if (raw.length < 16) return null;
      const tag = raw.slice(0, 16);
      const plain = await stream(tag, raw.slice(16));
      const want = await tagOf(plain);
      if (want.some((b, k) => b !== tag[k])) return null;
      try { return new TextDecoder('utf-8', { fatal: true }).decode(plain); } catch { return null; }
    },
  };
}

// ---- The order list (shared::orders::list) ----
const STATUSES = ['draft', 'awaiting_payment', 'reserved', 'paid', 'partly_shipped', 'shipped', 'cancelled'];
const searchText = (s) => s.toLowerCase().replaceAll('ё', 'е').split(/\s+/).filter(Boolean).join(' ');
const articleKey = (s) => s.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase().replaceAll('ё', 'е');

function day(url, name) {
  const s = url.searchParams.get(name);
  if (!s) return null;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (Number.isNaN(t) || new Date(t).getUTCDate() !== +m[3]) throw new Problem(422, 'validation');
  return t;
}
// Moscow midnight of a day as stored (UTC, RFC 3339 with milliseconds): Moscow is UTC+3.
const moscowMidnight = (t) => new Date(t - 3 * 3600e3).toISOString();

function filterParams(url, companyId) {
  const from = day(url, 'from');
  const to = day(url, 'to');
  const shipFrom = day(url, 'ship_from');
  const shipTo = day(url, 'ship_to');
  const st = url.searchParams.get('status');
  const statuses = st ? st.split(',') : null;
  if (statuses && statuses.some((s) => !STATUSES.includes(s))) throw new Problem(422, 'validation');
  const text = (name) => { const v = url.searchParams.get(name)?.trim(); return v ? v : null; };
  const q = text('q');
  let contains = null;
  if (q !== null) {
    const key = articleKey(q);
    contains = /[0-9]/.test(q) && key !== '' ? key : searchText(q);
  }
  const number = text('number');
  const change = text('change');
  if (change !== null && change !== 'rejected') throw new Problem(422, 'validation');
  return [
    companyId,
    from === null ? null : moscowMidnight(from),
    to === null ? null : moscowMidnight(to + 864e5),
    shipFrom === null ? null : new Date(shipFrom).toISOString().slice(0, 10),
    shipTo === null ? null : new Date(shipTo).toISOString().slice(0, 10),
    text('legal_entity'),
    text('author'),
    number === null ? null : searchText(number),
    statuses ? JSON.stringify(statuses) : null,
    contains,
    change,
  ];
}

const SORTS = { date_desc: ['o.ordered_at', true], date_asc: ['o.ordered_at', false], amount_desc: ['o.total_kop', true], amount_asc: ['o.total_kop', false] };

async function orderList(req, env, caller) {
  const url = new URL(req.url);
  const params = filterParams(url, caller.companyId);
  const sort = SORTS[url.searchParams.get('sort') ?? 'date_desc'];
  if (!sort) throw new Problem(400, 'invalid-sort');
  const [col, desc] = sort;
  const limitText = url.searchParams.get('limit');
  const limit = limitText === null ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new Problem(400, 'invalid-limit');
  const [op, dir] = desc ? ['<', 'DESC'] : ['>', 'ASC'];
  let sql = `${LIST_COLUMNS} WHERE ${LIST_WHERE}`;
  const listParams = [...params];
  const seal = await cursorSeal(env, caller.companyId);
  const c = url.searchParams.get('cursor');
  if (c !== null) {
    const plain = await seal.open(c);
    const bar = plain === null ? -1 : plain.indexOf('|');
    if (bar < 0) throw new Problem(400, 'invalid-cursor');
    const [key, id] = [plain.slice(0, bar), plain.slice(bar + 1)];
    sql += ` AND ${col} ${op}= ?12 AND (${col} ${op} ?12 OR (${col} = ?12 AND o.id ${op} ?13))`;
    listParams.push(col === 'o.total_kop' ? (Number.parseInt(key, 10) || 0) : key, id);
  }
  sql += ` ORDER BY ${col} ${dir}, o.id ${dir} LIMIT ${limit + 1}`;
  const rows = (await env.DB.prepare(sql).bind(...listParams).all()).results;
  const more = rows.length > limit;
  rows.length = Math.min(rows.length, limit);
  const last = rows[rows.length - 1];
  const next_cursor = more && last
    ? await seal.seal(`${col === 'o.total_kop' ? last.total_kop : last.ordered_at}|${last.id}`)
    : null;
  const totals = (await env.DB.prepare(`${TOTALS} WHERE ${LIST_WHERE}`).bind(...params).all()).results[0] ?? { count: 0, total_kop: 0, paid_kop: 0 };
  return json(200, { items: rows, next_cursor, totals, stock_only: false });
}

// ---- The credit panel (shared::finance::credit::panel) ----
function position(r) {
  const limit = r.limit_kop ?? r.credit_limit_kop;
  const debt = r.debt_kop ?? 0;
  const reserve = (r.reserve_kop ?? 0) + r.local_reserve_kop;
  return {
    agreement_id: r.id, agreement: r.name, number: r.number, kind: r.kind, legal_entity: r.legal_entity, deferral_days: r.deferral_days,
    limit_kop: limit, debt_kop: debt, overdue_kop: r.overdue_kop ?? 0, reserve_kop: reserve, local_reserve_kop: r.local_reserve_kop,
    available_kop: Math.max(limit - debt - reserve, 0), blocked: (r.blocked ?? 0) === 1, amount_to_pay_kop: r.amount_to_pay_kop ?? 0,
    as_of: r.as_of, on_credit: limit > 0,
  };
}

/** Today in Moscow as a UTC midnight timestamp (shared::finance::schedule::today). */
const moscowToday = () => { const d = new Date(Date.now() + 3 * 3600e3); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()); };

async function overdueEntries(env, caller) {
  const rows = (await env.DB.prepare(SCHEDULE).bind(caller.companyId, 0).all()).results;
  const today = moscowToday();
  return rows.map((r) => {
    const due = Date.parse(`${r.due_date}T00:00:00Z`);
    const daysLeft = Math.round(((Number.isNaN(due) ? today : due) - today) / 864e5);
    const dueKop = Math.max(r.amount_kop - r.paid_kop, 0);
    return { order_id: r.order_id, order_number: r.number, legal_entity: r.legal_entity, agreement: r.agreement, stage_no: r.stage_no,
      due_date: r.due_date, amount_kop: r.amount_kop, paid_kop: r.paid_kop, due_kop: dueKop, days_left: daysLeft, overdue: daysLeft < 0 && dueKop > 0 };
  }).filter((e) => e.overdue);
}

async function creditPanel(req, env, caller) {
  const ps = (await env.DB.prepare(CREDIT).bind(caller.companyId).all()).results.map(position);
  const sum = (k) => ps.reduce((s, p) => s + p[k], 0);
  const t = { limit_kop: sum('limit_kop'), debt_kop: sum('debt_kop'), reserve_kop: sum('reserve_kop'), available_kop: sum('available_kop'),
    amount_to_pay_kop: sum('amount_to_pay_kop'), blocked: ps.some((p) => p.blocked) };
  if (caller.roles.includes('admin') || caller.roles.includes('accountant')) {
    const overdue = t.blocked ? await overdueEntries(env, caller) : [];
    return json(200, { view: 'full', agreements: ps, totals: t, overdue });
  }
  const brief = ps.map((p) => ({ agreement_id: p.agreement_id, agreement: p.agreement, legal_entity: p.legal_entity, available_kop: p.available_kop, blocked: p.blocked, on_credit: p.on_credit }));
  return json(200, { view: 'brief', agreements: brief, totals: { available_kop: t.available_kop, blocked: t.blocked } });
}

const ROUTES = { '/api/orders/orders': orderList, '/api/finance/credit': creditPanel };

async function serve(req, env, handler, log) {
  try {
    const caller = await authenticate(req, env);
    log.company_id = caller.companyId;
    log.user_id = caller.userId;
    return await handler(req, env, caller);
  } catch (e) {
    if (e instanceof Problem) return json(e.status, { code: e.code }, 'application/problem+json; charset=utf-8');
    log.error = String(e);
    return json(500, { code: 'internal', detail: String(e) }, 'application/problem+json; charset=utf-8');
  }
}

export default {
  async fetch(req, env) {
    const started = Date.now();
    const route = new URL(req.url).pathname;
    const handler = req.method === 'GET' ? ROUTES[route] : undefined;
    if (!handler) return json(404, { code: 'not-found' }, 'application/problem+json; charset=utf-8');
    const log = { company_id: null, error: null, method: req.method, ms: 0, route, status: 0, user_id: null };
    const resp = await serve(req, env, handler, log);
    // LOG_REQUESTS=1: the one JSON line per request the capability Workers write (adapter::worker_response).
    if (env.LOG_REQUESTS === '1') console.log(JSON.stringify({ ...log, ms: Date.now() - started, status: resp.status }));
    return resp;
  },
};
