// A fake SMTP server for the self-hosted runtime's SMTP mailer (issue 24): it takes each message
// as a relay would (EHLO, AUTH, MAIL, RCPT, DATA), decodes the MIME the portal wrote (RFC 2047
// subject, base64 / quoted-printable parts, the text and HTML alternatives, the extra headers)
// and hands it to the simulator's mailbox as the HTTP mail API would (POST SIM_URL/mail), so the
// tests that read mail run unchanged with SMTP_HOST set. The simulator's answer is awaited before
// 250 (its slow-mail addresses stay slow).
// Usage: MAIL_API_TOKEN=... node tests/lib/fake-smtp.mjs PORT SIM_URL
import { createServer } from 'node:net';

const [port, sim] = [Number(process.argv[2]), process.argv[3]];
// The mailbox takes the mail API's bearer token (MAIL_API_TOKEN in the environment).
const MAILBOX_HEADERS = { 'content-type': 'application/json', ...(process.env.MAIL_API_TOKEN ? { authorization: `Bearer ${process.env.MAIL_API_TOKEN}` } : {}) };

/** RFC 2047 encoded words (`=?utf-8?b?..?=`, `=?utf-8?q?..?=`) decoded; whitespace between
 *  adjacent words dropped. */
export function decodeWords(v) {
  return v
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _cs, enc, text) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

function quotedPrintable(s) {
  const bytes = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Headers (unfolded, names as written) and the body of one MIME entity. */
function entity(raw) {
  const cut = raw.indexOf('\r\n\r\n');
  const head = cut < 0 ? raw : raw.slice(0, cut);
  const body = cut < 0 ? '' : raw.slice(cut + 4);
  const headers = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1][1] += ` ${line.trim()}`;
    else if (line.includes(':')) headers.push([line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
  }
  const get = (n) => headers.find(([k]) => k.toLowerCase() === n)?.[1];
  return { headers, get, body };
}

function decodeBody(e) {
  const enc = (e.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(e.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') return quotedPrintable(e.body);
  return e.body;
}

const STANDARD = new Set(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding']);

/** The message as the HTTP mail API's JSON. */
function toMail(rcpt, raw) {
  const top = entity(raw);
  const mail = { to: rcpt, subject: decodeWords(top.get('subject') ?? ''), text: '', headers: {} };
  for (const [k, v] of top.headers) if (!STANDARD.has(k.toLowerCase())) mail.headers[k] = v;
  const type = top.get('content-type') ?? 'text/plain';
  const boundary = type.match(/boundary="?([^";]+)"?/)?.[1];
  const parts = boundary
    ? top.body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--')).map((p) => entity(p.replace(/^\r\n/, '').replace(/\r\n$/, '')))
    : [top];
  for (const p of parts) {
    const t = (p.get('content-type') ?? 'text/plain').toLowerCase();
    if (t.startsWith('text/html')) mail.html = decodeBody(p);
    else if (t.startsWith('text/plain')) mail.text = decodeBody(p);
  }
  if (Object.keys(mail.headers).length === 0) delete mail.headers;
  return mail;
}

createServer((socket) => {
  let buffer = '';
  let data = null;
  let rcpt = [];
  const say = (s) => socket.write(`${s}\r\n`);
  say('220 fake-smtp ESMTP');
  socket.on('data', async (chunk) => {
    buffer += chunk.toString('utf8');
    let nl;
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      if (data !== null) {
        if (line === '.') {
          const raw = data.join('\r\n');
          data = null;
          socket.pause();
          try {
            for (const to of rcpt) {
              const res = await fetch(`${sim}/mail`, { method: 'POST', headers: MAILBOX_HEADERS, body: JSON.stringify(toMail(to, raw)) });
              if (!res.ok) throw new Error(`mailbox ${res.status}`);
            }
            say('250 2.0.0 queued');
          } catch (e) {
            say(`451 4.3.0 ${e.message}`);
          }
          socket.resume();
        } else {
          data.push(line.startsWith('..') ? line.slice(1) : line);
        }
        continue;
      }
      const verb = line.split(' ')[0].toUpperCase();
      if (verb === 'EHLO') say('250-fake-smtp\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN');
      else if (verb === 'HELO') say('250 fake-smtp');
      else if (verb === 'AUTH') say('235 2.7.0 accepted');
      else if (verb === 'MAIL') { rcpt = []; say('250 ok'); }
      else if (verb === 'RCPT') { rcpt.push(line.match(/<([^>]*)>/)?.[1] ?? ''); say('250 ok'); }
      else if (verb === 'DATA') { data = []; say('354 go on'); }
      else if (verb === 'RSET' || verb === 'NOOP') say('250 ok');
      else if (verb === 'QUIT') { say('221 bye'); socket.end(); }
      else say('502 not here');
    }
  });
  socket.on('error', () => {});
}).listen(port, '127.0.0.1');
