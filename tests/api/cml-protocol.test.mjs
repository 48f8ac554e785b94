// Issue 19, the stock CommerceML protocol and its sessions over real HTTP (workerd, D1, R2, the
// queue consumer): the login throttled per address, sessions that slide with the test clock, the
// version `init` answers, `zip=yes` (one archive, unpacked by the queue consumer, imports the same
// as the files sent one by one), files in subfolders, `mode=info`.
// A changed CML_PASSWORD ending every session needs the Workers restarted with another secret:
// tests/api/cml-password.test.mjs does that on a stack of its own (no route may change a secret).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { PORTAL, uid, Client, freshCompany, fakeIp } from '../lib/portal.mjs';
import { generate, expectedCard } from '../../bench/lib/cml-catalogue.mjs';

const secrets = Object.fromEntries(readFileSync(new URL('../../.dev-secrets', import.meta.url), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const URL_ = `${PORTAL}/exchange/1c/commerceml`;
const FIXTURES = new URL('../../../shared/fixtures/commerceml/', import.meta.url);
const basic = (password) => `Basic ${Buffer.from(`${secrets.CML_USER}:${password}`).toString('base64')}`;

async function checkauth(type, { ip = fakeIp(), password = secrets.CML_PASSWORD, now } = {}) {
  // The address as the edge reports it (Workers) and as a trusted proxy does (self-hosted).
  const headers = { authorization: basic(password), 'cf-connecting-ip': ip, 'x-forwarded-for': ip };
  if (now) headers['x-test-now'] = now;
  return fetch(`${URL_}?type=${type}&mode=checkauth`, { headers });
}

async function signIn(type, opts) {
  const text = await (await checkauth(type, opts)).text();
  const [ok, name, value] = text.split('\n');
  assert.equal(ok, 'success', text);
  return { cookie: `${name}=${value}`, token: value };
}

const get = (query, cookie, headers = {}) => fetch(`${URL_}?${query}`, { headers: { cookie, ...headers } });

/** Uploads `bytes` as 1C does, in chunks, and returns nothing; every chunk must answer success. */
async function upload(cookie, name, bytes, chunk = 16384) {
  for (let at = 0; at < bytes.length; at += chunk) {
    const r = await fetch(`${URL_}?type=catalog&mode=file&filename=${encodeURIComponent(name)}`, { method: 'POST', headers: { cookie }, body: bytes.subarray(at, at + chunk) });
    assert.equal(await r.text(), 'success\n', name);
  }
}

/** `import` asked until it is no longer `progress` (the queue consumer works meanwhile). */
async function importUntilDone(cookie, name) {
  const deadline = Date.now() + 120000;
  for (;;) {
    const answer = await (await get(`type=catalog&mode=import&filename=${encodeURIComponent(name)}`, cookie)).text();
    if (!answer.startsWith('progress')) return answer;
    assert.ok(Date.now() < deadline, `${name}: still ${answer}`);
    await new Promise((res) => setTimeout(res, 300));
  }
}

// A minimal ZIP writer (deflate entries, no data descriptors), as 1C's archiver writes them.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function zip(files) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of files) {
    const n = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(n.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); cd.writeUInt16LE(20, 4); cd.writeUInt16LE(20, 6); cd.writeUInt16LE(0x0800, 8); cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc, 16); cd.writeUInt32LE(packed.length, 20); cd.writeUInt32LE(data.length, 24); cd.writeUInt16LE(n.length, 28); cd.writeUInt32LE(offset, 42);
    parts.push(local, n, packed);
    central.push(cd, n);
    offset += 30 + n.length + packed.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cdBytes.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBytes, end]);
}

test('12 wrong CommerceML logins from one address are throttled; the right login from another address still works', async () => {
  const attacker = fakeIp();
  const statuses = [];
  for (let i = 0; i < 12; i++) statuses.push((await checkauth('catalog', { ip: attacker, password: `guess-${i}` })).status);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401), statuses.join());
  assert.deepEqual(statuses.slice(10), [429, 429], statuses.join());
  const locked = await checkauth('catalog', { ip: attacker });
  assert.equal(locked.status, 429, 'the throttled address waits, right password or not');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  assert.match(await locked.text(), /^failure\n/);
  const { cookie } = await signIn('catalog', { ip: fakeIp() });
  assert.equal((await get('type=catalog&mode=init', cookie)).status, 200, '1C from its own address exchanges');
});

test('sessions: random per checkauth, by cookie or ?sessid=, sliding with each request, over after an idle hour', async () => {
  const t0 = Date.parse('2031-03-01T08:00:00Z');
  const at = (minutes) => new Date(t0 + minutes * 60000).toISOString();
  const a = await signIn('catalog', { now: at(0) });
  const b = await signIn('catalog', { now: at(0) });
  assert.notEqual(a.token, b.token, 'two logins in the same second');
  const bySessid = await fetch(`${URL_}?type=catalog&mode=init&sessid=${encodeURIComponent(b.token)}`, { headers: { 'x-test-now': at(1) } });
  assert.equal(bySessid.status, 200);
  for (const minutes of [50, 100, 150, 200]) {
    const r = await get('type=catalog&mode=init', a.cookie, { 'x-test-now': at(minutes) });
    assert.equal(r.status, 200, `still signed in at +${minutes} min: every request moved the expiry on`);
  }
  const late = await get('type=catalog&mode=init', a.cookie, { 'x-test-now': at(200 + 61) });
  assert.equal(late.status, 401);
  assert.match(await late.text(), /^failure\n/);
});

