// Small helpers shared by the sign-in, reset and set-password pages.
import { t, lang, setLang, translatePage, problemText } from './i18n.js';

export function setupPage() {
  translatePage();
  const sw = document.getElementById('lang-switch');
  sw?.addEventListener('click', () => { setLang(lang() === 'en' ? 'ru' : 'en'); translatePage(); });
}

/** Shows a problem (and its field errors) under the form. */
export function showError(el, problem) {
  const fields = problem?.field_errors?.map((f) => (lang() === 'en' ? f.message_en : f.message_ru)) ?? [];
  el.textContent = [problemText(problem), ...fields].join(' ');
  el.hidden = false;
}

export function showText(el, key) {
  el.textContent = t(key);
  el.hidden = false;
}
