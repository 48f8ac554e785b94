// The confirmation every money action goes through: a modal dialog saying what will happen (the
// amount, the credit or balance after, when the goods ship), sent by one tap on its confirm button
// and by nothing else. Focus stays inside while it is open (a modal <dialog> makes the page behind
// inert; Tab wraps around), Esc or "Отмена" closes it without a request, and the opener gets the
// focus back. The request carries the action's Idempotency-Key (actions.js).
import { t } from './i18n.js';
import { el, problemMessage } from './dom.js';
import { Action, busy, failureText } from './actions.js';

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';
let seq = 0;

/**
 * Opens the confirmation. `facts`: [label, value] rows; `notes`: sentences (the shipping
 * consequence); `send(key)`: the request; `done(result)`: after a good answer (the dialog is closed
 * first). `action`: the Action whose key is used (one per form, so a retry after a network failure
 * reuses it); a new one when not given.
 */
export function confirmAction({ title, facts = [], notes = [], confirmKey = 'confirm.yes', send, done, action = new Action(), testid = 'confirm' }) {
  const opener = document.activeElement;
  const key = action.open();
  const id = `confirm-title-${++seq}`;
  const status = el('p', { class: 'error', hidden: true, role: 'alert', 'data-testid': 'confirm-error' });
  const yes = el('button', { type: 'button', 'data-testid': 'confirm-yes' }, t(confirmKey));
  const no = el('button', { type: 'button', class: 'secondary', 'data-testid': 'confirm-no' }, t('confirm.no'));
  const dlg = el('dialog', { class: 'confirm', 'aria-labelledby': id, 'aria-modal': 'true', 'data-testid': testid },
    el('h2', { id }, title),
    facts.length ? el('dl', { class: 'facts', 'data-testid': 'confirm-facts' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])) : '',
    ...notes.filter(Boolean).map((n) => el('p', { class: 'confirm-note' }, n)),
    status,
    el('div', { class: 'confirm-buttons' }, yes, no));
  dlg.dataset.key = key;
  const close = () => { if (dlg.open) dlg.close(); };
  no.addEventListener('click', close);
  // Esc cancels, except while the request is in flight (its answer is still coming).
  dlg.addEventListener('cancel', (ev) => { if (yes.dataset.busy === 'true') ev.preventDefault(); });
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (opener?.isConnected) opener.focus();
  });
  dlg.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab') return;
    const items = [...dlg.querySelectorAll(FOCUSABLE)].filter((x) => !x.disabled && !x.hidden);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
  });
  yes.addEventListener('click', () => busy(yes, async () => {
    status.hidden = true;
    let result;
    try {
      result = await send(action.key);
      action.answered();
    } catch (e) {
      action.answered(e);
      status.textContent = failureText(e, problemMessage);
      status.hidden = false;
      return;
    }
    no.disabled = true;
    close();
    await done(result);
  }));
  document.body.append(dlg);
  dlg.showModal();
  yes.focus();
  return dlg;
}

/**
 * A form for a money action: its submit opens the confirmation (what `confirm(data)` says:
 * { title, facts, notes, confirmKey }) and sends nothing itself; confirmed, `send(data, key)` goes
 * and `done(result)` follows. One Action per form: a retry after a network failure keeps its key.
 */
export function moneyForm(id, children, submitKey, confirm, send, done) {
  const action = new Action();
  const button = el('button', { type: 'submit' }, t(submitKey));
  const f = el('form', { class: 'narrow', id }, ...children, button);
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (document.querySelector('dialog.confirm[open]')) return;
    const data = new FormData(f);
    const spec = confirm(data);
    if (!spec) return;
    confirmAction({ ...spec, action, send: (key) => send(data, key), done });
  });
  return f;
}
