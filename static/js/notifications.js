// The profile's notification preferences (issue 22): per event type mail, daily digest or off;
// what the user has not chosen shows the role's default. Strings live here, not in i18n.js,
// since the event names come from the API in both languages.
import { api } from './api.js';
import { lang } from './i18n.js';
import { el, form } from './dom.js';

const TEXT = {
  ru: { title: 'Уведомления', hint: (h, d) => `Письма о событиях по вашей компании. Сводка приходит раз в день в ${h}:00 по времени компании; напоминание об оплате — за ${d} дн. до срока.`,
    mail: 'Письмом сразу', digest: 'В ежедневной сводке', off: 'Не присылать', dflt: 'по умолчанию', save: 'Сохранить', saved: 'Сохранено.' },
  en: { title: 'Notifications', hint: (h, d) => `Mail about your company's events. The digest comes once a day at ${h}:00 company time; payment reminders ${d} days before the due date.`,
    mail: 'Mail at once', digest: 'In the daily digest', off: 'Do not send', dflt: 'default', save: 'Save', saved: 'Saved.' },
};

/** The section: a heading, a hint and one labelled select per event type the roles can receive. */
export async function notificationSection() {
  const x = TEXT[lang() === 'en' ? 'en' : 'ru'];
  const prefs = await api('GET', '/api/auth/notifications');
  const done = el('p', { class: 'success', hidden: true, role: 'status', 'data-testid': 'notifications-saved' });
  const selects = prefs.events.map((e) => {
    const id = `notify-${e.event}`;
    const select = el('select', { id, name: e.event, 'data-testid': id },
      ['mail', 'digest', 'off'].map((c) => el('option', { value: c, selected: e.choice === c }, c === e.default ? `${x[c]} (${x.dflt})` : x[c])));
    return el('label', { htmlFor: id }, el('span', {}, lang() === 'en' ? e.title_en : e.title_ru), select);
  });
  const f = form('notifications-form', selects, 'profile.save', (d) => {
    const events = Object.fromEntries(prefs.events.map((e) => [e.event, d.get(e.event)]));
    done.hidden = true;
    return api('PUT', '/api/auth/notifications', { events });
  }, () => { done.textContent = x.saved; done.hidden = false; });
  return [el('h2', { id: 'notifications' }, x.title), el('p', { class: 'muted' }, x.hint(prefs.send_hour, prefs.due_days)), f, done];
}
