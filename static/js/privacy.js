// 152-ФЗ in the page shell: the consent dialog after sign-in until the current privacy policy
// version is accepted (the API blocks nothing; the shell does), and the profile's "download my
// data" button (GET /api/auth/me/data).
import { api } from './api.js';
import { lang } from './i18n.js';
import { el, problemMessage } from './dom.js';

const TEXT = {
  ru: {
    title: 'Согласие на обработку персональных данных',
    body: 'Личный кабинет обрабатывает ваши персональные данные (имя, должность, e-mail, телефон, сведения о входах и действиях) для исполнения договора поставки с вашей компанией. Прочитайте политику и подтвердите согласие, чтобы продолжить.',
    policy: 'Политика обработки персональных данных',
    accept: 'Согласен(на)',
    signOut: 'Выйти',
    download: 'Скачать мои данные',
    downloadNote: 'Все ваши персональные данные в личном кабинете одним файлом (JSON).',
    erase: 'Чтобы удалить ваши персональные данные, обратитесь к администратору вашей компании.',
  },
  en: {
    title: 'Consent to personal data processing',
    body: 'The portal processes your personal data (name, position, e-mail, phone, sign-in and activity records) to perform the supply contract with your company. Read the policy and give your consent to continue.',
    policy: 'Personal data processing policy',
    accept: 'I agree',
    signOut: 'Sign out',
    download: 'Download my data',
    downloadNote: 'All your personal data in the portal as one file (JSON).',
    erase: "To have your personal data erased, ask your company's admin.",
  },
};
const tx = (k) => TEXT[lang() === 'en' ? 'en' : 'ru'][k];

/**
 * Resolves once the user has accepted `version` (at once when `me.consent_required` is false).
 * The dialog cannot be dismissed: Esc does nothing; the only ways out are accepting or signing
 * out (`signOut`).
 */
export function askConsent(me, signOut) {
  if (!me?.consent_required) return Promise.resolve();
  return new Promise((resolve) => {
    const error = el('p', { class: 'error', hidden: true, role: 'alert' });
    const accept = el('button', { type: 'button', 'data-testid': 'consent-accept' }, tx('accept'));
    const out = el('button', { type: 'button', class: 'secondary' }, tx('signOut'));
    const dlg = el('dialog', { class: 'confirm', 'aria-labelledby': 'consent-title', 'aria-modal': 'true', 'data-testid': 'consent' },
      el('h2', { id: 'consent-title' }, tx('title')),
      el('p', {}, tx('body')),
      el('p', {}, el('a', { href: '/privacy', target: '_blank', rel: 'noopener', 'data-testid': 'consent-policy' }, tx('policy'))),
      error,
      el('p', { class: 'actions' }, accept, ' ', out));
    dlg.addEventListener('cancel', (ev) => ev.preventDefault());
    accept.addEventListener('click', async () => {
      accept.disabled = true;
      try {
        await api('POST', '/api/auth/consent', { version: me.privacy_policy_version });
        me.consent_required = false;
        dlg.close();
        dlg.remove();
        resolve();
      } catch (e) {
        error.textContent = problemMessage(e.problem);
        error.hidden = false;
        accept.disabled = false;
      }
    });
    out.addEventListener('click', () => signOut());
    document.body.append(dlg);
    dlg.showModal();
    accept.focus();
  });
}

/** The profile's section: the user's own data as a file; erasure goes through the admin. */
export function personalDataSection() {
  const status = el('p', { class: 'error', hidden: true, role: 'alert' });
  const button = el('button', { type: 'button', class: 'secondary', 'data-testid': 'download-my-data' }, tx('download'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.hidden = true;
    try {
      const data = await api('GET', '/api/auth/me/data');
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = el('a', { href: url, download: 'personal-data.json' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      status.textContent = problemMessage(e.problem);
      status.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'narrow', 'data-testid': 'personal-data' },
    el('h2', {}, tx('download')),
    el('p', { class: 'muted' }, tx('downloadNote')),
    button, status,
    el('p', { class: 'muted' }, tx('erase'), ' ', el('a', { href: '/privacy', target: '_blank', rel: 'noopener' }, tx('policy'))));
}
