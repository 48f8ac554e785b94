// Catalogue images and property values of the stock CommerceML exchange (issue 18) over real HTTP:
// a generated catalogue (bench/lib/cml-catalogue.mjs) with its image files uploaded the way 1C
// uploads them (`mode=file`, `filename=import_files/xx/name.jpg`, or the base name alone), plus a
// large PNG, a PNG whose header claims 30,000 x 30,000 pixels, a corrupt JPEG and a picture never
// uploaded. The import answers `progress` while the queue consumer makes thumbnails, then
// `success`; each picture that can be read has thumbnails no larger than 160 / 480 px served to a
// signed-in user with cache headers, the others are skipped and the import still succeeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PORTAL, uid, Client, freshCompany } from '../lib/portal.mjs';
import { cmlSignIn as signIn, cmlUpload as upload, cmlImport as importFile } from '../lib/cml.mjs';
import { generate, imageFile, png } from '../../bench/lib/cml-catalogue.mjs';

/** Width and height from a JPEG's first frame header (an independent reader, not the portal's). */
function jpegSize(b) {
  assert.deepEqual([...b.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
  let i = 2;
  while (i < b.length) {
    const marker = b[i + 1];
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error('no frame header');
}

test('images uploaded with the catalogue become thumbnails (pixel cap, bad files skipped), served to signed-in users; properties resolved from the classifier', async () => {
  const co = await freshCompany([['buyer']]);
  const prefix = uid('im').replace('-', '');
  const { importXml, offersXml, model } = generate({ goods: 6, prefix, warehouses: 2 });
  // Four more products, each with one odd picture.
  const odd = [
    { id: `${prefix}-big`, path: `import_files/zz/${prefix}-big.png`, bytes: png(1000, 700, 3) },
    { id: `${prefix}-huge`, path: `import_files/zz/${prefix}-huge.png`, bytes: hugeHeaderPng(30000, 30000) },
    { id: `${prefix}-bad`, path: `import_files/zz/${prefix}-bad.jpg`, bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 100, 0, 100, 3]), Buffer.alloc(300, 0x11)]) },
    { id: `${prefix}-none`, path: `import_files/zz/${prefix}-none.jpg`, bytes: null },
  ];
  const extra = odd.map((o, i) => `<Товар><Ид>${o.id}</Ид><Артикул>${prefix.toUpperCase()}-X${i}</Артикул><Наименование>Особый ${o.id}</Наименование>`
    + `<БазоваяЕдиница Код="796">шт</БазоваяЕдиница><Картинка>${o.path}</Картинка></Товар>`).join('');
  const xml = importXml.toString('utf8').replace('</Товары>', `${extra}</Товары>`);

  const cookie = await signIn();
  await upload(cookie, 'import.xml', Buffer.from(xml, 'utf8'));
  // 1C uploads pictures with their folder; some set-ups send the base name only: both are found.
  const withImages = model.products.filter((p) => p.images.length);
  assert.ok(withImages.length >= 2);
  for (const [k, p] of withImages.entries()) {
    for (const path of p.images) await upload(cookie, k % 2 ? path.split('/').pop() : path, imageFile(path).bytes);
  }
  for (const o of odd) if (o.bytes) await upload(cookie, o.path, o.bytes);

  const { answer, seen } = await importFile(cookie, 'import.xml');
  assert.match(answer, /^success\n/, `import.xml: ${answer}`);
  const total = withImages.length * 2 + odd.length;
  assert.match(answer, new RegExp(`images: ${total}\\b`), answer);
  assert.match(seen[0], /^progress\n.*images: \d+ of \d+ to go/, 'the first answer waits for the thumbnails');
  await upload(cookie, 'offers.xml', offersXml);
  assert.match((await importFile(cookie, 'offers.xml')).answer, /^success\n/);

  const buyer = new Client();
  assert.equal((await buyer.signIn(co.users[0].email, co.users[0].password)).status, 200);
  const items = (await buyer.get(`/api/orders/catalog?q=${encodeURIComponent(`${prefix.toUpperCase()}-`)}&limit=50`)).body.items;
  const got = Object.fromEntries(items.map((i) => [i.onec_id, i]));
  const thumb = async (image, size, headers = {}) => {
    const r = await fetch(`${PORTAL}/api/orders/catalog/images/${image.id}/${size}`, { headers: { cookie: [...buyer.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...headers } });
    return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), etag: r.headers.get('etag'), bytes: Buffer.from(await r.arrayBuffer()) };
  };
  const expectThumbs = async (card, width, height) => {
    assert.ok(card.image?.id, `${card.onec_id} has an image`);
    for (const size of [160, 480]) {
      const t = await thumb(card.image, size);
      assert.equal(t.status, 200, `${card.onec_id} ${size}`);
      assert.equal(t.type, 'image/jpeg');
      assert.match(t.cache, /max-age=\d{6,}/);
      const got = jpegSize(t.bytes);
      assert.ok(Math.max(got.width, got.height) <= size, `${card.onec_id} ${size}: ${got.width}x${got.height}`);
      // The long side is the thumbnail's, or the picture's own when smaller (never enlarged); aspect kept.
      const scale = Math.min(1, size / Math.max(width, height));
      assert.deepEqual(got, { width: Math.round(width * scale), height: Math.round(height * scale) }, `${card.onec_id} ${size}`);
      if (size === 160) assert.deepEqual({ width: card.image.w, height: card.image.h }, got, 'the card says the 160 px size');
    }
  };
  // The main (first) picture of each product with pictures: the generated 240 x 180 JPEG.
  for (const p of withImages) await expectThumbs(got[p.id], 240, 180);
  await expectThumbs(got[`${prefix}-big`], 1000, 700);
  for (const o of odd.slice(1)) assert.equal(got[o.id].image, null, `${o.id}: skipped, no image`);
  for (const p of model.products.filter((q) => !q.images.length)) assert.equal(got[p.id].image, null);

  // Property values: names from the classifier, a dictionary value id read as its value.
  for (const p of model.products) assert.deepEqual(got[p.id].properties, p.properties, p.id);

  // Cached for good and revalidated by its tag; only for signed-in users; nothing else served.
  const first = await thumb(got[`${prefix}-big`].image, 480);
  assert.match(first.cache, /immutable/);
  assert.equal((await thumb(got[`${prefix}-big`].image, 480, { 'if-none-match': first.etag })).status, 304);
  assert.equal((await fetch(`${PORTAL}/api/orders/catalog/images/${got[`${prefix}-big`].image.id}/160`)).status, 401);
  assert.equal((await thumb(got[`${prefix}-big`].image, 200)).status, 404, 'only the thumbnail sizes');
  assert.equal((await thumb({ id: '../../cml' }, 160)).status, 404);
});

/** A PNG whose header says `w` x `h`, with a small garbage body: decoding it would need gigabytes
 * (and fail); the import must refuse it from its header. */
function hugeHeaderPng(w, h) {
  const real = png(2, 2);
  const out = Buffer.concat([real.subarray(0, 33), Buffer.alloc(2048, 0xab)]);
  out.writeUInt32BE(w, 16);
  out.writeUInt32BE(h, 20);
  return out;
}
