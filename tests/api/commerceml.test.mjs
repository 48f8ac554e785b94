// 1C's stock CommerceML exchange over real HTTP: the catalogue (Basic auth, cookie, chunked file,
// import in the request, and a large file imported in slices by the queue consumer while 1C polls)
// and orders (type=sale: query, success, 1C's order file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PORTAL, uid, companyMsg, sendAndApply, onecPost, Client, freshCompany } from '../lib/portal.mjs';
import { generate, expectedCard } from '../../bench/lib/cml-catalogue.mjs';

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
  assert.match(init, /^zip=yes\nfile_limit=\d+/);
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

async function signIn(type) {
  const auth = await fetch(`${URL_}?type=${type}&mode=checkauth`, { headers: { authorization: `Basic ${Buffer.from(`${secrets.CML_USER}:${secrets.CML_PASSWORD}`).toString('base64')}` } });
  const [ok, name, value] = (await auth.text()).split('\n');
  assert.equal(ok, 'success');
  return `${name}=${value}`;
}

const get = async (query, cookie) => fetch(`${URL_}?${query}`, { headers: { cookie } });

function orderMsg(entity, company, number) {
  return {
    id: uid('m'), type: 'order', entity_id: entity, seq: 1,
    payload: {
      company_id: company, legal_entity_id: `${company}-le`, agreement_id: `${company}-ag`, number, date: '2026-03-01T10:00:00',
      author_email: null, status: 'awaiting_payment', delivery_method: 'pickup', delivery_address: null, consignee_id: null,
      payment_method: 'invoice', paid: 0, planned_shipping_date: null, total: 2469.0, vat_total: 411.5, shipments: [],
      lines: [{ line_no: 1, product_id: 'p1', article: 'AZ1', name: 'Подшипник «МТЗ» & Ко', quantity: 2, unit: 'шт', price: 1234.5, amount: 2469.0, vat_rate: 20, vat: 411.5 }],
    },
  };
}

/** The `Ид`s of the documents in a query answer. */
const documentIds = (xml) => [...xml.matchAll(/<Документ>\s*<Ид>([^<]*)<\/Ид>/g)].map((m) => m[1]);

