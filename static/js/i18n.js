// UI strings: Russian first, English second. The choice is kept in localStorage.
const STRINGS = {
  ru: {
    'app.title': 'Личный кабинет',
    'app.supplier': 'Агрозапчасть — оптовые поставки',
    'nav.home': 'Главная', 'nav.orders': 'Заказы', 'nav.finance': 'Финансы', 'nav.documents': 'Документы',
    'nav.returns': 'Возвраты', 'nav.company': 'Компания',
    'signout': 'Выйти', 'lang.switch': 'English',
    'signin.title': 'Вход в личный кабинет', 'signin.email': 'Электронная почта', 'signin.password': 'Пароль',
    'signin.submit': 'Войти', 'signin.forgot': 'Забыли пароль?', 'signin.failed': 'Не удалось войти.',
    'forgot.title': 'Восстановление пароля', 'forgot.hint': 'Укажите адрес, на который зарегистрирован доступ. Мы отправим ссылку для смены пароля.',
    'forgot.submit': 'Отправить ссылку', 'forgot.sent': 'Если такой адрес зарегистрирован, письмо со ссылкой уже отправлено. Ссылка действует 2 часа.',
    'forgot.back': 'Вернуться ко входу',
    'setpw.title': 'Задайте пароль', 'setpw.hint': 'Не короче 10 символов: буквы и цифры или знаки.', 'setpw.password': 'Новый пароль',
    'setpw.repeat': 'Повторите пароль', 'setpw.submit': 'Сохранить пароль', 'setpw.mismatch': 'Пароли не совпадают.',
    'setpw.done': 'Пароль сохранён. Теперь войдите с новым паролем.', 'setpw.notoken': 'В ссылке нет кода. Откройте ссылку из письма целиком.',
    'home.welcome': 'Здравствуйте', 'home.legal': 'Юридические лица', 'home.agreements': 'Договоры и соглашения',
    'col.name': 'Наименование', 'col.inn': 'ИНН', 'col.kpp': 'КПП', 'col.agreement': 'Договор', 'col.limit': 'Кредитный лимит',
    'col.deferral': 'Отсрочка, дней', 'col.pricetype': 'Тип цен', 'col.email': 'Эл. почта', 'col.roles': 'Роли',
    'col.status': 'Статус', 'col.lastsignin': 'Последний вход', 'col.position': 'Должность',
    'company.employees': 'Сотрудники', 'company.noaccess': 'Список сотрудников доступен администратору компании.',
    'role.admin': 'администратор', 'role.buyer': 'закупщик', 'role.accountant': 'бухгалтер',
    'status.active': 'активен', 'status.invited': 'приглашён', 'status.deactivated': 'отключён',
    'section.soon': 'Этот раздел появится в ближайшем обновлении портала.',
    'profile.title': 'Мой профиль', 'profile.name': 'ФИО', 'profile.position': 'Должность', 'profile.phone': 'Телефон',
    'profile.email': 'Эл. почта (вход)', 'profile.save': 'Сохранить', 'profile.saved': 'Сохранено.',
    'sync.pending': 'Изменения переданы в 1С и ждут подтверждения.', 'sync.accepted': 'Изменения приняты 1С.',
    'sync.rejected': '1С отклонила изменения', 'sync.failed': 'Не удалось передать изменения в 1С. Обратитесь к менеджеру.',
    'le.name': 'Краткое наименование', 'le.fullname': 'Полное наименование', 'le.ogrn': 'ОГРН', 'le.legaladdress': 'Юридический адрес',
    'le.postaladdress': 'Почтовый адрес', 'le.bik': 'БИК', 'le.bank': 'Банк', 'le.corr': 'Корр. счёт', 'le.account': 'Расчётный счёт',
    'le.field': 'Реквизит', 'le.accepted': 'Принято в 1С', 'le.proposed': 'Предложено', 'le.send': 'Отправить в 1С', 'le.edit': 'Изменить реквизиты',
    'cons.title': 'Грузополучатели', 'cons.address': 'Адрес доставки', 'cons.innkpp': 'ИНН / КПП', 'cons.contact': 'Контакт',
    'cons.person': 'Контактное лицо', 'cons.add': 'Добавить грузополучателя', 'cons.save': 'Добавить', 'cons.archive': 'В архив',
    'emp.edit': 'Изменить', 'emp.remove': 'Удалить доступ', 'emp.confirmremove': 'Удалить доступ сотрудника {name}? Его заказы и история останутся.',
    'emp.add': 'Добавить сотрудника', 'emp.invite': 'Пригласить',
    'audit.title': 'Журнал изменений', 'audit.at': 'Когда', 'audit.who': 'Кто', 'audit.kind': 'Что', 'audit.before': 'Было', 'audit.after': 'Стало',
    'audit.answer': 'Ответ 1С', 'audit.onec': '1С', 'audit.accepted': 'принято', 'audit.received': 'получено 1С', 'audit.from': 'С даты',
    'audit.to': 'По дату', 'audit.anyone': 'все', 'audit.filter': 'Показать',
    'account.language': 'Язык интерфейса', 'account.password': 'Смена пароля', 'account.current': 'Текущий пароль',
    'account.changepw': 'Сменить пароль', 'account.pwdone': 'Пароль изменён. Другие устройства вышли из кабинета.',
    'account.email': 'Смена эл. почты для входа', 'account.newemail': 'Новый адрес', 'account.sendlink': 'Отправить ссылку',
    'account.emailsent': 'Мы отправили ссылку на новый адрес. Адрес сменится, когда вы её откроете.',
    'confirm.title': 'Подтверждение эл. почты', 'confirm.done': 'Адрес подтверждён. Входите с новым адресом.', 'confirm.working': 'Подтверждаем…',
    'fin.credit': 'Кредитный лимит', 'fin.blocked': 'Отгрузки в кредит остановлены из-за просроченной задолженности.', 'fin.topay': 'Оплатите, чтобы восстановить лимит',
    'fin.blockedbrief': 'Оплата в кредит недоступна. Обратитесь к бухгалтеру компании.', 'fin.limit': 'Лимит', 'fin.debt': 'Долг', 'fin.reserve': 'Резерв',
    'fin.available': 'Доступно', 'fin.asof': 'Данные 1С на', 'fin.total': 'Итого', 'fin.overdue': 'Просроченные платежи', 'fin.order': 'Заказ',
    'fin.duedate': 'Срок оплаты', 'fin.amount': 'Сумма', 'fin.due': 'К оплате', 'fin.daysleft': 'Дней до срока', 'fin.isoverdue': 'просрочено',
    'fin.schedule': 'График платежей', 'fin.overduetotal': 'Просрочено', 'fin.week': 'На этой неделе', 'fin.month': 'В этом месяце', 'fin.csv': 'Скачать CSV',
    'fin.account': 'Внутренний счёт', 'fin.balance': 'Остаток', 'fin.held': 'В ожидании 1С', 'fin.payorder': 'Оплатить заказ с внутреннего счёта', 'fin.pay': 'Оплатить',
    'fin.comment': 'Комментарий', 'fin.kind.refund': 'Возврат средств', 'fin.kind.order_payment': 'Оплата заказа', 'fin.kind.correction': 'Корректировка',
    'ord.status.draft': 'черновик', 'ord.status.awaiting_payment': 'ожидает оплаты', 'ord.status.reserved': 'в резерве', 'ord.status.paid': 'оплачен',
    'ord.status.partly_shipped': 'отгружен частично', 'ord.status.shipped': 'отгружен', 'ord.status.cancelled': 'отменён', 'ord.waiting': 'изменения ждут 1С',
    'ord.sort.date_desc': 'сначала новые', 'ord.sort.date_asc': 'сначала старые', 'ord.sort.amount_desc': 'сумма по убыванию', 'ord.sort.amount_asc': 'сумма по возрастанию',
    'ord.from': 'Дата с', 'ord.to': 'Дата по', 'ord.shipfrom': 'Отгрузка с', 'ord.shipto': 'Отгрузка по', 'ord.number': 'Номер', 'ord.contains': 'Артикул или товар',
    'ord.sortby': 'Сортировка', 'ord.count': 'Заказов', 'ord.onecnumber': 'Номер 1С', 'ord.date': 'Дата', 'ord.author': 'Оформил', 'ord.shipping': 'Плановая отгрузка',
    'ord.next': 'Следующая страница', 'ord.order': 'Заказ', 'ord.article': 'Артикул', 'ord.qty': 'Кол-во', 'ord.unit': 'Ед.', 'ord.price': 'Цена', 'ord.vat': 'НДС',
    'ord.paid': 'Оплачено', 'ord.payment': 'Оплата', 'ord.delivery': 'Доставка', 'ord.consignee': 'Грузополучатель', 'ord.shipments': 'Отгрузки', 'ord.vehicle': 'Машина',
    'ord.docs': 'Документы', 'ord.cancel': 'Отменить заказ', 'ord.reason': 'Причина', 'ord.cancelsend': 'Отправить отмену в 1С', 'ord.history': 'История', 'ord.repeat': 'Повторить заказ', 'ord.kind.order.created': 'Новый заказ', 'ord.edit': 'Изменить заказ', 'ord.paste': 'Добавить строки: артикул;количество', 'ord.sendchange': 'Отправить изменения в 1С', 'ord.unknown': 'Не найдены', 'ord.kind.order.changed': 'Изменение заказа', 'ord.switchpm': 'Сменить способ оплаты', 'ord.kind.order.payment_method_changed': 'Смена способа оплаты',
    'ord.kind.order.cancelled': 'Отмена заказа', 'ord.kind.order.paid_from_account': 'Оплата с внутреннего счёта',
    'ord.pm.invoice': 'по счёту', 'ord.pm.credit': 'в кредит', 'ord.pm.internal_account': 'с внутреннего счёта', 'ord.pm.card': 'картой',
    'card.pay': 'Оплатить картой', 'card.due': 'К оплате картой', 'card.paid': 'Оплачено картой', 'card.confirming': 'Оплата подтверждается…', 'card.started': 'Оплата картой начата: нажмите «Оплатить картой», чтобы вернуться на страницу оплаты.', 'card.canceled': 'Оплата картой отменена.', 'ord.kind.order.paid_by_card': 'Оплата картой',
    'ord.dm.pickup': 'самовывоз', 'ord.dm.delivery': 'доставка', 'ord.dm.transport_company': 'транспортная компания',
    'doc.list': 'Документы', 'doc.legal': 'Юридическое лицо', 'doc.number': 'Номер', 'doc.date': 'Дата', 'doc.kind': 'Вид', 'doc.amount': 'Сумма', 'doc.vat': 'НДС',
    'doc.orders': 'Заказы', 'doc.edo': 'ЭДО', 'doc.files': 'Файлы', 'doc.file': 'Файл', 'doc.allkinds': 'Все виды', 'doc.order': 'Номер заказа',
    'doc.min': 'Сумма от, ₽', 'doc.max': 'Сумма до, ₽', 'doc.q': 'Номер документа содержит', 'doc.more': 'Показать ещё',
    'doc.none': 'Документов нет.', 'doc.status': 'статус', 'doc.kind.invoice': 'Счет на оплату', 'doc.kind.upd': 'УПД',
    'doc.kind.ukd': 'УКД (корректировка)', 'doc.kind.other': 'Прочие', 'doc.shipment': 'Отгрузка', 'doc.corrects': 'Исправляет документ',
    'doc.correction': 'Корректировка', 'doc.line': '№', 'doc.article': 'Артикул', 'doc.qty': 'Кол-во', 'doc.unit': 'Ед.', 'doc.price': 'Цена',
    'doc.net': 'Сумма без НДС', 'doc.vatrate': 'Ставка НДС', 'doc.novat': 'без НДС', 'doc.lines': 'Строки документа', 'doc.total': 'Всего',
    'doc.kb': 'КБ', 'doc.orderdocs': 'Документы заказа', 'doc.fullset': 'Документы заказа', 'doc.shipments': 'отгрузок',
    'doc.zip': 'Скачать все файлы одним ZIP-архивом', 'edo.not_sent': 'не отправлен', 'edo.sent': 'отправлен', 'edo.delivered': 'доставлен',
    'edo.signed': 'подписан', 'edo.rejected': 'отклонён', 'edo.cancelled': 'аннулирован', 'act.title': 'Акты сверки',
    'act.new': 'Запросить акт сверки', 'act.history': 'История запросов и актов', 'act.nohistory': 'Актов сверки пока нет.',
    'act.allagreements': 'По всем договорам', 'act.period': 'Период', 'act.preset.last_quarter': 'Прошлый квартал',
    'act.preset.last_year': 'Прошлый год', 'act.preset.custom': 'Свои даты', 'act.request': 'Запросить акт', 'act.requested': 'Запрошен',
    'act.unasked': 'прислан из 1С', 'act.closing': 'Сальдо конечное', 'act.opening': 'Сальдо начальное', 'act.turnover': 'Обороты за период',
    'act.debitturnover': 'Обороты по дебету', 'act.creditturnover': 'Обороты по кредиту', 'act.debit': 'Дебет', 'act.credit': 'Кредит',
    'act.document': 'Документ', 'act.one': 'Акт сверки взаиморасчетов', 'act.status.waiting': 'ожидает 1С', 'act.status.ready': 'готов',
    'act.status.rejected': 'отклонён', 'act.rejectedby': '1С отклонила запрос',
    'act.waiting': 'Запрос передан в 1С. Пока акт готовится, ниже — предварительный расчёт портала.', 'act.official': 'Акт из 1С',
    'act.received': 'Получен', 'act.pdf': 'Скачать PDF', 'act.equal': 'Предварительный расчёт портала совпал с актом 1С.',
    'act.differences': 'Расхождения предварительного расчёта с актом 1С', 'act.diff.differs': 'суммы различаются',
    'act.diff.not_in_portal': 'нет в портале', 'act.diff.not_in_act': 'нет в акте 1С', 'act.inact': 'в акте', 'act.inportal': 'в портале',
    'act.preliminary': 'Предварительный акт (расчёт портала)',
    'act.preliminarynote': 'Предварительный: рассчитан порталом по начальному сальдо, документам и поступившим оплатам, которые уже есть в портале. Официальный акт — только из 1С.',
    'act.base': 'Начальное сальдо 1С на', 'act.nobase': 'Начального сальдо из 1С нет: расчёт от нуля.',
    'ret.new': 'Новый возврат', 'ret.all': 'все', 'ret.none': 'Возвратов пока нет.', 'ret.number': 'Номер возврата',
    'ret.nonumber': '(номер присвоит 1С)', 'ret.reason': 'Причина', 'ret.lines': 'Строк', 'ret.requested': 'Заявлено на сумму',
    'ret.refund': 'Возмещено', 'ret.status.requested': 'заявлен', 'ret.status.approved': 'одобрен', 'ret.status.rejected': 'отклонён',
    'ret.status.completed': 'завершён', 'ret.reason.defect': 'брак', 'ret.reason.wrong_item': 'не тот товар', 'ret.reason.surplus': 'излишек',
    'ret.reason.other': 'другое', 'ret.norole': 'Оформить возврат может администратор или закупщик компании.',
    'ret.findorder': 'Заказ с отгруженным товаром', 'ret.ordernumber': 'часть номера заказа', 'ret.find': 'Найти', 'ret.choose': 'Выбрать',
    'ret.noorders': 'Нет заказов с отгруженным товаром, который можно вернуть.', 'ret.whole': 'Вернуть весь заказ (всё, что можно вернуть)',
    'ret.shipped': 'Отгружено', 'ret.claimed': 'Уже в возвратах', 'ret.returnable': 'Можно вернуть', 'ret.toreturn': 'Вернуть',
    'ret.comment': 'Комментарий (для «другое» обязателен)', 'ret.photos': 'Фотографии', 'ret.submit': 'Оформить возврат',
    'ret.photo.type': 'допустимы только JPEG, PNG или WebP.', 'ret.photo.size': 'файл больше 5 МБ.',
    'ret.photo.failed': 'Возврат оформлен, но часть фотографий не загружена:', 'ret.return': 'Возврат', 'ret.rejected': '1С отклонила возврат',
    'ret.requestedqty': 'Заявлено', 'ret.approvedqty': 'Принято 1С', 'ret.refunds': 'Возмещение на внутренний счёт',
    'ret.refunded': 'Зачислено на внутренний счёт', 'ret.toaccount': 'Открыть внутренний счёт',
    'ret.refundwaiting': 'Возврат завершён, зачисление из 1С ещё не поступило.', 'ret.norefund': 'Возмещение зачисляется после завершения возврата.',
    'ret.photo': 'Фото возврата', 'ret.addphotos': 'Добавить фотографии', 'ret.upload': 'Загрузить', 'ret.history': 'История',
    'ret.kind.return.requested': 'заявка на возврат', 'ret.kind.return.status_by_1c': 'решение 1С', 'ret.kind.return.photo_added': 'добавлено фото',
    'nocredit': 'без кредита (предоплата)', 'never': '—', 'loading': 'Загрузка…', 'error.generic': 'Что-то пошло не так. Повторите попытку.',
  },
  en: {
    'app.title': 'Customer portal',
    'app.supplier': 'Agrozapchast — wholesale supply',
    'nav.home': 'Home', 'nav.orders': 'Orders', 'nav.finance': 'Finance', 'nav.documents': 'Documents',
    'nav.returns': 'Returns', 'nav.company': 'Company',
    'signout': 'Sign out', 'lang.switch': 'Русский',
    'signin.title': 'Sign in to the customer portal', 'signin.email': 'E-mail', 'signin.password': 'Password',
    'signin.submit': 'Sign in', 'signin.forgot': 'Forgot your password?', 'signin.failed': 'Could not sign in.',
    'forgot.title': 'Password reset', 'forgot.hint': 'Enter the address your access is registered to. We will send a link to set a new password.',
    'forgot.submit': 'Send the link', 'forgot.sent': 'If this address is registered, a letter with a link is on its way. The link is valid for 2 hours.',
    'forgot.back': 'Back to sign-in',
    'setpw.title': 'Set your password', 'setpw.hint': 'At least 10 characters: letters with digits or symbols.', 'setpw.password': 'New password',
    'setpw.repeat': 'Repeat the password', 'setpw.submit': 'Save the password', 'setpw.mismatch': 'The passwords differ.',
    'setpw.done': 'Password saved. Now sign in with it.', 'setpw.notoken': 'The link has no code. Open the whole link from the letter.',
    'home.welcome': 'Hello', 'home.legal': 'Legal entities', 'home.agreements': 'Agreements and contracts',
    'col.name': 'Name', 'col.inn': 'INN', 'col.kpp': 'KPP', 'col.agreement': 'Agreement', 'col.limit': 'Credit limit',
    'col.deferral': 'Deferral, days', 'col.pricetype': 'Price type', 'col.email': 'E-mail', 'col.roles': 'Roles',
    'col.status': 'Status', 'col.lastsignin': 'Last sign-in', 'col.position': 'Position',
    'company.employees': 'Employees', 'company.noaccess': 'The employee list is available to the company administrator.',
    'role.admin': 'administrator', 'role.buyer': 'buyer', 'role.accountant': 'accountant',
    'status.active': 'active', 'status.invited': 'invited', 'status.deactivated': 'deactivated',
    'section.soon': 'This section arrives in an upcoming portal update.',
    'profile.title': 'My profile', 'profile.name': 'Full name', 'profile.position': 'Position', 'profile.phone': 'Phone',
    'profile.email': 'E-mail (sign-in)', 'profile.save': 'Save', 'profile.saved': 'Saved.',
    'sync.pending': 'The changes were sent to 1C and await confirmation.', 'sync.accepted': '1C accepted the changes.',
    'sync.rejected': '1C refused the changes', 'sync.failed': 'The changes could not be delivered to 1C. Please contact your manager.',
    'le.name': 'Short name', 'le.fullname': 'Full legal name', 'le.ogrn': 'OGRN', 'le.legaladdress': 'Legal address',
    'le.postaladdress': 'Postal address', 'le.bik': 'BIK', 'le.bank': 'Bank', 'le.corr': 'Correspondent account', 'le.account': 'Settlement account',
    'le.field': 'Detail', 'le.accepted': 'Accepted in 1C', 'le.proposed': 'Proposed', 'le.send': 'Send to 1C', 'le.edit': 'Change the details',
    'cons.title': 'Consignees', 'cons.address': 'Delivery address', 'cons.innkpp': 'INN / KPP', 'cons.contact': 'Contact',
    'cons.person': 'Contact person', 'cons.add': 'Add a consignee', 'cons.save': 'Add', 'cons.archive': 'Archive',
    'emp.edit': 'Edit', 'emp.remove': 'Remove access', 'emp.confirmremove': 'Remove the access of {name}? Their orders and history stay.',
    'emp.add': 'Add an employee', 'emp.invite': 'Invite',
    'audit.title': 'Audit log', 'audit.at': 'When', 'audit.who': 'Who', 'audit.kind': 'What', 'audit.before': 'Before', 'audit.after': 'After',
    'audit.answer': "1C's answer", 'audit.onec': '1C', 'audit.accepted': 'accepted', 'audit.received': 'received by 1C', 'audit.from': 'From',
    'audit.to': 'To', 'audit.anyone': 'anyone', 'audit.filter': 'Show',
    'account.language': 'Interface language', 'account.password': 'Change the password', 'account.current': 'Current password',
    'account.changepw': 'Change the password', 'account.pwdone': 'Password changed. Other devices were signed out.',
    'account.email': 'Change the sign-in e-mail', 'account.newemail': 'New address', 'account.sendlink': 'Send the link',
    'account.emailsent': 'We sent a link to the new address. The address changes when you open it.',
    'confirm.title': 'E-mail confirmation', 'confirm.done': 'Address confirmed. Sign in with the new address.', 'confirm.working': 'Confirming…',
    'fin.credit': 'Credit limit', 'fin.blocked': 'Shipments on credit are stopped because of overdue debt.', 'fin.topay': 'Pay to restore the limit',
    'fin.blockedbrief': 'Paying on credit is unavailable. Please contact your company accountant.', 'fin.limit': 'Limit', 'fin.debt': 'Debt', 'fin.reserve': 'Reserve',
    'fin.available': 'Available', 'fin.asof': '1C figures as of', 'fin.total': 'Total', 'fin.overdue': 'Overdue payments', 'fin.order': 'Order',
    'fin.duedate': 'Due date', 'fin.amount': 'Amount', 'fin.due': 'Due', 'fin.daysleft': 'Days left', 'fin.isoverdue': 'overdue',
    'fin.schedule': 'Payment schedule', 'fin.overduetotal': 'Overdue', 'fin.week': 'This week', 'fin.month': 'This month', 'fin.csv': 'Download CSV',
    'fin.account': 'Internal account', 'fin.balance': 'Balance', 'fin.held': 'Waiting for 1C', 'fin.payorder': 'Pay an order from the internal account', 'fin.pay': 'Pay',
    'fin.comment': 'Comment', 'fin.kind.refund': 'Refund', 'fin.kind.order_payment': 'Order payment', 'fin.kind.correction': 'Correction',
    'ord.status.draft': 'draft', 'ord.status.awaiting_payment': 'awaiting payment', 'ord.status.reserved': 'reserved', 'ord.status.paid': 'paid',
    'ord.status.partly_shipped': 'partly shipped', 'ord.status.shipped': 'shipped', 'ord.status.cancelled': 'cancelled', 'ord.waiting': 'changes waiting for 1C',
    'ord.sort.date_desc': 'newest first', 'ord.sort.date_asc': 'oldest first', 'ord.sort.amount_desc': 'amount, high to low', 'ord.sort.amount_asc': 'amount, low to high',
    'ord.from': 'Date from', 'ord.to': 'Date to', 'ord.shipfrom': 'Shipping from', 'ord.shipto': 'Shipping to', 'ord.number': 'Number', 'ord.contains': 'Article or product',
    'ord.sortby': 'Sort', 'ord.count': 'Orders', 'ord.onecnumber': '1C number', 'ord.date': 'Date', 'ord.author': 'Placed by', 'ord.shipping': 'Planned shipping',
    'ord.next': 'Next page', 'ord.order': 'Order', 'ord.article': 'Article', 'ord.qty': 'Qty', 'ord.unit': 'Unit', 'ord.price': 'Price', 'ord.vat': 'VAT',
    'ord.paid': 'Paid', 'ord.payment': 'Payment', 'ord.delivery': 'Delivery', 'ord.consignee': 'Consignee', 'ord.shipments': 'Shipments', 'ord.vehicle': 'Vehicle',
    'ord.docs': 'Documents', 'ord.cancel': 'Cancel the order', 'ord.reason': 'Reason', 'ord.cancelsend': 'Send the cancellation to 1C', 'ord.history': 'History', 'ord.repeat': 'Repeat the order', 'ord.kind.order.created': 'New order', 'ord.edit': 'Change the order', 'ord.paste': 'Add lines: article;quantity', 'ord.sendchange': 'Send the changes to 1C', 'ord.unknown': 'Not found', 'ord.kind.order.changed': 'Order change', 'ord.switchpm': 'Change the payment method', 'ord.kind.order.payment_method_changed': 'Payment method change',
    'ord.kind.order.cancelled': 'Cancellation', 'ord.kind.order.paid_from_account': 'Payment from the internal account',
    'ord.pm.invoice': 'by invoice', 'ord.pm.credit': 'on credit', 'ord.pm.internal_account': 'from the internal account', 'ord.pm.card': 'by card',
    'card.pay': 'Pay by card', 'card.due': 'To pay by card', 'card.paid': 'Paid by card', 'card.confirming': 'The payment is being confirmed…', 'card.started': 'Card payment started: press Pay by card to go back to the payment page.', 'card.canceled': 'The card payment was cancelled.', 'ord.kind.order.paid_by_card': 'Card payment',
    'ord.dm.pickup': 'pickup', 'ord.dm.delivery': 'delivery', 'ord.dm.transport_company': 'transport company',
    'doc.list': 'Documents', 'doc.legal': 'Legal entity', 'doc.number': 'Number', 'doc.date': 'Date', 'doc.kind': 'Type', 'doc.amount': 'Amount', 'doc.vat': 'VAT',
    'doc.orders': 'Orders', 'doc.edo': 'E-document', 'doc.files': 'Files', 'doc.file': 'File', 'doc.allkinds': 'All types',
    'doc.order': 'Order number', 'doc.min': 'Amount from, ₽', 'doc.max': 'Amount to, ₽', 'doc.q': 'Document number contains',
    'doc.more': 'Show more', 'doc.none': 'No documents.', 'doc.status': 'status', 'doc.kind.invoice': 'Invoice for payment',
    'doc.kind.upd': 'UPD (transfer document)', 'doc.kind.ukd': 'UKD (correction)', 'doc.kind.other': 'Other', 'doc.shipment': 'Shipment',
    'doc.corrects': 'Corrects', 'doc.correction': 'Correction', 'doc.line': 'No.', 'doc.article': 'Article', 'doc.qty': 'Qty', 'doc.unit': 'Unit',
    'doc.price': 'Price', 'doc.net': 'Amount without VAT', 'doc.vatrate': 'VAT rate', 'doc.novat': 'no VAT', 'doc.lines': 'Lines',
    'doc.total': 'Total', 'doc.kb': 'KB', 'doc.orderdocs': "The order's documents", 'doc.fullset': 'Documents of order',
    'doc.shipments': 'shipments', 'doc.zip': 'Download all files as one ZIP', 'edo.not_sent': 'not sent', 'edo.sent': 'sent',
    'edo.delivered': 'delivered', 'edo.signed': 'signed', 'edo.rejected': 'rejected', 'edo.cancelled': 'cancelled',
    'act.title': 'Reconciliation acts', 'act.new': 'Request a reconciliation act', 'act.history': 'Requests and acts',
    'act.nohistory': 'No reconciliation acts yet.', 'act.allagreements': 'All agreements', 'act.period': 'Period',
    'act.preset.last_quarter': 'Last quarter', 'act.preset.last_year': 'Last year', 'act.preset.custom': 'Custom dates',
    'act.request': 'Request the act', 'act.requested': 'Requested', 'act.unasked': 'sent by 1C', 'act.closing': 'Closing balance',
    'act.opening': 'Opening balance', 'act.turnover': 'Turnover for the period', 'act.debitturnover': 'Debit turnover',
    'act.creditturnover': 'Credit turnover', 'act.debit': 'Debit', 'act.credit': 'Credit', 'act.document': 'Document',
    'act.one': 'Reconciliation act', 'act.status.waiting': 'waiting for 1C', 'act.status.ready': 'ready', 'act.status.rejected': 'rejected',
    'act.rejectedby': '1C refused the request',
    'act.waiting': "The request went to 1C. While the act is prepared, the portal's preliminary calculation is below.",
    'act.official': 'Act from 1C', 'act.received': 'Received', 'act.pdf': 'Download the PDF',
    'act.equal': "The portal's preliminary calculation matches 1C's act.",
    'act.differences': "Differences between the preliminary calculation and 1C's act", 'act.diff.differs': 'amounts differ',
    'act.diff.not_in_portal': 'not in the portal', 'act.diff.not_in_act': "not in 1C's act", 'act.inact': 'in the act',
    'act.inportal': 'in the portal', 'act.preliminary': "Preliminary act (the portal's calculation)",
    'act.preliminarynote': 'Preliminary: calculated by the portal from the opening balance, documents and payments received it already has. The official act comes only from 1C.',
    'act.base': "1C's opening balance as of", 'act.nobase': 'No opening balance from 1C: counted from zero.',
    'ret.new': 'New return', 'ret.all': 'all', 'ret.none': 'No returns yet.', 'ret.number': 'Return number',
    'ret.nonumber': '(1C will number it)', 'ret.reason': 'Reason', 'ret.lines': 'Lines', 'ret.requested': 'Requested value',
    'ret.refund': 'Refunded', 'ret.status.requested': 'requested', 'ret.status.approved': 'approved', 'ret.status.rejected': 'rejected',
    'ret.status.completed': 'completed', 'ret.reason.defect': 'defect', 'ret.reason.wrong_item': 'wrong item', 'ret.reason.surplus': 'surplus',
    'ret.reason.other': 'other', 'ret.norole': "Returns are requested by the company's admin or buyer.",
    'ret.findorder': 'An order with shipped goods', 'ret.ordernumber': 'part of the order number', 'ret.find': 'Find', 'ret.choose': 'Choose',
    'ret.noorders': 'No orders with shipped goods left to return.', 'ret.whole': 'Return the whole order (everything returnable)',
    'ret.shipped': 'Shipped', 'ret.claimed': 'Already in returns', 'ret.returnable': 'Returnable', 'ret.toreturn': 'Return',
    'ret.comment': 'Comment (required for "other")', 'ret.photos': 'Photos', 'ret.submit': 'Request the return',
    'ret.photo.type': 'only JPEG, PNG or WebP.', 'ret.photo.size': 'file larger than 5 MB.',
    'ret.photo.failed': 'The return is requested, but some photos were not uploaded:', 'ret.return': 'Return', 'ret.rejected': '1C rejected the return',
    'ret.requestedqty': 'Requested', 'ret.approvedqty': 'Accepted by 1C', 'ret.refunds': 'Refund to the internal account',
    'ret.refunded': 'Credited to the internal account', 'ret.toaccount': 'Open the internal account',
    'ret.refundwaiting': 'The return is completed; the credit from 1C has not arrived yet.', 'ret.norefund': 'The refund is credited once the return is completed.',
    'ret.photo': 'Return photo', 'ret.addphotos': 'Add photos', 'ret.upload': 'Upload', 'ret.history': 'History',
    'ret.kind.return.requested': 'return requested', 'ret.kind.return.status_by_1c': "1C's decision", 'ret.kind.return.photo_added': 'photo added',
    'nocredit': 'no credit (prepayment)', 'never': '—', 'loading': 'Loading…', 'error.generic': 'Something went wrong. Please try again.',
  },
};

