// Change logs as sentences in the user's language: what happened (by its kind), who did it, and
// what changed, with money, dates, statuses and roles formatted ("Сумма возврата: 54 271,60 ₽"),
// never 1C's machine words (`return.status_by_1c`, `refund_kop: 5427160`). Used by the company's
// audit log and an order's history.
import { t, lang, money, dateTime, date } from './i18n.js';

const S = {
  ru: {
    'order.created': 'создан заказ', 'order.change_requested': 'запрошено изменение заказа', 'order.changed': 'заказ изменён',
    'order.cancel_requested': 'запрошена отмена заказа', 'order.cancelled': 'заказ отменён', 'order.payment_method_changed': 'запрошена смена способа оплаты',
    'order.paid_from_account': 'оплата заказа с внутреннего счёта', 'order.paid_by_card': 'оплата заказа картой',
    'order.consolidation_requested': 'запрошена совместная отгрузка', 'order.shipments_consolidation_requested': 'запрошена совместная отгрузка',
    'order.status_by_1c': 'заказ изменён в 1С', 'return.requested': 'запрошен возврат', 'return.status_by_1c': '1С приняла решение по возврату',
    'return.photo_added': 'к возврату добавлено фото', 'act.requested': 'запрошен акт сверки', 'company.changed': 'данные компании обновлены из 1С',
    'consignee.added': 'добавлен грузополучатель', 'consignee.changed': 'изменён грузополучатель', 'consignee.archived': 'грузополучатель перенесён в архив',
    'employee.added': 'добавлен сотрудник', 'employee.changed': 'изменены данные сотрудника', 'employee.roles_changed': 'изменены роли сотрудника',
    'employee.removed': 'у сотрудника отозван доступ', 'legal_entity.change_requested': 'запрошено изменение реквизитов юрлица',
    'profile.changed': 'изменён профиль', 'password.changed': 'изменён пароль', 'email.change_requested': 'запрошена смена e-mail для входа',
    'email.changed': 'изменён e-mail для входа', 'resync.requested': 'запрошена повторная выгрузка из 1С',
    'user.created_by_1c': '1С добавила пользователя', 'user.changed_by_1c': '1С изменила данные пользователя', 'user.deactivated_by_1c': '1С отключила пользователя',
    by: 'Кто', onec: '1С', was: 'было', yes: 'да', no: 'нет', lines: 'строк',
    f: { status: 'Статус', reason: 'Причина', refund_kop: 'Сумма возврата', number: 'Номер', total_kop: 'Сумма', amount_kop: 'Сумма', paid_kop: 'Оплачено',
      payment_method: 'Способ оплаты', delivery_method: 'Доставка', delivery_address: 'Адрес доставки', planned_shipping_date: 'Плановая отгрузка',
      consignee: 'Грузополучатель', full_name: 'ФИО', position: 'Должность', phone: 'Телефон', email: 'E-mail', new_email: 'Новый e-mail', roles: 'Роли',
      name: 'Название', address: 'Адрес', inn: 'ИНН', kpp: 'КПП', ogrn: 'ОГРН', comment: 'Комментарий', lines: 'Строки', period_from: 'Период с',
      period_to: 'Период по', language: 'Язык', contact_person: 'Контактное лицо', legal_address: 'Юридический адрес', postal_address: 'Почтовый адрес',
      ship_today: 'Отгрузить сегодня', reason_code: 'Причина', quantity: 'Количество', active: 'Активен', order_number: 'Заказ', file_name: 'Файл', due_kop: 'К оплате' },
  },
  en: {
    'order.created': 'order created', 'order.change_requested': 'order change requested', 'order.changed': 'order changed',
    'order.cancel_requested': 'cancellation requested', 'order.cancelled': 'order cancelled', 'order.payment_method_changed': 'payment method switch requested',
    'order.paid_from_account': 'order paid from the internal account', 'order.paid_by_card': 'order paid by card',
    'order.consolidation_requested': 'shipping together requested', 'order.shipments_consolidation_requested': 'shipping together requested',
    'order.status_by_1c': 'order changed in 1C', 'return.requested': 'return requested', 'return.status_by_1c': '1C decided on the return',
    'return.photo_added': 'photo added to the return', 'act.requested': 'reconciliation act requested', 'company.changed': 'company data updated from 1C',
    'consignee.added': 'consignee added', 'consignee.changed': 'consignee changed', 'consignee.archived': 'consignee archived',
    'employee.added': 'employee added', 'employee.changed': 'employee details changed', 'employee.roles_changed': 'employee roles changed',
    'employee.removed': 'employee access removed', 'legal_entity.change_requested': 'legal entity details change requested',
    'profile.changed': 'profile changed', 'password.changed': 'password changed', 'email.change_requested': 'sign-in e-mail change requested',
    'email.changed': 'sign-in e-mail changed', 'resync.requested': 'resending from 1C requested',
    'user.created_by_1c': '1C added a user', 'user.changed_by_1c': '1C changed a user', 'user.deactivated_by_1c': '1C deactivated a user',
    by: 'By', onec: '1C', was: 'was', yes: 'yes', no: 'no', lines: 'lines',
    f: { status: 'Status', reason: 'Reason', refund_kop: 'Refund', number: 'Number', total_kop: 'Amount', amount_kop: 'Amount', paid_kop: 'Paid',
      payment_method: 'Payment', delivery_method: 'Delivery', delivery_address: 'Delivery address', planned_shipping_date: 'Planned shipping',
      consignee: 'Consignee', full_name: 'Name', position: 'Position', phone: 'Phone', email: 'E-mail', new_email: 'New e-mail', roles: 'Roles',
      name: 'Name', address: 'Address', inn: 'INN', kpp: 'KPP', ogrn: 'OGRN', comment: 'Comment', lines: 'Lines', period_from: 'Period from',
      period_to: 'Period to', language: 'Language', contact_person: 'Contact person', legal_address: 'Legal address', postal_address: 'Postal address',
      ship_today: 'Ship today', reason_code: 'Reason', quantity: 'Quantity', active: 'Active', order_number: 'Order', file_name: 'File', due_kop: 'Due' },
  },
};
const s = () => S[lang()] ?? S.ru;

