// 1C's stock CommerceML catalogue exchange over real HTTP (Basic auth, cookie, chunked file, import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PORTAL, uid } from '../lib/portal.mjs';

const secrets = Object.fromEntries(readFileSync(new URL('../../.dev-secrets', import.meta.url), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const URL_ = `${PORTAL}/exchange/1c/commerceml`;

test('checkauth, init, a file in two chunks, import: the products appear in the portal', async () => {
  const bad = await fetch(`${URL_}?type=catalog&mode=checkauth`, { headers: { authorization: `Basic ${Buffer.from('1c:wrong').toString('base64')}` } });
  assert.equal(bad.status, 401);
  const auth = await fetch(`${URL_}?type=catalog&mode=checkauth`, { headers: { authorization: `Basic ${Buffer.from(`${secrets.CML_USER}:${secrets.CML_PASSWORD}`).toString('base64')}` } });
  const [ok, name, value] = (await auth.text()).split('\n');
  assert.equal(ok, 'success');
  const cookie = `${name}=${value}`;
  const init = await (await fetch(`${URL_}?type=catalog&mode=init`, { headers: { cookie } })).text();
  assert.match(init, /^zip=no\nfile_limit=\d+/);
  const id = uid('g');
  const xml = `\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_210" ВерсияСхемы="2.10"><Каталог СодержитТолькоИзменения="false"><Товары>
    <Товар><Ид>${id}</Ид><Артикул>CML-77</Артикул><Наименование>Ремень вариатора ${id}</Наименование><БазоваяЕдиница>шт</БазоваяЕдиница></Товар>
    </Товары></Каталог></КоммерческаяИнформация>`;
  const bytes = Buffer.from(xml, 'utf8');
  for (const part of [bytes.subarray(0, 100), bytes.subarray(100)]) {
    const r = await fetch(`${URL_}?type=catalog&mode=file&filename=${encodeURIComponent('C:\\exchange\\import0_1.xml')}`, { method: 'POST', headers: { cookie }, body: part });
    assert.equal(await r.text(), 'success\n');
  }
  const imported = await (await fetch(`${URL_}?type=catalog&mode=import&filename=import0_1.xml`, { headers: { cookie } })).text();
  assert.equal(imported, 'success\nproducts: 1\n');
  assert.equal((await fetch(`${URL_}?type=catalog&mode=init`)).status, 401, 'no cookie, no exchange');
});
