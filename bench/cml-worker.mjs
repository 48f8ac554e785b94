// CommerceML parsing inside the Worker: uploads a generated catalogue (import.xml) and offer
// package (offers.xml) of about SIZE_MB each through the stock exchange protocol (checkauth, init,
// file in file_limit chunks), then asks the dev-only route /exchange/1c/commerceml/bench to read
// each file window by window from R2 (pass=read) and to read and parse it (pass=parse), as a
// sliced import does. Inside a Worker the clock moves only on I/O, so both passes are timed here:
// parse throughput = size / (parse pass - read pass). Also prints the wasm linear memory the
// Worker reached. With --import, then imports the offers through the queue consumer and times it.
//
// The Worker's memory only grows, and 1C's file_limit-sized upload bodies (8 MiB) pass through
// it: --chunk-mb=1 uploads in 1 MiB pieces so that, on a fresh stack, the memory reported is the
// parser's own.
//
// Usage: PORTAL_URL=http://127.0.0.1:8787 node bench/cml-worker.mjs [SIZE_MB=100] [--chunk-mb=N] [--import]
import { readFileSync } from 'node:fs';

const PORTAL = process.env.PORTAL_URL ?? 'http://127.0.0.1:8787';
const URL_ = `${PORTAL}/exchange/1c/commerceml`;
const args = process.argv.slice(2);
const sizeMb = Number(args.find((a) => /^\d+$/.test(a)) ?? 100);
const secrets = Object.fromEntries(readFileSync(new URL('../.dev-secrets', import.meta.url), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

function catalogue(bytes) {
  const parts = ['\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_210" ВерсияСхемы="2.10"><Классификатор><Ид>cl</Ид><Наименование>Классификатор</Наименование><Группы>'];
  for (let g = 0; g < 200; g++) parts.push(`<Группа><Ид>grp-${g}</Ид><Наименование>Группа ${g}</Наименование></Группа>`);
  parts.push('</Группы></Классификатор><Каталог СодержитТолькоИзменения="false"><Ид>cat</Ид><Наименование>Каталог</Наименование><Товары>\r\n');
  let size = 0, n = 0;
  while (size < bytes) {
    const p = `\t<Товар><Ид>b7d1c2e0-0000-4000-8000-${String(n).padStart(12, '0')}</Ид><Артикул>AZ-${n}</Артикул><Наименование>Подшипник ступицы №${n} для МТЗ-82 «Беларус»</Наименование><БазоваяЕдиница Код="796" НаименованиеПолное="Штука">шт</БазоваяЕдиница><Группы><Ид>grp-${n % 200}</Ид></Группы><ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>ВидНоменклатуры</Наименование><Значение>Запчасть</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Товар>\r\n`;
    parts.push(p);
    size += Buffer.byteLength(p);
    n++;
  }
  parts.push('</Товары></Каталог></КоммерческаяИнформация>\r\n');
  return { bytes: Buffer.from(parts.join('')), items: n };
}

function offers(bytes) {
  const parts = ['\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_210" ВерсияСхемы="2.10"><ПакетПредложений СодержитТолькоИзменения="false"><ТипыЦен><ТипЦены><Ид>pt-opt</Ид><Наименование>Оптовая</Наименование><Валюта>RUB</Валюта></ТипЦены><ТипЦены><Ид>pt-roz</Ид><Наименование>Розничная</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен><Предложения>\r\n'];
  let size = 0, n = 0;
  while (size < bytes) {
    const p = `\t<Предложение><Ид>b7d1c2e0-0000-4000-8000-${String(n).padStart(12, '0')}</Ид><Артикул>AZ-${n}</Артикул><Наименование>Подшипник ступицы №${n}</Наименование><Цены><Цена><Представление>${n % 5000},50 RUB за шт</Представление><ИдТипаЦены>pt-opt</ИдТипаЦены><ЦенаЗаЕдиницу>${n % 5000}.50</ЦенаЗаЕдиницу><Валюта>RUB</Валюта><Единица>шт</Единица></Цена><Цена><ИдТипаЦены>pt-roz</ИдТипаЦены><ЦенаЗаЕдиницу>${(n % 5000) + 99}.90</ЦенаЗаЕдиницу><Валюта>RUB</Валюта></Цена></Цены><Остатки><Остаток><Склад><Ид>w1</Ид><Количество>${n % 17}</Количество></Склад></Остаток><Остаток><Склад><Ид>w2</Ид><Количество>${n % 3}</Количество></Склад></Остаток></Остатки></Предложение>\r\n`;
    parts.push(p);
    size += Buffer.byteLength(p);
    n++;
  }
  parts.push('</Предложения></ПакетПредложений></КоммерческаяИнформация>\r\n');
  return { bytes: Buffer.from(parts.join('')), items: n };
}

async function signIn() {
  const r = await fetch(`${URL_}?type=catalog&mode=checkauth`, { headers: { authorization: `Basic ${Buffer.from(`${secrets.CML_USER}:${secrets.CML_PASSWORD}`).toString('base64')}` } });
  const [ok, name, value] = (await r.text()).split('\n');
  if (ok !== 'success') throw new Error(`checkauth: ${ok}`);
  return `${name}=${value}`;
}

async function upload(cookie, name, bytes, limit) {
  const t0 = performance.now();
  for (let at = 0; at < bytes.length; at += limit) {
    const r = await fetch(`${URL_}?type=catalog&mode=file&filename=${name}`, { method: 'POST', headers: { cookie }, body: bytes.subarray(at, at + limit) });
    const t = await r.text();
    if (t !== 'success\n') throw new Error(`file ${name}: ${t}`);
  }
  return performance.now() - t0;
}

async function pass(cookie, name, which) {
  const t0 = performance.now();
  const r = await fetch(`${PORTAL}/exchange/1c/commerceml/bench?filename=${name}&pass=${which}`, { headers: { cookie } });
  const body = await r.json();
  if (r.status !== 200) throw new Error(`bench ${name} ${which}: ${r.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, ...body };
}

const mb = (b) => (b / 1048576).toFixed(1);
const cookie = await signIn();
const init = await (await fetch(`${URL_}?type=catalog&mode=init`, { headers: { cookie } })).text();
const chunkArg = args.find((a) => a.startsWith('--chunk-mb='));
const limit = chunkArg ? Number(chunkArg.split('=')[1]) * 1048576 : Number(init.match(/file_limit=(\d+)/)[1]);
const rows = [];
for (const [name, make] of [['import.xml', catalogue], ['offers.xml', offers]]) {
  const file = make(sizeMb * 1048576);
  const up = await upload(cookie, name, file.bytes, limit);
  const runs = { read: [], parse: [] };
  for (let i = 0; i < 3; i++) {
    runs.read.push(await pass(cookie, name, 'read'));
    runs.parse.push(await pass(cookie, name, 'parse'));
  }
  const best = (xs) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const read = best(runs.read), parse = best(runs.parse);
  if (parse.items !== file.items) throw new Error(`${name}: parsed ${parse.items} of ${file.items}`);
  const memory = Math.max(...[...runs.read, ...runs.parse].map((r) => r.memory_after ?? 0));
  rows.push({
    file: name, MB: mb(file.bytes.length), items: file.items, upload_s: (up / 1000).toFixed(1),
    read_s: (read.ms / 1000).toFixed(2), parse_s: (parse.ms / 1000).toFixed(2),
    'parse_MB/s': (file.bytes.length / 1048576 / ((parse.ms - read.ms) / 1000)).toFixed(0),
    'read+parse_MB/s': (file.bytes.length / 1048576 / (parse.ms / 1000)).toFixed(0),
    wasm_memory_MB: mb(memory), memory_before_first_MB: mb(runs.read[0].memory_before ?? 0),
  });
}
console.table(rows);

if (args.includes('--import')) {
  const t0 = performance.now();
  let answer = await (await fetch(`${URL_}?type=catalog&mode=import&filename=offers.xml`, { headers: { cookie } })).text();
  while (answer.startsWith('progress')) {
    await new Promise((res) => setTimeout(res, 1000));
    answer = await (await fetch(`${URL_}?type=catalog&mode=import&filename=offers.xml`, { headers: { cookie } })).text();
  }
  console.log(`import of offers.xml through the queue consumer: ${((performance.now() - t0) / 1000).toFixed(1)} s: ${answer.trim().replace('\n', ' ')}`);
}