test('type=sale: query hands out the orders changed in the portal, success confirms them, a change in between stays due', async () => {
  const company = uid('cml-c');
  const order = uid('cml-o');
  const number = `ЗК-${order}`;
  await sendAndApply([companyMsg(company, 1, `Ромашка ${company}`), orderMsg(order, company, number)]);
  const cookie = await signIn('sale');
  // УТ 11 asks for 2.10 at init; the documents `query` writes are then 2.10 ones.
  assert.match(await (await get('type=sale&mode=init&version=2.10', cookie)).text(), /^zip=yes\nfile_limit=\d+\n[\s\S]*version=2\.10\n/);
  const change = async () => {
    const r = await onecPost('/exchange/v1/test/order-changes', { onec_ids: [order] });
    assert.deepEqual([r.status, r.body.marked], [200, 1]);
  };
  const query = async () => {
    const r = await get('type=sale&mode=query', cookie);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/xml; charset=utf-8');
    const xml = await r.text();
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.10"/);
    return xml;
  };
  const success = async () => assert.equal(await (await get('type=sale&mode=success', cookie)).text(), 'success\n');

  assert.ok(!documentIds(await query()).includes(order), 'an order from 1C is not news to 1C');
  await change();
  const xml = await query();
  assert.ok(documentIds(xml).includes(order), xml);
  assert.ok(xml.includes(`<Номер>${number}</Номер>`) && xml.includes('<Наименование>Подшипник «МТЗ» &amp; Ко</Наименование>'));
  // Edited again while 1C processes the document it took.
  await change();
  await success();
  assert.ok(documentIds(await query()).includes(order), 'the later change is still due');
  await success();
  assert.ok(!documentIds(await query()).includes(order), 'confirmed');

  // 1C's order file: its number, posting and payment; an order the portal lacks is reported.
  const file = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.08"><Документ><Ид>${order}</Ид><Номер>${number}</Номер>
    <ХозОперация>Заказ товара</ХозОперация><Сумма>2469.00</Сумма><ЗначенияРеквизитов>
    <ЗначениеРеквизита><Наименование>Номер по 1С</Наименование><Значение>УТ-${order}</Значение></ЗначениеРеквизита>
    <ЗначениеРеквизита><Наименование>Дата оплаты по 1С</Наименование><Значение>05.03.2026 12:00:00</Значение></ЗначениеРеквизита>
    </ЗначенияРеквизитов></Документ><Документ><Ид>${uid('ghost')}</Ид><Номер>X</Номер></Документ></КоммерческаяИнформация>`;
  const r = await fetch(`${URL_}?type=sale&mode=file&filename=${encodeURIComponent('C:\\1c\\orders-1.xml')}`, { method: 'POST', headers: { cookie }, body: Buffer.from(file) });
  const answer = await r.text();
  assert.match(answer, /^success\norders updated: 1, unknown: 1 \(ghost-/);
  assert.equal(await (await get('type=sale&mode=import&filename=orders-1.xml', cookie)).text(), answer);
  assert.ok(!documentIds(await query()).includes(order), '1C\'s own change is not sent back');
});

test('type=catalog: a file above the in-request size imports in slices in the queue consumer; import answers progress until success', async () => {
  const cookie = await signIn('catalog');
  const tag = uid('big');
  const n = 42000;
  const parts = [`\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_210" ВерсияСхемы="2.10"><Каталог><Товары>\r\n`];
  for (let i = 0; i < n; i++) {
    parts.push(`<Товар><Ид>${tag}-${i}</Ид><Артикул>BIG-${i}</Артикул><Наименование>Фильтр масляный №${i} для тракторов «Кировец»</Наименование><БазоваяЕдиница>шт</БазоваяЕдиница></Товар>\r\n`);
  }
  parts.push('</Товары></Каталог></КоммерческаяИнформация>\r\n');
  const bytes = Buffer.from(parts.join(''), 'utf8');
  const limit = Number((await (await get('type=catalog&mode=init', cookie)).text()).match(/file_limit=(\d+)/)[1]);
  assert.ok(bytes.length > limit, `${bytes.length} bytes: more than one chunk`);
  for (let at = 0; at < bytes.length; at += limit) {
    const r = await fetch(`${URL_}?type=catalog&mode=file&filename=import_big.xml`, { method: 'POST', headers: { cookie }, body: bytes.subarray(at, at + limit) });
    assert.equal(await r.text(), 'success\n');
  }
  const first = await (await get('type=catalog&mode=import&filename=import_big.xml', cookie)).text();
  assert.match(first, /^progress\nproducts: \d+ so far/);
  const deadline = Date.now() + 180000;
  let answer = first;
  const seen = new Set();
  while (answer.startsWith('progress')) {
    assert.ok(Date.now() < deadline, `still ${answer}`);
    seen.add(answer.split('\n')[1]);
    await new Promise((res) => setTimeout(res, 500));
    answer = await (await get('type=catalog&mode=import&filename=import_big.xml', cookie)).text();
  }
  assert.equal(answer, `success\nproducts: ${n}\n`);
  assert.ok(seen.size >= 1, 'answered progress first');
});

