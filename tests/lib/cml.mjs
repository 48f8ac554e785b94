// The stock CommerceML exchange as 1C drives it (checkauth, file, import polled until done), for
// tests that load a catalogue through it (tests/api/cml-images.test.mjs, the browser's catalogue).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PORTAL } from './portal.mjs';
import { imageFile } from '../../bench/lib/cml-catalogue.mjs';

const secrets = Object.fromEntries(readFileSync(new URL('../../.dev-secrets', import.meta.url), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
export const CML_URL = `${PORTAL}/exchange/1c/commerceml`;

/** `checkauth`: the session cookie. */
export async function cmlSignIn(type = 'catalog') {
  const auth = await fetch(`${CML_URL}?type=${type}&mode=checkauth`, { headers: { authorization: `Basic ${Buffer.from(`${secrets.CML_USER}:${secrets.CML_PASSWORD}`).toString('base64')}` } });
  const [ok, name, value] = (await auth.text()).split('\n');
  assert.equal(ok, 'success');
  return `${name}=${value}`;
}

/** `mode=file` of one file in one request. */
export async function cmlUpload(cookie, filename, bytes) {
  const r = await fetch(`${CML_URL}?type=catalog&mode=file&filename=${encodeURIComponent(filename)}`, { method: 'POST', headers: { cookie }, body: bytes });
  assert.equal(await r.text(), 'success\n', filename);
}

/** `import` polled as 1C polls it (`progress` until `success` or `failure`): the last answer and
 * every one seen. */
export async function cmlImport(cookie, name, timeoutMs = 120000) {
  const seen = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await (await fetch(`${CML_URL}?type=catalog&mode=import&filename=${name}`, { headers: { cookie } })).text();
    seen.push(answer);
    if (!answer.startsWith('progress')) return { answer, seen };
    assert.ok(Date.now() < deadline, `${name} still in progress: ${answer}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

/** A generated catalogue (bench/lib/cml-catalogue.mjs) with its image files, imported. */
export async function cmlLoadCatalogue({ importXml, offersXml, model }) {
  const cookie = await cmlSignIn();
  await cmlUpload(cookie, 'import.xml', importXml);
  for (const p of model.products) for (const path of p.images) await cmlUpload(cookie, path, imageFile(path).bytes);
  for (const [name, bytes] of [['import.xml', null], ['offers.xml', offersXml]]) {
    if (bytes) await cmlUpload(cookie, name, bytes);
    const { answer } = await cmlImport(cookie, name);
    assert.match(answer, /^success\n/, `${name}: ${answer}`);
  }
}
