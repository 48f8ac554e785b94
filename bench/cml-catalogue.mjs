// The generated catalogue of bench/lib/cml-catalogue.mjs at full scale (default 100,000 goods:
// characteristics, images referenced, several warehouses, a USD price type) through the stock
// protocol end to end: checkauth, init, file in file_limit chunks, import (polled until success,
// larger files in the queue consumer), first import.xml then offers.xml; prints the sizes and the
// times. The same generator at a few dozen goods is checked item by item in
// tests/api/commerceml.test.mjs.
//
// The first IMAGES pictures referenced are uploaded (as 1C does, with their import_files/ path)
// and made into thumbnails by the queue consumer before import.xml's import answers success; the
// others are noted missing in one statement.
//
// Usage: PORTAL_URL=http://127.0.0.1:8787 node bench/cml-catalogue.mjs [GOODS=100000] [WAREHOUSES=5] [IMAGES=300]
import { readFileSync } from 'node:fs';
import { generate, imageFile } from './lib/cml-catalogue.mjs';

const PORTAL = process.env.PORTAL_URL ?? 'http://127.0.0.1:8787';
const URL_ = `${PORTAL}/exchange/1c/commerceml`;
const [goods = 100000, warehouses = 5, images = 300] = process.argv.slice(2).map(Number);
const secrets = Object.fromEntries(readFileSync(new URL('../.dev-secrets', import.meta.url), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

const auth = await fetch(`${URL_}?type=catalog&mode=checkauth`, { headers: { authorization: `Basic ${Buffer.from(`${secrets.CML_USER}:${secrets.CML_PASSWORD}`).toString('base64')}` } });
const [ok, cname, cvalue] = (await auth.text()).split('\n');
if (ok !== 'success') throw new Error(`checkauth: ${ok}`);
const cookie = `${cname}=${cvalue}`;
const init = await (await fetch(`${URL_}?type=catalog&mode=init`, { headers: { cookie } })).text();
const limit = Number(init.match(/file_limit=(\d+)/)[1]);
const t0 = performance.now();
const { importXml, offersXml, model } = generate({ goods, prefix: `bench${Date.now().toString(36)}`, warehouses });
const variants = model.products.reduce((s, p) => s + p.variants.length, 0);
console.log(`generated ${goods} goods, ${variants} characteristics, ${warehouses} warehouses in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
for (const [name, bytes] of [['import.xml', importXml], ['offers.xml', offersXml]]) {
  const up = performance.now();
  for (let at = 0; at < bytes.length; at += limit) {
    const r = await fetch(`${URL_}?type=catalog&mode=file&filename=${name}`, { method: 'POST', headers: { cookie }, body: bytes.subarray(at, at + limit) });
    const t = await r.text();
    if (t !== 'success\n') throw new Error(`file ${name}: ${t}`);
  }
  if (name === 'import.xml') {
    const paths = model.products.flatMap((p) => p.images).slice(0, images);
    const pic = performance.now();
    for (const path of paths) {
      const r = await fetch(`${URL_}?type=catalog&mode=file&filename=${encodeURIComponent(path)}`, { method: 'POST', headers: { cookie }, body: imageFile(path).bytes });
      const t = await r.text();
      if (t !== 'success\n') throw new Error(`file ${path}: ${t}`);
    }
    console.log(`${paths.length} pictures uploaded in ${((performance.now() - pic) / 1000).toFixed(1)} s`);
  }
  const imp = performance.now();
  let answer = await (await fetch(`${URL_}?type=catalog&mode=import&filename=${name}`, { headers: { cookie } })).text();
  while (answer.startsWith('progress')) {
    await new Promise((res) => setTimeout(res, 1000));
    answer = await (await fetch(`${URL_}?type=catalog&mode=import&filename=${name}`, { headers: { cookie } })).text();
  }
  if (!answer.startsWith('success')) throw new Error(`${name}: ${answer}`);
  console.log(`${name}: ${(bytes.length / 1048576).toFixed(1)} MB, upload ${((imp - up) / 1000).toFixed(1)} s, import ${((performance.now() - imp) / 1000).toFixed(1)} s: ${answer.trim().replace('\n', ' ')}`);
}