test('stock per warehouse: the catalogue shows the total and each warehouse by the name Склады gave it (classifier or offers package)', async () => {
  const co = await freshCompany([['buyer']]);
  const cookie = await signIn('catalog');
  const [id, w1, w2] = [uid('g'), uid('wh'), uid('wh')];
  const head = '\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.09">';
  const files = {
    'import.xml': `${head}<Классификатор><Склады><Склад><Ид>${w1}</Ид><Наименование>Склад Краснодар</Наименование></Склад></Склады></Классификатор>
      <Каталог СодержитТолькоИзменения="true"><Товары><Товар><Ид>${id}</Ид><Артикул>WH-${id}</Артикул><Наименование>Фильтр ${id}</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>`,
    'rests.xml': `${head}<ПакетПредложений СодержитТолькоИзменения="true"><Склады><Склад><Ид>${w2}</Ид><Наименование>Склад Ростов</Наименование></Склад></Склады>
      <Предложения><Предложение><Ид>${id}</Ид><Остатки><Остаток><Склад><Ид>${w1}</Ид><Количество>2</Количество></Склад></Остаток>
      <Остаток><Склад><Ид>${w2}</Ид><Количество>3.5</Количество></Склад></Остаток></Остатки></Предложение></Предложения></ПакетПредложений></КоммерческаяИнформация>`,
  };
  for (const [name, xml] of Object.entries(files)) {
    const r = await fetch(`${URL_}?type=catalog&mode=file&filename=${name}`, { method: 'POST', headers: { cookie }, body: Buffer.from(xml, 'utf8') });
    assert.equal(await r.text(), 'success\n');
    // 1C polls while the queue consumer goes through the referenced images (none uploaded here:
    // each is noted missing, the import succeeds).
    let imported = await (await get(`type=catalog&mode=import&filename=${name}`, cookie)).text();
    for (const deadline = Date.now() + 60000; imported.startsWith('progress') && Date.now() < deadline;) {
      await new Promise((res) => setTimeout(res, 500));
      imported = await (await get(`type=catalog&mode=import&filename=${name}`, cookie)).text();
    }
    assert.match(imported, /^success\n/, `${name}: ${imported}`);
  }
  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const items = (await buyer.get(`/api/orders/catalog?q=${encodeURIComponent(`WH-${id}`)}`)).body.items;
  assert.equal(items.length, 1);
  assert.equal(items[0].stock_milli, 5500, 'the total over warehouses');
  assert.deepEqual(items[0].stock, [{ warehouse: 'Склад Краснодар', qty_milli: 2000 }, { warehouse: 'Склад Ростов', qty_milli: 3500 }]);
});

test('a generated catalogue (characteristics, images, several warehouses, a USD price type) imports through the protocol; the catalogue shows every card as the generator made it', async () => {
  const co = await freshCompany([['buyer']]);
  const prefix = uid('gc').replace('-', '');
  const { importXml, offersXml, model } = generate({ goods: 24, prefix, warehouses: 3 });
  const cookie = await signIn('catalog');
  for (const [name, bytes] of [['import.xml', importXml], ['offers.xml', offersXml]]) {
    for (let at = 0; at < bytes.length; at += 16384) {
      const r = await fetch(`${URL_}?type=catalog&mode=file&filename=${name}`, { method: 'POST', headers: { cookie }, body: bytes.subarray(at, at + 16384) });
      assert.equal(await r.text(), 'success\n');
    }
    // 1C polls while the queue consumer goes through the referenced images (none uploaded here:
    // each is noted missing, the import succeeds).
    let imported = await (await get(`type=catalog&mode=import&filename=${name}`, cookie)).text();
    for (const deadline = Date.now() + 60000; imported.startsWith('progress') && Date.now() < deadline;) {
      await new Promise((res) => setTimeout(res, 500));
      imported = await (await get(`type=catalog&mode=import&filename=${name}`, cookie)).text();
    }
    assert.match(imported, /^success\n/, `${name}: ${imported}`);
  }
  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const items = (await buyer.get(`/api/orders/catalog?q=${encodeURIComponent(`${prefix.toUpperCase()}-`)}&limit=50`)).body.items;
  const got = Object.fromEntries(items.map((i) => [i.onec_id, i]));
  assert.equal(items.length, model.products.length, 'one card per product, its characteristics under it');
  for (const p of model.products) {
    const card = got[p.id];
    assert.ok(card, `${p.id} found`);
    const pick = (i) => ({ onec_id: i.onec_id, name: i.name, article: i.article, unit: i.unit, vat_rate_bp: i.vat_rate_bp, properties: i.properties,
      price_kop: i.price_kop, stock_milli: i.stock_milli, stock: i.stock, variants: (i.variants || []).map(pick) });
    assert.deepEqual(pick(card), expectedCard(p), p.id);
  }
});
