// Issue 19 over real HTTP: changing CML_PASSWORD ends every CommerceML session. A stack of its own
// (ports STOCK_PORTAL_PORT / STOCK_SIM_PORT, default 8853/8854), restarted on the same state dir
// (D1 and its sessions survive) with another CML_PASSWORD: each Worker's .dev.vars is
// .dev-secrets followed by STACK_VARS, so the later CML_PASSWORD line wins (scripts/stack.sh).
// The old session id is refused with the failure 1C expects, by cookie and by ?sessid=, and so is
// the old password; a fresh checkauth with the new password exchanges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.STOCK_PORTAL_PORT ?? 8853);
const SIM_PORT = Number(process.env.STOCK_SIM_PORT ?? 8854);
process.env.PORTAL_URL = `http://127.0.0.1:${PORT}`;
process.env.SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const root = fileURLToPath(new URL('../..', import.meta.url));
const state = mkdtempSync(join(tmpdir(), 'portal-cmlpass-'));
const stack = (vars, ...args) => execFileSync('bash', [`${root}/scripts/stack.sh`, ...args], { cwd: root, stdio: 'inherit',
  env: { ...process.env, STACK_VARS: `${process.env.STACK_VARS ?? ''} ${vars}` } });

// Imported after the URLs are set: the helpers read them once.
const { fakeIp } = await import('../lib/portal.mjs');

const secrets = Object.fromEntries(readFileSync(join(root, '.dev-secrets'), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const URL_ = `${process.env.PORTAL_URL}/exchange/1c/commerceml`;
const NEW_PASSWORD = `changed-${Date.now().toString(36)}`;

const checkauth = (password, ip = fakeIp()) => fetch(`${URL_}?type=sale&mode=checkauth`, {
  headers: { authorization: `Basic ${Buffer.from(`${secrets.CML_USER}:${password}`).toString('base64')}`, 'cf-connecting-ip': ip, 'x-forwarded-for': ip },
});

async function signIn(password) {
  const text = await (await checkauth(password)).text();
  const [ok, name, value] = text.split('\n');
  assert.equal(ok, 'success', text);
  return { cookie: `${name}=${value}`, token: value };
}

const byCookie = (cookie) => fetch(`${URL_}?type=sale&mode=init&version=2.10`, { headers: { cookie } });
const bySessid = (token) => fetch(`${URL_}?type=sale&mode=init&version=2.10&sessid=${encodeURIComponent(token)}`);

/** Polls until the restarted portal answers (a connection kept from before the restart fails). */
async function reachable() {
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      if ((await fetch(`${process.env.PORTAL_URL}/`)).ok) return;
    } catch (e) {
      assert.ok(Date.now() < deadline, `the restarted portal does not answer: ${e}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}

before(() => stack('', 'start', state, String(PORT), String(SIM_PORT)));
after(() => {
  stack('', 'stop', state);
  rmSync(state, { recursive: true, force: true });
});

test('an old CommerceML session id stops working after CML_PASSWORD changes; the new password signs in', async () => {
  const old = await signIn(secrets.CML_PASSWORD);
  assert.equal((await byCookie(old.cookie)).status, 200, 'the session works before the change');
  assert.equal((await bySessid(old.token)).status, 200);

  // The operator changes CML_PASSWORD: the same data, the Workers restarted with the new secret.
  stack('', 'stop', state);
  stack(`CML_PASSWORD=${NEW_PASSWORD}`, 'start', state, String(PORT), String(SIM_PORT));
  await reachable();

  for (const [how, r] of [['cookie', await byCookie(old.cookie)], ['sessid', await bySessid(old.token)]]) {
    assert.equal(r.status, 401, how);
    assert.match(await r.text(), /^failure\nnot signed in/, `${how}: the failure 1C reads, then it signs in again`);
  }
  const oldPassword = await checkauth(secrets.CML_PASSWORD);
  assert.equal(oldPassword.status, 401);
  assert.match(await oldPassword.text(), /^failure\n/);

  const fresh = await signIn(NEW_PASSWORD);
  const init = await byCookie(fresh.cookie);
  assert.equal(init.status, 200);
  assert.equal(await init.text(), `zip=yes\nfile_limit=8388608\nsessid=${fresh.token}\nversion=2.10\n`);
});
