// Actions on a slow link: every action button shows that it is working and takes no second tap
// while its request is in flight, and every user action carries one Idempotency-Key, made when the
// form or the confirmation opens and kept only to retry that same action after a network failure
// (the server then answers the first request's result instead of doing it twice). An answer from
// the server, good or bad, ends the action: the next one gets a new key.
import { t } from './i18n.js';
import { ApiError } from './api.js';

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** One user action's key: `open()` when its form or confirmation opens (a new key unless the last
 * attempt never got an answer), `answered(error)` after each attempt. */
export class Action {
  constructor() {
    this.key = uuid();
    this.unanswered = false;
  }

  open() {
    if (!this.unanswered) this.key = uuid();
    return this.key;
  }

  /** After an attempt: a network failure (no ApiError) keeps the key for the retry. */
  answered(error) {
    this.unanswered = error !== undefined && !answeredBy(error);
    if (!this.unanswered) this.key = uuid();
  }
}

/** Runs `fn` with `button` disabled and showing progress (aria-busy, its label saying so); a
 * second tap meanwhile does nothing. Resolves to fn's result, or undefined for an ignored tap. */
export async function busy(button, fn) {
  if (button.dataset.busy === 'true') return undefined;
  const label = button.textContent;
  button.dataset.busy = 'true';
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.classList.add('busy');
  button.textContent = t('action.busy');
  try {
    return await fn();
  } finally {
    button.textContent = label;
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.classList.remove('busy');
    delete button.dataset.busy;
  }
}

/** Did the server answer (a problem), or did the request never get an answer (the network)? */
// api.js turns a network failure into an ApiError with status 0 (offline): that is no answer.
const answeredBy = (e) => (e instanceof ApiError || Boolean(e?.problem)) && e.status !== 0 && !e.problem?.offline;

/** What a failed attempt says: the problem, or (no answer at all) that it can be retried safely. */
export function failureText(e, problemMessage) {
  return answeredBy(e) ? problemMessage(e.problem) : t('action.offline');
}
