// A fake S3-compatible store for the self-hosted runtime's BLOB_BACKEND=s3 (issue 24): path-style
// objects kept as files under DIR, GET (whole or one byte range, streamed from disk), HEAD, PUT.
// Every request's AWS Signature V4 is recomputed here, independently of the server's Rust client,
// from what arrived (method, the raw path, the signed headers) and refused with 403 when it
// differs, as is a body whose SHA-256 is not the one declared.
// Usage: node tests/lib/fake-s3.mjs PORT DIR   (keys: S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY,
// S3_REGION from the environment, defaults below)
import { createServer } from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [port, dir] = [Number(process.argv[2]), process.argv[3]];
const KEY_ID = process.env.S3_ACCESS_KEY_ID ?? 'fake-key-id';
const SECRET = process.env.S3_SECRET_ACCESS_KEY ?? 'fake-secret';
const REGION = process.env.S3_REGION ?? 'ru-central1';
mkdirSync(dir, { recursive: true });

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const hmac = (k, s) => createHmac('sha256', k).update(s).digest();

function expectedAuthorization(req, signed, amzDate, payload) {
  const canonicalHeaders = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim()}\n`).join('');
  const canonical = [req.method, req.url.split('?')[0], '', canonicalHeaders, signed.join(';'), payload].join('\n');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${REGION}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, date), REGION), 's3'), 'aws4_request');
  return `AWS4-HMAC-SHA256 Credential=${KEY_ID}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${hmac(key, toSign).toString('hex')}`;
}

const fail = (res, status, code) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<Error><Code>${code}</Code></Error>`);
};

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const auth = req.headers.authorization ?? '';
    const signed = (auth.match(/SignedHeaders=([^,]+)/)?.[1] ?? '').split(';');
    const payload = req.headers['x-amz-content-sha256'] ?? '';
    const amzDate = req.headers['x-amz-date'] ?? '';
    const must = ['host', 'x-amz-content-sha256', 'x-amz-date'].every((h) => signed.includes(h));
    if (!must || auth !== expectedAuthorization(req, signed, amzDate, payload)) return fail(res, 403, 'SignatureDoesNotMatch');
    if (payload !== sha256(body)) return fail(res, 400, 'XAmzContentSHA256Mismatch');
    const file = join(dir, encodeURIComponent(req.url.split('?')[0]));
    if (req.method === 'PUT') {
      writeFileSync(`${file}.partial`, body);
      renameSync(`${file}.partial`, file);
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
      return res.end();
    }
    let st;
    try { st = statSync(file); } catch { return fail(res, 404, 'NoSuchKey'); }
    const etag = `"${st.mtimeMs.toString(16)}-${st.size.toString(16)}"`;
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': st.size, etag });
      return res.end();
    }
    if (req.method !== 'GET') return fail(res, 405, 'MethodNotAllowed');
    const range = req.headers.range?.match(/^bytes=(\d+)-(\d+)$/);
    if (range) {
      const [a, b] = [Number(range[1]), Math.min(Number(range[2]), st.size - 1)];
      if (a >= st.size) return fail(res, 416, 'InvalidRange');
      res.writeHead(206, { 'content-length': b - a + 1, etag, 'content-range': `bytes ${a}-${b}/${st.size}` });
      return createReadStream(file, { start: a, end: b }).pipe(res);
    }
    res.writeHead(200, { 'content-length': st.size, etag });
    createReadStream(file).pipe(res);
  });
}).listen(port, '127.0.0.1');