/** What happened, by the log's kind; a kind the portal does not know reads as words, not code. */
export function kindText(kind) {
  const known = s()[kind];
  if (known) return known[0].toUpperCase() + known.slice(1);
  return String(kind ?? '').replace(/[._]/g, ' ');
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** One value as a person reads it, by its field. */
function valueText(key, v, entity) {
  if (v == null || v === '') return '—';
  if (typeof v === 'boolean') return v ? s().yes : s().no;
  if (key.endsWith('_kop') && typeof v === 'number') return money(v);
  if (key === 'status') {
    for (const prefix of [entity === 'return' ? 'ret.status.' : 'ord.status.', 'ret.status.', 'ord.status.', 'status.']) {
      if (!t(prefix + v).startsWith(prefix)) return t(prefix + v);
    }
  }
  if (key === 'payment_method' && !t(`ord.pm.${v}`).startsWith('ord.')) return t(`ord.pm.${v}`);
  if (key === 'delivery_method' && !t(`ord.dm.${v}`).startsWith('ord.')) return t(`ord.dm.${v}`);
  if ((key === 'reason_code' || (key === 'reason' && entity === 'return')) && !t(`ret.reason.${v}`).startsWith('ret.')) return t(`ret.reason.${v}`);
  if (key === 'roles' && Array.isArray(v)) return v.map((r) => t(`role.${r}`)).join(', ');
  if (key === 'language') return v === 'en' ? 'English' : 'Русский';
  if (Array.isArray(v)) return String(v.length);
  if (typeof v === 'object') return Object.entries(v).filter(([k]) => shown(k)).map(([k, x]) => `${label(k)}: ${valueText(k, x, entity)}`).join(', ');
  if (typeof v === 'string' && ISO_DAY.test(v)) return date(v);
  if (typeof v === 'string' && ISO_TIME.test(v)) return v.slice(11, 19) === '00:00:00' ? date(v.slice(0, 10)) : dateTime(v.endsWith('Z') || /[+-]\d{2}:\d{2}$/.test(v) ? v : `${v}Z`);
  return String(v);
}

// Internal ids and versions say nothing to a person.
const shown = (k) => !/(^|_)id$|^version$|_ids$|^kind$|^portal_id$/.test(k);
const label = (k) => s().f[k] ?? (k.charAt(0).toUpperCase() + k.slice(1)).replace(/_/g, ' ');

/** "Статус: одобрен → завершён; Сумма возврата: 54 271,60 ₽" from a log row's before and after. */
export function changesText(before, after, entity) {
  const b = before && typeof before === 'object' ? before : {};
  const a = after && typeof after === 'object' ? after : {};
  // Empty values say nothing unless they replaced something.
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(shown)
    .filter((k) => (a[k] != null && a[k] !== '') || (b[k] != null && b[k] !== ''));
  return keys.map((k) => {
    const now = valueText(k, a[k], entity);
    if (k in b && JSON.stringify(b[k]) !== JSON.stringify(a[k]) && k in a) return `${label(k)}: ${valueText(k, b[k], entity)} → ${now}`;
    if (!(k in a)) return `${label(k)}: ${s().was} ${valueText(k, b[k], entity)}`;
    return `${label(k)}: ${now}`;
  }).join('; ');
}

/** The whole row as one sentence: "28.11.2026, 12:00 — Иванов: запрошен возврат. Причина: брак." */
export function sentence({ at, who, kind, before, after, entity }) {
  const what = kindText(kind);
  const details = changesText(before, after, entity ?? String(kind ?? '').split('.')[0]);
  return `${dateTime(at)} — ${who ?? s().onec}: ${what}${details ? `. ${details}` : ''}.`;
}
