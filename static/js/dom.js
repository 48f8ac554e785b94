// Tiny DOM helpers shared by the shell's sections: elements, tables (cards on a phone), labelled
// fields, forms that show problems at their fields, folds.
import { t, lang, money, problemText } from './i18n.js';
import { Action, busy, failureText } from './actions.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else if (k.startsWith('data-') || k.startsWith('aria-')) node.setAttribute(k, v); else node[k] = v;
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return node;
}

export function table(columns, rows, attrs = {}) {
  return el('div', { class: 'table-wrap' }, el('table', attrs,
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, t(c))))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((cell, i) => el('td', { 'data-label': t(columns[i]) }, cell)))))));
}

export function field(name, labelKey, value, attrs = {}) {
  return el('label', {}, el('span', {}, t(labelKey)), el('input', { name, value: value ?? '', ...attrs }));
}

/** The problem and its per-field messages, in the page's language. */
export function problemMessage(problem) {
  const fields = problem?.field_errors?.map((f) => (lang() === 'en' ? f.message_en : f.message_ru)) ?? [];
  // Money refusals carry the exact amount missing and the amount to pay to unblock credit.
  if (problem?.shortfall_kop > 0) fields.push(`${t('problem.shortfall')}: ${money(problem.shortfall_kop)}.`);
  if (problem?.amount_to_pay_kop > 0) fields.push(`${t('problem.topay')}: ${money(problem.amount_to_pay_kop)}.`);
  return [problemText(problem), ...fields].join(' ');
}

/** Shows each of the problem's field errors beside its field (aria-invalid, aria-describedby),
 * clearing the last ones; answers whether any field was found (then focus went to the first). */
export function fieldErrors(f, problem) {
  for (const x of f.querySelectorAll('.field-error')) x.remove();
  for (const x of f.querySelectorAll('[aria-invalid]')) { x.removeAttribute('aria-invalid'); x.removeAttribute('aria-describedby'); }
  let first = null;
  for (const fe of problem?.field_errors ?? []) {
    const name = String(fe.field ?? '').split(/[.[]/)[0];
    const input = name && [...f.elements].find((x) => x.name === name || x.name === `bank_${name}`);
    if (!input) continue;
    const id = `${f.id || 'f'}-${input.name}-error`;
    if (!f.querySelector(`#${CSS.escape(id)}`)) {
      input.after(el('span', { class: 'field-error', id }, lang() === 'en' ? fe.message_en : fe.message_ru));
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', id);
    }
    first ??= input;
  }
  first?.focus();
  return !!first;
}

/** A form that posts through `send(data, key)` (`key`: the action's Idempotency-Key), its button
 * busy meanwhile; shows problems at their fields and under itself, and calls `done`. */
export function form(id, children, submitKey, send, done) {
  const status = el('p', { class: 'error', hidden: true, role: 'alert' });
  const button = el('button', { type: 'submit' }, t(submitKey));
  const f = el('form', { class: 'narrow', id }, ...children, status, button);
  const action = new Action();
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(button, async () => {
      status.hidden = true;
      let result;
      try {
        result = await send(new FormData(f), action.open());
        action.answered();
        fieldErrors(f, null);
      } catch (e) {
        action.answered(e);
        status.textContent = failureText(e, problemMessage);
        status.hidden = false;
        fieldErrors(f, e.problem);
        return;
      }
      try {
        await done(result);
      } catch (e) {
        status.textContent = failureText(e, problemMessage);
        status.hidden = false;
      }
    });
  });
  return f;
}

/** A block folded behind its title on a phone (filters), open on a wider screen or when `open`. */
export function foldable(titleKey, body, open = false) {
  return el('details', { class: 'fold', open: open || matchMedia('(min-width: 761px)').matches }, el('summary', {}, t(titleKey)), body);
}

/** Marks what only reaches 1C through its extension: hidden in a stock-only deployment (the
 * `stock-only` class on the page, docs/exchange/stock-only.md). */
export function needsExtension(node) {
  node.classList.add('needs-extension');
  return node;
}