test('init answers the version 1C asks for (2.05, 2.10, 3.1), and the 2.05-style answer when none is asked', async () => {
  const { cookie, token } = await signIn('sale');
  assert.equal(await (await get('type=sale&mode=init', cookie)).text(), 'zip=yes\nfile_limit=8388608\n');
  for (const v of ['2.05', '2.10', '3.1']) {
    assert.equal(await (await get(`type=sale&mode=init&version=${v}`, cookie)).text(), `zip=yes\nfile_limit=8388608\nsessid=${token}\nversion=${v}\n`);
  }
  const cat = await signIn('catalog');
  assert.equal(await (await get('type=catalog&mode=init&version=3.1', cat.cookie)).text(), `zip=yes\nfile_limit=8388608\nsessid=${cat.token}\nversion=3.1\n`);
});

test('mode=info lists the statuses, payment and delivery methods as the Bitrix site does', async () => {
  const { cookie } = await signIn('sale');
  const r = await get('type=sale&mode=info', cookie);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/xml; charset=utf-8/);
  const xml = await r.text();
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Справочник>\n<Cтатусы>\n<Элемент><Ид>draft<\/Ид><Название>Черновик<\/Название><\/Элемент>/);
  assert.match(xml, /<ПлатежныеСистемы>\n<Элемент><Ид>invoice<\/Ид><Название>Безналичный расчет по счету<\/Название><\/Элемент>/);
  assert.match(xml, /<СлужбыДоставки>\n<Элемент><Ид>pickup<\/Ид><Название>Самовывоз<\/Название><\/Элемент>/);
});

test('zip=yes: the real 3.1 fixture set in one archive (subfolders, two chunks) imports the same as the files sent one by one', async () => {
  const names = ['import.xml', 'offers.xml', 'prices.xml', 'rests.xml'];
  const files = names.map((n) => [n, readFileSync(new URL(`v3.1-bitrix-module/${n}`, FIXTURES))]);
  // One by one, in folders as 3.1 sends them.
  const plain = await signIn('catalog');
  const folder = (n) => (n === 'import.xml' ? `goods/1/import___${n}` : `offers/1/${n}`);
  const oneByOne = {};
  for (const [n, bytes] of files) {
    await upload(plain.cookie, folder(n), bytes);
    oneByOne[n] = await importUntilDone(plain.cookie, folder(n));
    assert.match(oneByOne[n], /^success\n/, `${n}: ${oneByOne[n]}`);
  }
  // The same files in one archive.
  const zipped = await signIn('catalog');
  assert.match(await (await get('type=catalog&mode=init&version=3.1', zipped.cookie)).text(), /^zip=yes\n/);
  const archive = zip(files.map(([n, bytes]) => [folder(n), bytes]));
  const half = Math.ceil(archive.length / 2);
  await upload(zipped.cookie, 'exchange.zip', archive, half);
  for (const [n] of files) {
    const answer = await importUntilDone(zipped.cookie, folder(n));
    assert.equal(answer, oneByOne[n], `${n}: the same counts as without the archive`);
  }
});

test('zip=yes: a generated catalogue in an archive shows every card as the generator made it', async () => {
  const co = await freshCompany([['buyer']]);
  const prefix = uid('gz').replace('-', '');
  const { importXml, offersXml, model } = generate({ goods: 24, prefix, warehouses: 3 });
  const { cookie } = await signIn('catalog');
  await upload(cookie, 'a.zip', zip([['import.xml', importXml], ['offers.xml', offersXml]]));
  for (const name of ['import.xml', 'offers.xml']) assert.match(await importUntilDone(cookie, name), /^success\n/, name);
  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const items = (await buyer.get(`/api/orders/catalog?q=${encodeURIComponent(`${prefix.toUpperCase()}-`)}&limit=50`)).body.items;
  assert.equal(items.length, model.products.length);
  const got = Object.fromEntries(items.map((i) => [i.onec_id, i]));
  const pick = (i) => ({ onec_id: i.onec_id, name: i.name, article: i.article, unit: i.unit, vat_rate_bp: i.vat_rate_bp, properties: i.properties,
    price_kop: i.price_kop, stock_milli: i.stock_milli, stock: i.stock, variants: (i.variants || []).map(pick) });
  for (const p of model.products) assert.deepEqual(pick(got[p.id]), expectedCard(p), p.id);
});

test('files in subfolders keep their path; a path that climbs out is refused', async () => {
  const { cookie } = await signIn('catalog');
  const id = uid('sub');
  const xml = (name) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="3.1"><Каталог СодержитТолькоИзменения="true"><Товары>
    <Товар><Ид>${id}-${name}</Ид><Артикул>SUB-${name}</Артикул><Наименование>Товар ${name}</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>`);
  await upload(cookie, 'goods/1/import___x.xml', xml('a'));
  await upload(cookie, 'goods/2/import___x.xml', xml('b'));
  assert.equal(await (await get('type=catalog&mode=import&filename=goods/1/import___x.xml', cookie)).text(), 'success\nproducts: 1\n');
  assert.equal(await (await get('type=catalog&mode=import&filename=goods/2/import___x.xml', cookie)).text(), 'success\nproducts: 1\n', 'the same name in another folder is another file');
  for (const bad of ['../import.xml', 'goods/../../import.xml']) {
    const r = await fetch(`${URL_}?type=catalog&mode=file&filename=${encodeURIComponent(bad)}`, { method: 'POST', headers: { cookie }, body: xml('c') });
    assert.match(await r.text(), /^failure\n/, bad);
  }
});