export function lang() {
  const saved = localStorage.getItem('lang');
  return saved === 'en' ? 'en' : 'ru';
}

export function setLang(l) {
  localStorage.setItem('lang', l);
}

export function t(key) {
  return STRINGS[lang()][key] ?? STRINGS.ru[key] ?? key;
}

/** Fills every [data-i18n] element's text and [data-i18n-placeholder] placeholder. */
export function translatePage(root = document) {
  document.documentElement.lang = lang();
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

const LOCALE = () => (lang() === 'en' ? 'en-GB' : 'ru-RU');

/** Kopecks as money in Russian format: 1 234 567,89 ₽ (English UI keeps the ruble sign). */
export function money(kop) {
  return new Intl.NumberFormat('ru-RU', { style: 'currency', currency: 'RUB', minimumFractionDigits: 2 }).format(kop / 100);
}

/** A UTC timestamp shown in Moscow time: 28.11.2026, 12:00. */
export function dateTime(iso) {
  if (!iso) return t('never');
  return new Intl.DateTimeFormat(LOCALE(), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Moscow' }).format(new Date(iso));
}

export function date(isoDate) {
  if (!isoDate) return t('never');
  const [y, m, d] = isoDate.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE(), { dateStyle: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** The problem's message in the UI language. */
export function problemText(problem) {
  if (!problem) return t('error.generic');
  return (lang() === 'en' ? problem.title_en : problem.title_ru) || problem.title || t('error.generic');
}
