// Helpers for black-box tests against the running stack (wrangler dev + the 1C simulator).
// The 1C signature is computed here independently of the Rust code, from the contract's text.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const PORTAL = process.env.PORTAL_URL ?? 'http://127.0.0.1:8787';
export const SIM = process.env.SIM_URL ?? 'http://127.0.0.1:8788';
export const DEMO_PASSWORD = 'Demo-2026-pass';

function secrets() {
  const text = readFileSync(new URL('../../.dev-secrets', import.meta.url), 'utf8');
  return Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}
export const ONEC_SECRET = process.env.ONEC_HMAC_SECRET ?? secrets().ONEC_HMAC_SECRET;
export const MONITOR_TOKEN = process.env.MONITOR_TOKEN ?? secrets().MONITOR_TOKEN;

/** A fake client address per test, so one test's failed sign-ins never throttle another's. */
export function fakeIp() {
  return `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
}

/** Signature v1 (the migration window only): HMAC over `<timestamp>.<body>`. */
export function signV1(secret, timestamp, body) {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** Signature v2: HMAC over "v2", timestamp, METHOD, path with query as sent, nonce, each
 *  followed by LF, then the body bytes. */
export function signV2(secret, timestamp, method, pathAndQuery, nonce, body) {
  return 'v2=' + createHmac('sha256', secret)
    .update(`v2\n${timestamp}\n${method.toUpperCase()}\n${pathAndQuery}\n${nonce}\n`)
    .update(body)
    .digest('hex');
}

/** The signature headers of a 1C request: v2 with a fresh nonce. `opts.timestamp`, `opts.secret`,
 *  `opts.nonce` forge or replay; `opts.version: 'v1'` signs v1; `opts.signedBody`/`opts.signedPath`
 *  sign something other than what is sent. */
export function onecHeaders(method, path, body, opts = {}) {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = opts.secret ?? ONEC_SECRET;
  const signed = opts.signedBody ?? body;
  if (opts.version === 'v1') return { 'x-onec-timestamp': String(ts), 'x-onec-signature': signV1(secret, ts, signed) };
  const nonce = opts.nonce ?? randomUUID();
  // Signed as it goes on the request line: percent-encoded the way fetch sends it.
  const url = new URL(PORTAL + (opts.signedPath ?? path));
  return {
    'x-onec-timestamp': String(ts),
    'x-onec-nonce': nonce,
    'x-onec-signature': signV2(secret, ts, method, url.pathname + url.search, nonce, signed),
  };
}

/** POSTs to a 1C endpoint as 1C does (a string or Buffer payload is sent as is). */
export async function onecPost(path, payload, opts = {}) {
  const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  const signature = opts.signature ? { 'x-onec-signature': opts.signature } : {};
  const res = await fetch(PORTAL + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...onecHeaders('POST', path, body, opts), ...signature, ...(opts.headers ?? {}) },
    body,
  });
  return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
}

export function batch(messages) {
  return { batch_id: randomUUID(), sent_at: new Date().toISOString().slice(0, 19), messages };
}

export const uid = (p = 't') => `${p}-${randomUUID().slice(0, 8)}`;

/** Sends messages and waits until none is pending or waiting. */
export async function sendAndApply(messages, timeoutMs = 20000) {
  const r = await onecPost('/exchange/v1/messages', batch(messages));
  if (r.status !== 200) throw new Error(`batch refused: ${r.status} ${JSON.stringify(r.body)}`);
  await waitApplied(messages.map((m) => m.id), timeoutMs);
  return r.body;
}

export async function waitApplied(ids, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await onecPost('/exchange/v1/message-status', { ids });
    // A failed status call is retried until the deadline, then reported with what it answered.
    const open = r.status === 200 ? r.body.items.filter((i) => i.status === 'pending' || i.status === 'waiting') : null;
    if (open && open.length === 0) return r.body.items;
    if (Date.now() > deadline) throw new Error(`not applied in time: ${open ? JSON.stringify(open) : `message-status answered ${r.status} ${JSON.stringify(r.body)}`}`);
    await new Promise((res) => setTimeout(res, 150));
  }
}

export function companyMsg(entity, seq, name, extra = {}) {
  return {
    id: uid('m'), type: 'company', entity_id: entity, seq,
    payload: {
      name,
      legal_entities: [{ id: `${entity}-le`, name: `ООО «${name}»`, inn: '7707083893', kpp: '773601001' }],
      agreements: [{ id: `${entity}-ag`, legal_entity_id: `${entity}-le`, name: 'Договор поставки', credit_limit: 50000000.01, deferral_days: 30, price_type: { id: 'pt-opt', name: 'Оптовая' } }],
      ...extra,
    },
  };
}

export function userMsg(entity, seq, company, email, roles, active = true) {
  return { id: uid('m'), type: 'user', entity_id: entity, seq, payload: { company_id: company, email, full_name: `Тест ${entity}`, roles, active } };
}

/** A 503 that is not ours: every 503 of the portal is an RFC 9457 problem (JSON); the local
 * workerd under load sometimes answers a bare text/plain 503 (Retry-After: 0) for a request that
 * never reached a Worker's code (no log line of ours for it). */
function platformUnavailable(res) {
  return res.status === 503 && !(res.headers.get('content-type') ?? '').includes('json');
}

/** A browser-like client: keeps cookies, sends the page's Origin and a fixed client IP. */
export class Client {
  constructor({ ip = fakeIp(), origin = PORTAL } = {}) {
    this.cookies = new Map();
    this.ip = ip;
    this.origin = origin;
  }

  async req(method, path, body, headers = {}) {
    // The address as the edge reports it on Workers, and as a reverse proxy reports it to the
    // self-hosted runtime (which believes X-Forwarded-For only from TRUSTED_PROXIES).
    const h = { 'cf-connecting-ip': this.ip, 'x-forwarded-for': this.ip, origin: this.origin, ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const send = () => fetch(PORTAL + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    let res = await send();
    if (platformUnavailable(res)) {
      // The local workerd refused the request before our code ran (no problem document): once
      // more, and said on stderr so a run that leans on it shows.
      console.error(`local runtime answered 503 without a problem document: ${method} ${path}; retried once`);
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, 250));
      res = await send();
    }
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const [k, v] = [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)];
      if (v === '' || /max-age=0/i.test(c)) this.cookies.delete(k); else this.cookies.set(k, v);
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, body: json, headers: res.headers, text };
  }

  get(path, headers) { return this.req('GET', path, undefined, headers); }
  post(path, body, headers) { return this.req('POST', path, body, headers); }

  async signIn(email, password = DEMO_PASSWORD) {
    return this.post('/api/auth/sign-in', { email, password });
  }
}

export async function mailbox(to) {
  const res = await fetch(`${SIM}/mail?to=${encodeURIComponent(to)}`);
  return res.json();
}

/** The token of the newest link mailed to `to`, waiting for it to arrive. */
export async function linkToken(to, { after = 0, timeoutMs = 10000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailbox(to);
    if (mails.length > after) {
      // The newest mail with a link: a notification may have come after it.
      const m = mails.slice(after).reverse().map((x) => /#token=([A-Za-z0-9_-]+)/.exec(x.text)).find(Boolean);
      if (m) return m[1];
    }
    if (Date.now() > deadline) throw new Error(`no mail for ${to}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * A fresh company with one user per given role set, passwords set through their links. Each user
 * has accepted the privacy policy (152-ФЗ consent, else the page shell asks first) unless
 * `consent: false`.
 */
export async function freshCompany(rolesList = [['admin'], ['buyer'], ['accountant']], password = 'Test-password-2026', { consent = true } = {}) {
  const c = uid('c');
  const users = rolesList.map((roles, i) => ({ entity: `${c}-u${i}`, email: `${c}-u${i}@test.demo`, roles }));
  await sendAndApply([companyMsg(c, 1, `Компания ${c}`), ...users.map((u) => userMsg(u.entity, 1, c, u.email, u.roles))]);
  for (const u of users) {
    const token = await linkToken(u.email);
    const r = await new Client().post('/api/auth/password-resets', { token, password });
    if (r.status !== 204) throw new Error(`set password: ${r.status} ${JSON.stringify(r.body)}`);
    u.password = password;
    if (consent) await acceptPolicy(u.email, password);
  }
  return { id: c, users };
}

/** The signed-in `client` accepts the current privacy policy version (152-ФЗ consent). */
export async function consent(client) {
  const me = (await client.get('/api/auth/me')).body;
  const ok = await client.post('/api/auth/consent', { version: me.privacy_policy_version });
  if (ok.status !== 200) throw new Error(`consent: ${ok.status} ${ok.text}`);
}

/** Signs in, accepts the current privacy policy version and signs out again. */
export async function acceptPolicy(email, password) {
  const cl = new Client();
  const r = await cl.signIn(email, password);
  if (r.status !== 200) throw new Error(`sign in to consent: ${r.status}`);
  await consent(cl);
  await cl.post('/api/auth/sign-out');
}

/** Runs the scheduled sweeper now (a dev-only route), optionally at a clock the test sets. */
export async function sweep(at) {
  const now = at ?? new Date();
  const r = await onecPost('/exchange/v1/sweep', {}, { timestamp: Math.floor(now.getTime() / 1000), headers: { 'x-test-now': now.toISOString() } });
  if (r.status !== 200) throw new Error(`sweep: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Sets how the simulated 1C answers the portal's changes: accept, reject (with reason) or fail. */
/** How the simulated 1C answers pushed changes: for all, or (with `match`) only for changes
 * whose body contains that text, e.g. a test's own company id, so parallel tests stay apart. */
export async function onecAnswers(mode, reason, match) {
  await fetch(`${SIM}/control/answer`, { method: 'POST', body: JSON.stringify({ mode, reason, match }) });
}

export async function onecReceived() {
  return (await fetch(`${SIM}/hs/portal/v1/changes`)).json();
}
