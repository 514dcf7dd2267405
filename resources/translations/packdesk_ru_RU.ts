<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Packdesk</source>
        <translation>О программе Packdesk</translation>
    </message>
    <message>
        <source>{server} (the shop's database server)</source>
        <translation>{server} (сервер базы данных магазина)</translation>
    </message>
    <message>
        <source>{size:.1f} MB</source>
        <translation>{size:.1f} МБ</translation>
    </message>
    <message>
        <source>not created yet</source>
        <translation>ещё не создана</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Версия</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Папка данных</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>База данных</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>Qt</source>
        <translation>Qt</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>Показать журнал</translation>
    </message>
    <message>
        <source>Copy diagnostics</source>
        <translation>Скопировать диагностику</translation>
    </message>
    <message>
        <source>Versions, folders, settings and the end of the log for support: no Api-Key, no buyers' data</source>
        <translation>Версии, папки, настройки и конец журнала для поддержки: без Api-Key и без данных покупателей</translation>
    </message>
    <message>
        <source>Packdesk: back-office for Ozon sellers</source>
        <translation>Packdesk: рабочее место продавца Ozon</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Скопировано</translation>
    </message>
</context>
<context>
    <name>AnalyticsPage</name>
    <message>
        <source>Last 12 months</source>
        <translation>Последние 12 месяцев</translation>
    </message>
    <message numerus="yes">
        <source>Last %n day(s)</source>
        <translation>
            <numerusform>Последний %n день</numerusform>
            <numerusform>Последние %n дня</numerusform>
            <numerusform>Последние %n дней</numerusform>
        </translation>
    </message>
    <message>
        <source>Dates…</source>
        <translation>Даты…</translation>
    </message>
    <message>
        <source>All warehouses</source>
        <translation>Все склады</translation>
    </message>
    <message>
        <source>Export all to Excel…</source>
        <translation>Всё в Excel…</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>Период:</translation>
    </message>
    <message>
        <source>Warehouse:</source>
        <translation>Склад:</translation>
    </message>
    <message>
        <source>Orders and revenue by day</source>
        <translation>Заказы и выручка по дням</translation>
    </message>
    <message>
        <source>Shipped on time</source>
        <translation>Отгружено вовремя</translation>
    </message>
    <message>
        <source>Chat: first reply to buyers</source>
        <translation>Чаты: первый ответ покупателю</translation>
    </message>
    <message>
        <source>Review rating by week</source>
        <translation>Оценка отзывов по неделям</translation>
    </message>
    <message>
        <source>Returns by product</source>
        <translation>Возвраты по товарам</translation>
    </message>
    <message>
        <source>Return reasons</source>
        <translation>Причины возвратов</translation>
    </message>
    <message>
        <source>Packing errors per packer</source>
        <translation>Ошибки сборки по упаковщикам</translation>
    </message>
    <message>
        <source>No postings in this period</source>
        <translation>За этот период отправлений нет</translation>
    </message>
    <message>
        <source>Calculating…</source>
        <translation>Считаю…</translation>
    </message>
    <message>
        <source>{start} – {end}, from the local cache</source>
        <translation>{start} – {end}, по локальным данным</translation>
    </message>
    <message>
        <source>Orders: {orders} · cancelled: {cancelled} · revenue: {revenue}</source>
        <translation>Заказов: {orders} · отменено: {cancelled} · выручка: {revenue}</translation>
    </message>
    <message>
        <source>Revenue, {currency} (right)</source>
        <translation>Выручка, {currency} (справа)</translation>
    </message>
    <message>
        <source>On time: {share} ({on_time} of {all}) · late: {late} · not shipped yet: {pending} · order to ship: median {median}, 90% within {p90}</source>
        <translation>Вовремя: {share} ({on_time} из {all}) · с опозданием: {late} · ещё не отгружено: {pending} · от заказа до отгрузки: медиана {median}, 90% за {p90}</translation>
    </message>
    <message>
        <source>No ship-by dates in this period</source>
        <translation>За этот период нет сроков отгрузки</translation>
    </message>
    <message>
        <source>Buyer messages waiting for a reply: {waits} · answered within 24 h: {share} · median reply: {median}, 90% within {p90} · still within 24 h: {open}</source>
        <translation>Сообщений покупателей, ждавших ответа: {waits} · отвечено за 24 ч: {share} · медиана ответа: {median}, 90% за {p90} · ещё в пределах 24 ч: {open}</translation>
    </message>
    <message>
        <source>No buyer messages in this period</source>
        <translation>За этот период сообщений покупателей нет</translation>
    </message>
    <message>
        <source>Returned: {returned} of {sold} units sold ({rate})</source>
        <translation>Возвращено: {returned} из {sold} проданных единиц ({rate})</translation>
    </message>
    <message>
        <source>No returns in this period</source>
        <translation>За этот период возвратов нет</translation>
    </message>
    <message>
        <source>Reviews: {count} · average rating: {average} (reviews are not tied to a warehouse)</source>
        <translation>Отзывов: {count} · средняя оценка: {average} (отзывы не привязаны к складу)</translation>
    </message>
    <message>
        <source>No reviews in this period</source>
        <translation>За этот период отзывов нет</translation>
    </message>
    <message>
        <source>Refused scans and overrides for every 100 postings packed at this desk</source>
        <translation>Отклонённые сканы и сборки без сканов на каждые 100 собранных здесь отправлений</translation>
    </message>
    <message>
        <source>Nothing was packed at this desk in this period</source>
        <translation>За этот период здесь ничего не собирали</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Заказы</translation>
    </message>
    <message>
        <source>On time, %</source>
        <translation>Вовремя, %</translation>
    </message>
    <message>
        <source>Median first reply, h</source>
        <translation>Медиана первого ответа, ч</translation>
    </message>
    <message>
        <source>24 h</source>
        <translation>24 ч</translation>
    </message>
    <message>
        <source>Average rating</source>
        <translation>Средняя оценка</translation>
    </message>
    <message>
        <source>{value}%</source>
        <translation>{value}%</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} мин</translation>
    </message>
    <message>
        <source>{hours} h</source>
        <translation>{hours} ч</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>Аналитика</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Книга Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Экспорт</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>Сохранено: {path}</translation>
    </message>
    <message>
        <source>Could not save: {error}</source>
        <translation>Не удалось сохранить: {error}</translation>
    </message>
</context>
<context>
    <name>AnalyticsTables</name>
    <message>
        <source>Orders and revenue</source>
        <translation>Заказы и выручка</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>День</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Заказы</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Отменено</translation>
    </message>
    <message>
        <source>Revenue, {currency}</source>
        <translation>Выручка, {currency}</translation>
    </message>
    <message>
        <source>Ship-by day</source>
        <translation>День срока отгрузки</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>Вовремя</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>С опозданием</translation>
    </message>
    <message>
        <source>On time, %</source>
        <translation>Вовремя, %</translation>
    </message>
    <message>
        <source>Shipped on time</source>
        <translation>Отгружено вовремя</translation>
    </message>
    <message>
        <source>(nobody signed in)</source>
        <translation>(никто не вошёл)</translation>
    </message>
    <message>
        <source>Packer</source>
        <translation>Упаковщик</translation>
    </message>
    <message>
        <source>Packed</source>
        <translation>Собрано</translation>
    </message>
    <message>
        <source>Refused scans</source>
        <translation>Отклонённые сканы</translation>
    </message>
    <message>
        <source>Overrides</source>
        <translation>Без сканов</translation>
    </message>
    <message>
        <source>Errors per 100 packed</source>
        <translation>Ошибок на 100 собранных</translation>
    </message>
    <message>
        <source>Packing errors</source>
        <translation>Ошибки сборки</translation>
    </message>
    <message>
        <source>Buyer messages</source>
        <translation>Сообщения покупателей</translation>
    </message>
    <message>
        <source>Answered within 24 h</source>
        <translation>Отвечено за 24 ч</translation>
    </message>
    <message>
        <source>Within 24 h, %</source>
        <translation>За 24 ч, %</translation>
    </message>
    <message>
        <source>Median, h</source>
        <translation>Медиана, ч</translation>
    </message>
    <message>
        <source>Chat first reply</source>
        <translation>Первый ответ в чате</translation>
    </message>
    <message>
        <source>(no reason)</source>
        <translation>(без причины)</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>SKU</translation>
    </message>
    <message>
        <source>Article</source>
        <translation>Артикул</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Товар</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>Продано</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Возвращено</translation>
    </message>
    <message>
        <source>Return rate, %</source>
        <translation>Доля возвратов, %</translation>
    </message>
    <message>
        <source>Top reason</source>
        <translation>Главная причина</translation>
    </message>
    <message>
        <source>Returns by product</source>
        <translation>Возвраты по товарам</translation>
    </message>
    <message>
        <source>Return reasons</source>
        <translation>Причины возвратов</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>Возвраты</translation>
    </message>
    <message>
        <source>Rating by week</source>
        <translation>Оценка по неделям</translation>
    </message>
    <message>
        <source>Week of</source>
        <translation>Неделя с</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>Отзывы</translation>
    </message>
    <message>
        <source>Average rating</source>
        <translation>Средняя оценка</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Packdesk cannot start</source>
        <translation>Packdesk не может запуститься</translation>
    </message>
    <message>
        <source>Packdesk is already open on this computer ({folder}).</source>
        <translation>Packdesk уже открыт на этом компьютере ({folder}).</translation>
    </message>
</context>
<context>
    <name>AutoRepliesDialog</name>
    <message>
        <source>Auto-replies</source>
        <translation>Автоответы</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>Правило</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Шаблон</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Вкл.</translation>
    </message>
    <message>
        <source>Dry run (suggest only)</source>
        <translation>Пробный режим (только предлагать)</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Время</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Чат</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Итог</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Текст</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Импорт…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Экспорт…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Rules (the first that matches a new message answers it):</source>
        <translation>Правила (на новое сообщение отвечает первое подходящее):</translation>
    </message>
    <message>
        <source>Latest replies (last {count}):</source>
        <translation>Последние ответы (до {count}):</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>отправлен</translation>
    </message>
    <message>
        <source>suggested</source>
        <translation>предложен</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>отклонён</translation>
    </message>
    <message>
        <source>No rules yet: import a JSON file of rules (packdesk autoreply export shows the format).</source>
        <translation>Правил пока нет: импортируйте JSON-файл с правилами (формат показывает packdesk autoreply export).</translation>
    </message>
    <message>
        <source>Saved: {rule}</source>
        <translation>Сохранено: {rule}</translation>
    </message>
    <message>
        <source>Import auto-reply rules</source>
        <translation>Импорт правил автоответа</translation>
    </message>
    <message>
        <source>Imported {count} rules.</source>
        <translation>Импортировано правил: {count}.</translation>
    </message>
    <message>
        <source>Export auto-reply rules</source>
        <translation>Экспорт правил автоответа</translation>
    </message>
    <message>
        <source>Saved: {path}</source>
        <translation>Сохранено: {path}</translation>
    </message>
</context>
<context>
    <name>BackupBox</name>
    <message>
        <source>Backup</source>
        <translation>Резервное копирование</translation>
    </message>
    <message>
        <source>Empty: no automatic backups</source>
        <translation>Пусто — без автоматических копий</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source> h</source>
        <translation> ч</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>Создать копию сейчас</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>Восстановить…</translation>
    </message>
    <message>
        <source>Cancel the restore</source>
        <translation>Отменить восстановление</translation>
    </message>
    <message>
        <source>A backup is a checked copy of the database, made in the background while you work. Only this shop's own oldest backups in the folder are deleted.</source>
        <translation>Резервная копия — проверенная копия базы данных, она делается в фоне, пока вы работаете. Удаляются только самые старые копии этого магазина в папке.</translation>
    </message>
    <message>
        <source>Backup folder</source>
        <translation>Папка для копий</translation>
    </message>
    <message>
        <source>Back up every</source>
        <translation>Копировать каждые</translation>
    </message>
    <message>
        <source>Keep the last</source>
        <translation>Хранить последние</translation>
    </message>
    <message>
        <source>Backups are for the SQLite database in the data folder.</source>
        <translation>Резервные копии делаются только для базы SQLite в папке данных.</translation>
    </message>
    <message>
        <source>Choose a backup folder first.</source>
        <translation>Сначала выберите папку для копий.</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>Создаём копию…</translation>
    </message>
    <message>
        <source>Written: {file} ({size})</source>
        <translation>Готово: {file} ({size})</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>Восстановление из копии</translation>
    </message>
    <message>
        <source>Packdesk backups (*.sqlite3);;All files (*)</source>
        <translation>Копии Packdesk (*.sqlite3);;Все файлы (*)</translation>
    </message>
    <message>
        <source>Checking the backup…</source>
        <translation>Проверяем копию…</translation>
    </message>
    <message>
        <source>Restore the backup of {date} ({size})?

Packdesk cannot replace the database it has open, so it restores the backup the next time it starts: close Packdesk and start it again. The current database is not deleted: it is kept in the data folder as {name}.before-restore-…. What you do until the restart is only in that kept copy.</source>
        <translation>Восстановить копию от {date} ({size})?

Packdesk не может заменить открытую базу данных, поэтому восстановит копию при следующем запуске: закройте Packdesk и запустите его снова. Текущая база не удаляется — она сохранится в папке данных как {name}.before-restore-…. Всё, что вы сделаете до перезапуска, останется только в этой сохранённой копии.</translation>
    </message>
    <message>
        <source>Restore of {file} scheduled: close Packdesk and start it again to finish.</source>
        <translation>Восстановление из {file} запланировано: закройте Packdesk и запустите снова, чтобы завершить.</translation>
    </message>
    <message>
        <source>The restore is cancelled: the database stays as it is.</source>
        <translation>Восстановление отменено: база данных остаётся как есть.</translation>
    </message>
</context>
<context>
    <name>BackupSchedule</name>
    <message>
        <source>Backup written: {file}</source>
        <translation>Резервная копия создана: {file}</translation>
    </message>
    <message>
        <source>Backup failed: {reason}</source>
        <translation>Не удалось создать копию: {reason}</translation>
    </message>
</context>
<context>
    <name>CancelDialog</name>
    <message>
        <source>Cancel postings</source>
        <translation>Отменить отправления</translation>
    </message>
    <message numerus="yes">
        <source>Cancel %n posting(s)? The buyer is told, and it counts against your rating.</source>
        <translation>
            <numerusform>Отменить %n отправление? Покупатель получит уведомление, а отмена снизит ваш рейтинг.</numerusform>
            <numerusform>Отменить %n отправления? Покупатель получит уведомление, а отмена снизит ваш рейтинг.</numerusform>
            <numerusform>Отменить %n отправлений? Покупатель получит уведомление, а отмена снизит ваш рейтинг.</numerusform>
        </translation>
    </message>
    <message>
        <source>A few words for Ozon (required for “other”)</source>
        <translation>Пара слов для Ozon (обязательно для «Другое»)</translation>
    </message>
    <message>
        <source>Keep them</source>
        <translation>Не отменять</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Сообщение</translation>
    </message>
</context>
<context>
    <name>ChatListModel</name>
    <message>
        <source>Chat</source>
        <translation>Чат</translation>
    </message>
    <message>
        <source>Reply within</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Новые</translation>
    </message>
    <message>
        <source>[photo]</source>
        <translation>[фото]</translation>
    </message>
    <message>
        <source>answered</source>
        <translation>отвечено</translation>
    </message>
</context>
<context>
    <name>Chats</name>
    <message>
        <source>{d} d</source>
        <translation>{d} д</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} ч {m} мин</translation>
    </message>
    <message>
        <source>{h} h</source>
        <translation>{h} ч</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} мин</translation>
    </message>
    <message>
        <source>overdue {time}</source>
        <translation>просрочка {time}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>осталось {time}</translation>
    </message>
    <message>
        <source>Buyer</source>
        <translation>Покупатель</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Вы</translation>
    </message>
    <message>
        <source>Ozon support</source>
        <translation>Поддержка Ozon</translation>
    </message>
    <message>
        <source>Ozon</source>
        <translation>Ozon</translation>
    </message>
    <message>
        <source>Ozon seller support</source>
        <translation>Поддержка продавцов Ozon</translation>
    </message>
    <message>
        <source>Ozon notices</source>
        <translation>Уведомления Ozon</translation>
    </message>
    <message>
        <source>Buyer · {number}</source>
        <translation>Покупатель · {number}</translation>
    </message>
    <message>
        <source>waiting to be sent</source>
        <translation>ждёт отправки</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>не отправлено</translation>
    </message>
    <message>
        <source>read</source>
        <translation>прочитано</translation>
    </message>
    <message>
        <source>unread</source>
        <translation>не прочитано</translation>
    </message>
    <message>
        <source>Buyer asks: where is my order?</source>
        <translation>Покупатель спрашивает: где мой заказ?</translation>
    </message>
    <message>
        <source>Buyer asks: when will you ship?</source>
        <translation>Покупатель спрашивает: когда отправите?</translation>
    </message>
    <message>
        <source>Buyer asks for the tracking number.</source>
        <translation>Покупатель просит трек-номер.</translation>
    </message>
    <message>
        <source>Buyer asks: when will it arrive?</source>
        <translation>Покупатель спрашивает: когда доставят?</translation>
    </message>
    <message>
        <source>Buyer wants to cancel the order.</source>
        <translation>Покупатель хочет отменить заказ.</translation>
    </message>
    <message>
        <source>Buyer wants to return the item.</source>
        <translation>Покупатель хочет вернуть товар.</translation>
    </message>
    <message>
        <source>Buyer wants to exchange the item.</source>
        <translation>Покупатель хочет обменять товар.</translation>
    </message>
    <message>
        <source>Buyer says the item arrived damaged.</source>
        <translation>Покупатель пишет, что товар пришёл повреждённым.</translation>
    </message>
    <message>
        <source>Buyer says they got the wrong item.</source>
        <translation>Покупатель пишет, что пришёл не тот товар.</translation>
    </message>
    <message>
        <source>Buyer says something is missing from the parcel.</source>
        <translation>Покупатель пишет, что в посылке чего-то не хватает.</translation>
    </message>
    <message>
        <source>Buyer asks about size or colour.</source>
        <translation>Покупатель спрашивает о размере или цвете.</translation>
    </message>
    <message>
        <source>Buyer has a question about the product.</source>
        <translation>У покупателя вопрос о товаре.</translation>
    </message>
    <message>
        <source>Buyer says thank you.</source>
        <translation>Покупатель благодарит.</translation>
    </message>
    <message>
        <source>Buyer is unhappy and complains.</source>
        <translation>Покупатель недоволен и жалуется.</translation>
    </message>
</context>
<context>
    <name>ChatsPage</name>
    <message>
        <source>Search messages, order or posting number…</source>
        <translation>Поиск по сообщениям, номеру заказа или отправления…</translation>
    </message>
    <message>
        <source>Needs reply</source>
        <translation>Ждут ответа</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>Непрочитанные</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>Поддержка</translation>
    </message>
    <message>
        <source>Any order status</source>
        <translation>Любой статус заказа</translation>
    </message>
    <message>
        <source>Start a chat</source>
        <translation>Начать чат</translation>
    </message>
    <message>
        <source>Edit templates…</source>
        <translation>Изменить шаблоны…</translation>
    </message>
    <message>
        <source>Edit, import and export the answer templates</source>
        <translation>Изменить, импортировать и экспортировать шаблоны ответов</translation>
    </message>
    <message>
        <source>Auto-replies…</source>
        <translation>Автоответы…</translation>
    </message>
    <message>
        <source>Switch auto-reply rules on, off or to dry run; see what they sent</source>
        <translation>Включить, выключить правила автоответа или перевести в пробный режим; посмотреть, что они отправили</translation>
    </message>
    <message>
        <source>The {shown} most urgent of {total} chats: search or filter to find the others.</source>
        <translation>Показаны {shown} самых срочных из {total} чатов: остальные найдутся поиском и фильтрами.</translation>
    </message>
    <message>
        <source>No chat matches the filters.</source>
        <translation>Нет чатов, подходящих под фильтры.</translation>
    </message>
    <message>
        <source>No chats yet. Buyers' messages appear here after a sync.</source>
        <translation>Чатов пока нет. Сообщения покупателей появятся здесь после синхронизации.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Загрузка…</translation>
    </message>
    <message>
        <source>This chat is no longer in the local copy.</source>
        <translation>Этого чата больше нет в локальной копии.</translation>
    </message>
    <message>
        <source>Reply: {clock}</source>
        <translation>Ответ: {clock}</translation>
    </message>
    <message>
        <source>Choose a chat on the left.</source>
        <translation>Выберите чат слева.</translation>
    </message>
    <message>
        <source>Your Ozon plan does not include the chat API.</source>
        <translation>Ваш тариф Ozon не включает API чатов.</translation>
    </message>
    <message>
        <source>This chat is closed: Ozon takes no new messages in it.</source>
        <translation>Этот чат закрыт: Ozon не принимает в нём новые сообщения.</translation>
    </message>
    <message>
        <source>Ozon's notices take no answers.</source>
        <translation>На уведомления Ozon ответить нельзя.</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Чаты</translation>
    </message>
    <message>
        <source>Message queued: it is sent with the next sync.</source>
        <translation>Сообщение в очереди: оно уйдёт при следующей синхронизации.</translation>
    </message>
    <message>
        <source>Send a photo</source>
        <translation>Отправить фото</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp)</source>
        <translation>Изображения (*.png *.jpg *.jpeg *.webp)</translation>
    </message>
    <message>
        <source>The photo is larger than 10 MB: Ozon does not take it.</source>
        <translation>Фото больше 10 МБ: Ozon его не примет.</translation>
    </message>
    <message>
        <source>The photo is too large in pixels (at most 40 megapixels).</source>
        <translation>Фото слишком большое в пикселях (не больше 40 мегапикселей).</translation>
    </message>
    <message>
        <source>Only PNG, JPEG and WEBP photos can be sent.</source>
        <translation>Можно отправлять только фото PNG, JPEG и WEBP.</translation>
    </message>
    <message>
        <source>The file is not a photo (PNG, JPEG or WEBP).</source>
        <translation>Файл не является фото (PNG, JPEG или WEBP).</translation>
    </message>
    <message>
        <source>The photo is damaged or incomplete.</source>
        <translation>Фото повреждено или не полностью загружено.</translation>
    </message>
    <message>
        <source>The file cannot be read.</source>
        <translation>Не удаётся прочитать файл.</translation>
    </message>
    <message>
        <source>No answer templates yet.</source>
        <translation>Шаблонов ответов пока нет.</translation>
    </message>
    <message>
        <source>Template: {name}</source>
        <translation>Шаблон: {name}</translation>
    </message>
    <message>
        <source>There is no chat with the buyer of {posting} yet.</source>
        <translation>Чата с покупателем отправления {posting} пока нет.</translation>
    </message>
    <message>
        <source>Ozon was asked to open a chat about {posting}: it appears here after the next sync.</source>
        <translation>Ozon попросили открыть чат по {posting}: он появится здесь после следующей синхронизации.</translation>
    </message>
    <message>
        <source>Your Ozon plan does not include the chat API: chats are read-only here and cannot be sent or refreshed. Everything else in Packdesk works.</source>
        <translation>Ваш тариф Ozon не включает API чатов: чаты здесь только для чтения, отправлять и обновлять их нельзя. Всё остальное в Packdesk работает.</translation>
    </message>
    <message>
        <source>The photo is not available.</source>
        <translation>Фото недоступно.</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Фото</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Write to the buyer in Russian… (Ctrl+Enter sends)</source>
        <translation>Напишите покупателю по-русски… (Ctrl+Enter — отправить)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Отправить</translation>
    </message>
    <message>
        <source>Send to the buyer (Ctrl+Enter)</source>
        <translation>Отправить покупателю (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Photo…</source>
        <translation>Фото…</translation>
    </message>
    <message>
        <source>Send a photo (PNG, JPEG or WEBP, up to 10 MB)</source>
        <translation>Отправить фото (PNG, JPEG или WEBP, до 10 МБ)</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>Шаблоны…</translation>
    </message>
    <message>
        <source>Insert a ready answer (Ctrl+T)</source>
        <translation>Вставить готовый ответ (Ctrl+T)</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <source>Actions waiting for Ozon</source>
        <translation>Действия, ожидающие Ozon</translation>
    </message>
    <message>
        <source>Everything you do is saved here first and sent to Ozon by the background sync. Actions that Ozon refused need your decision.</source>
        <translation>Всё, что вы делаете, сначала сохраняется здесь, а затем фоновая синхронизация отправляет это в Ozon. Действия, которые Ozon отклонил, ждут вашего решения.</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Повторить</translation>
    </message>
    <message>
        <source>Drop</source>
        <translation>Отказаться</translation>
    </message>
    <message>
        <source>Drop and redo…</source>
        <translation>Отказаться и переделать…</translation>
    </message>
    <message>
        <source>Drop the refused action and open the posting to do it differently</source>
        <translation>Отказаться от отклонённого действия и открыть отправление, чтобы сделать иначе</translation>
    </message>
    <message>
        <source>Show posting</source>
        <translation>Показать отправление</translation>
    </message>
    <message>
        <source>Ozon said: {error}</source>
        <translation>Ответ Ozon: {error}</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>Choose a chat on the left.</source>
        <translation>Выберите чат слева.</translation>
    </message>
    <message>
        <source>No messages yet.</source>
        <translation>Сообщений пока нет.</translation>
    </message>
</context>
<context>
    <name>CustomsDialog</name>
    <message>
        <source>Customs declaration number (ГТД)</source>
        <translation>Номер таможенной декларации (ГТД)</translation>
    </message>
    <message>
        <source>Ozon needs the customs declaration number of {name}. It is asked once for this posting.</source>
        <translation>Ozon требует номер таможенной декларации для товара «{name}». Он запрашивается один раз для этого отправления.</translation>
    </message>
    <message>
        <source>Last time these goods had no customs declaration number.</source>
        <translation>В прошлый раз у этого товара не было номера ГТД.</translation>
    </message>
    <message>
        <source>Save number</source>
        <translation>Сохранить номер</translation>
    </message>
    <message>
        <source>No customs number</source>
        <translation>Без ГТД</translation>
    </message>
    <message>
        <source>This looks like a scanned code. Type the customs number, then scan again.</source>
        <translation>Похоже на отсканированный код. Введите номер декларации, затем сканируйте снова.</translation>
    </message>
</context>
<context>
    <name>DatabaseBox</name>
    <message>
        <source>Database</source>
        <translation>База данных</translation>
    </message>
    <message>
        <source>Empty: this computer's own database file (one desk)</source>
        <translation>Пусто: собственный файл базы данных этого компьютера (одно рабочее место)</translation>
    </message>
    <message>
        <source>The shop's shared PostgreSQL server, e.g. postgresql+psycopg://packdesk:PASSWORD@192.168.1.10/shop</source>
        <translation>Общий сервер PostgreSQL магазина, например postgresql+psycopg://packdesk:ПАРОЛЬ@192.168.1.10/shop</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Проверить подключение</translation>
    </message>
    <message>
        <source>This desk was started with an address of its own (--db or PACKDESK_DB_URL): {database}. The address here is used when none is given.</source>
        <translation>Это рабочее место запущено со своим адресом (--db или PACKDESK_DB_URL): {database}. Указанный здесь адрес используется, когда адрес при запуске не задан.</translation>
    </message>
    <message>
        <source>In use now: {database}</source>
        <translation>Сейчас используется: {database}</translation>
    </message>
    <message>
        <source>Several desks of one shop share one PostgreSQL server. A password in the address is kept in the system keyring, never in the settings file. A new address takes effect when Packdesk starts again.</source>
        <translation>Несколько рабочих мест одного магазина работают с одним сервером PostgreSQL. Пароль из адреса хранится в системном хранилище паролей, а не в файле настроек. Новый адрес действует после перезапуска Packdesk.</translation>
    </message>
    <message>
        <source>Database address</source>
        <translation>Адрес базы данных</translation>
    </message>
    <message>
        <source>This desk's name</source>
        <translation>Имя рабочего места</translation>
    </message>
    <message>
        <source>Its password is kept in the system keyring.</source>
        <translation>Его пароль хранится в системном хранилище паролей.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <source>No database file here yet: Packdesk creates it when it starts on this computer.</source>
        <translation>Файла базы данных здесь ещё нет: Packdesk создаст его при запуске на этом компьютере.</translation>
    </message>
    <message>
        <source>Connected: PostgreSQL {version}.</source>
        <translation>Подключено: PostgreSQL {version}.</translation>
    </message>
    <message>
        <source>This computer's database file (SQLite {version}).</source>
        <translation>Файл базы данных этого компьютера (SQLite {version}).</translation>
    </message>
    <message>
        <source>Schema: empty; Packdesk creates its tables when it starts on this database.</source>
        <translation>Схема: пусто; Packdesk создаст свои таблицы при запуске с этой базой.</translation>
    </message>
    <message>
        <source>Schema: revision {revision}, the same as this Packdesk.</source>
        <translation>Схема: версия {revision}, та же, что у этого Packdesk.</translation>
    </message>
    <message>
        <source>Schema: revision {revision}; this Packdesk has {head} and upgrades it when it starts on this database.</source>
        <translation>Схема: версия {revision}; у этого Packdesk версия {head}, он обновит схему при запуске с этой базой.</translation>
    </message>
    <message>
        <source>Schema: revision {revision}, written by a newer Packdesk (this one has {head}): update Packdesk here.</source>
        <translation>Схема: версия {revision}, записана более новым Packdesk (у этого — {head}): обновите Packdesk на этом компьютере.</translation>
    </message>
    <message>
        <source>Sync: no desk leads — is another desk open?</source>
        <translation>Синхронизация: ведущего места нет — открыто ли другое рабочее место?</translation>
    </message>
    <message>
        <source>Sync: this desk leads.</source>
        <translation>Синхронизация: ведёт это рабочее место.</translation>
    </message>
    <message>
        <source>Sync: led by {desk}.</source>
        <translation>Синхронизация: ведёт {desk}.</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>Select a posting to see its items and history.</source>
        <translation>Выберите отправление, чтобы увидеть товары и историю.</translation>
    </message>
    <message>
        <source>Buyer chat</source>
        <translation>Чат с покупателем</translation>
    </message>
    <message>
        <source>Open the chat with the buyer of this order</source>
        <translation>Открыть чат с покупателем этого заказа</translation>
    </message>
    <message>
        <source>Ask Ozon support…</source>
        <translation>Спросить поддержку Ozon…</translation>
    </message>
    <message>
        <source>A message to Ozon support with this posting's facts, or a PDF</source>
        <translation>Сообщение в поддержку Ozon с фактами по отправлению или PDF</translation>
    </message>
    <message>
        <source>Dispute pack (PDF)…</source>
        <translation>Материалы по спору (PDF)…</translation>
    </message>
    <message>
        <source>One PDF: timeline, marking codes, prints, labels, act, chat and returns</source>
        <translation>Один PDF: хронология, коды маркировки, печать, этикетки, акт, чат и возвраты</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Заказ</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>Отгрузить до</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Доставка</translation>
    </message>
    <message>
        <source>Warehouse</source>
        <translation>Склад</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>Трек-номер</translation>
    </message>
    <message>
        <source>Delivery date</source>
        <translation>Дата доставки</translation>
    </message>
    <message>
        <source>Buyer</source>
        <translation>Покупатель</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Этикетка</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>Возвраты</translation>
    </message>
    <message>
        <source>Ozon needs</source>
        <translation>Нужно Ozon</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Товары</translation>
    </message>
    <message>
        <source>History</source>
        <translation>История</translation>
    </message>
    <message>
        <source>No scans, prints or actions yet.</source>
        <translation>Пока нет сканирований, печати и действий.</translation>
    </message>
    <message numerus="yes">
        <source>%n posting(s) selected.</source>
        <translation>
            <numerusform>Выбрано %n отправление.</numerusform>
            <numerusform>Выбрано %n отправления.</numerusform>
            <numerusform>Выбрано %n отправлений.</numerusform>
        </translation>
    </message>
    <message>
        <source>This posting is no longer in the local copy.</source>
        <translation>Этого отправления больше нет в локальной копии.</translation>
    </message>
    <message>
        <source>Честный ЗНАК codes</source>
        <translation>коды «Честный ЗНАК»</translation>
    </message>
    <message>
        <source>customs number (ГТД)</source>
        <translation>номер ГТД</translation>
    </message>
    <message>
        <source>country of origin</source>
        <translation>страна производства</translation>
    </message>
    <message>
        <source>batch number (РНПТ)</source>
        <translation>номер партии (РНПТ)</translation>
    </message>
    <message>
        <source>jewellery UIN</source>
        <translation>УИН ювелирного изделия</translation>
    </message>
    <message>
        <source>IMEI</source>
        <translation>IMEI</translation>
    </message>
    <message>
        <source>actual weight</source>
        <translation>фактический вес</translation>
    </message>
    <message>
        <source>box count (one item in several boxes)</source>
        <translation>число коробок (один товар в нескольких коробках)</translation>
    </message>
    <message>
        <source>rFBS (you deliver)</source>
        <translation>rFBS (доставляете вы)</translation>
    </message>
    <message>
        <source>FBS (Ozon delivers)</source>
        <translation>FBS (доставляет Ozon)</translation>
    </message>
    <message>
        <source>No chat with this buyer yet: the Chats page can start one</source>
        <translation>С этим покупателем ещё нет чата: его можно начать на странице «Чаты»</translation>
    </message>
    <message>
        <source>Save the dispute pack</source>
        <translation>Сохранить материалы по спору</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Dispute pack saved: {path}</source>
        <translation>Материалы по спору сохранены: {path}</translation>
    </message>
    <message>
        <source>The dispute pack could not be written</source>
        <translation>Не удалось записать материалы по спору</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>Packdesk</source>
        <translation>Packdesk</translation>
    </message>
    <message>
        <source>Log file: {path}</source>
        <translation>Файл журнала: {path}</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Подробности</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Скопировать подробности</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>Показать журнал</translation>
    </message>
    <message>
        <source>If it happens again, send the details and the log to support.</source>
        <translation>Если это повторится, отправьте подробности и журнал в поддержку.</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>{what} is not set. Enter your Ozon Client-Id and Api-Key in Settings.</source>
        <translation>{what} не задан. Укажите Client-Id и Api-Key Ozon в настройках.</translation>
    </message>
    <message>
        <source>The database was written by a newer Packdesk (schema {revision}). Update Packdesk to open it.</source>
        <translation>База данных записана более новой версией Packdesk (схема {revision}). Обновите Packdesk, чтобы её открыть.</translation>
    </message>
    <message>
        <source>The Api-Key could not be saved: this computer has no working keyring (password store). Set OZON_API_KEY in the environment instead, or install and unlock a keyring.</source>
        <translation>Не удалось сохранить Api-Key: на этом компьютере нет работающего хранилища паролей (keyring). Задайте переменную окружения OZON_API_KEY или установите и разблокируйте хранилище паролей.</translation>
    </message>
    <message>
        <source>This posting is not in the local copy yet. Sync, then try again.</source>
        <translation>Этого отправления ещё нет в локальной копии. Синхронизируйте и попробуйте снова.</translation>
    </message>
    <message>
        <source>This posting already has an action waiting to be sent to Ozon.</source>
        <translation>У этого отправления уже есть действие, ожидающее отправки в Ozon.</translation>
    </message>
    <message>
        <source>This posting cannot be shipped now (status: {status}).</source>
        <translation>Это отправление сейчас нельзя отгрузить (статус: {status}).</translation>
    </message>
    <message>
        <source>This posting is cancelled.</source>
        <translation>Это отправление отменено.</translation>
    </message>
    <message>
        <source>This posting can no longer be cancelled (status: {status}).</source>
        <translation>Это отправление уже нельзя отменить (статус: {status}).</translation>
    </message>
    <message>
        <source>Only new postings can be confirmed (status: {status}).</source>
        <translation>Подтвердить можно только новые отправления (статус: {status}).</translation>
    </message>
    <message>
        <source>Ozon approves this rFBS order itself; it moves to “To pack” when Ozon has done so.</source>
        <translation>Этот заказ rFBS Ozon подтверждает сам; он перейдёт в «Собрать», когда Ozon это сделает.</translation>
    </message>
    <message>
        <source>Ozon needs data for this posting that Packdesk cannot send yet: complete it in Ozon's seller cabinet.</source>
        <translation>Для этого отправления Ozon требует данные, которые Packdesk пока не умеет передавать: оформите его в личном кабинете Ozon.</translation>
    </message>
    <message>
        <source>Ozon needs a Честный ЗНАК code for every unit of SKU {sku}: pack it at the pack station.</source>
        <translation>Ozon требует код «Честный ЗНАК» для каждой единицы SKU {sku}: соберите отправление на станции упаковки.</translation>
    </message>
    <message>
        <source>Ozon needs the customs declaration number of SKU {sku}: pack it at the pack station.</source>
        <translation>Ozon требует номер таможенной декларации для SKU {sku}: соберите отправление на станции упаковки.</translation>
    </message>
    <message>
        <source>Ozon needs no customs declaration number for SKU {sku}.</source>
        <translation>Для SKU {sku} номер таможенной декларации не нужен.</translation>
    </message>
    <message>
        <source>A customs declaration number looks like 10702070/110326/3041525 (office/date/number).</source>
        <translation>Номер таможенной декларации выглядит так: 10702070/110326/3041525 (код таможни/дата/номер).</translation>
    </message>
    <message>
        <source>The date in the customs declaration number is not a real date.</source>
        <translation>Такой даты в номере таможенной декларации быть не может.</translation>
    </message>
    <message>
        <source>Ozon's label file cannot be read: {detail}</source>
        <translation>Файл этикетки Ozon не читается: {detail}</translation>
    </message>
    <message>
        <source>This reason needs a message for Ozon.</source>
        <translation>Для этой причины нужно сообщение для Ozon.</translation>
    </message>
    <message>
        <source>The message for Ozon may have at most 500 characters.</source>
        <translation>Сообщение для Ozon — не более 500 символов.</translation>
    </message>
    <message>
        <source>This label was printed before: give a reason to print it again.</source>
        <translation>Эта этикетка уже печаталась: укажите причину повторной печати.</translation>
    </message>
    <message>
        <source>Give a reason to complete without scanning every unit.</source>
        <translation>Укажите причину, чтобы завершить без сканирования всех единиц.</translation>
    </message>
    <message>
        <source>A package has no items.</source>
        <translation>В одной из коробок нет товаров.</translation>
    </message>
    <message>
        <source>SKU {sku} is not in this posting.</source>
        <translation>SKU {sku} нет в этом отправлении.</translation>
    </message>
    <message>
        <source>The quantity of SKU {sku} must be positive.</source>
        <translation>Количество SKU {sku} должно быть больше нуля.</translation>
    </message>
    <message>
        <source>The packages do not match the posting ({detail}).</source>
        <translation>Коробки не совпадают с отправлением ({detail}).</translation>
    </message>
    <message>
        <source>Nothing to hand over: choose packed postings.</source>
        <translation>Нечего передавать: выберите собранные отправления.</translation>
    </message>
    <message>
        <source>Only packed postings can be handed over.</source>
        <translation>Передать можно только собранные отправления.</translation>
    </message>
    <message>
        <source>Only rFBS postings (you deliver them) take this step.</source>
        <translation>Этот шаг есть только у отправлений rFBS (их доставляете вы).</translation>
    </message>
    <message>
        <source>Enter or scan the tracking number.</source>
        <translation>Введите или отсканируйте трек-номер.</translation>
    </message>
    <message>
        <source>This does not look like a tracking number.</source>
        <translation>Это не похоже на трек-номер.</translation>
    </message>
    <message>
        <source>This is a product or label barcode, not a tracking number: scan the carrier's number.</source>
        <translation>Это штрихкод товара или этикетки, а не трек-номер: отсканируйте номер перевозчика.</translation>
    </message>
    <message>
        <source>The tracking number can no longer be changed for this posting.</source>
        <translation>Трек-номер этого отправления уже нельзя изменить.</translation>
    </message>
    <message>
        <source>This is not available in this version of Packdesk.</source>
        <translation>В этой версии Packdesk это недоступно.</translation>
    </message>
    <message>
        <source>A package is written wrong: use SKU:QTY[,SKU:QTY…].</source>
        <translation>Коробка записана неверно: используйте SKU:КОЛ[,SKU:КОЛ…].</translation>
    </message>
    <message>
        <source>The settings file could not be written: {reason}</source>
        <translation>Не удалось записать файл настроек: {reason}</translation>
    </message>
    <message>
        <source>No printer is set up: choose one in Settings → Printing.</source>
        <translation>Принтер не выбран: укажите его в «Настройки → Печать».</translation>
    </message>
    <message>
        <source>This printer address is not valid: use tcp://HOST:PORT, a printer name or a file path.</source>
        <translation>Неверный адрес принтера: используйте tcp://ХОСТ:ПОРТ, имя принтера или путь к файлу.</translation>
    </message>
    <message>
        <source>The printer at {printer} takes printer commands, not a PDF: set the label language to ZPL or TSPL.</source>
        <translation>Принтер {printer} принимает команды принтера, а не PDF: выберите язык этикеток ZPL или TSPL.</translation>
    </message>
    <message>
        <source>The printer at {printer} refused the connection: check that it is on and that the port is its raw printing port (usually 9100).</source>
        <translation>Принтер {printer} отклонил подключение: проверьте, что он включён и порт — это его порт прямой печати (обычно 9100).</translation>
    </message>
    <message>
        <source>The printer at {printer} does not answer: check that it is on and connected, and the address.</source>
        <translation>Принтер {printer} не отвечает: проверьте, что он включён и подключён, и проверьте адрес.</translation>
    </message>
    <message>
        <source>The printer address {printer} cannot be found: check it.</source>
        <translation>Адрес принтера {printer} не найден: проверьте его.</translation>
    </message>
    <message>
        <source>Cannot reach the printer at {printer}.</source>
        <translation>Нет связи с принтером {printer}.</translation>
    </message>
    <message>
        <source>The printer at {printer} stopped taking data: it may be paused, out of labels, or its lid may be open.</source>
        <translation>Принтер {printer} перестал принимать данные: возможно, он на паузе, кончились этикетки или открыта крышка.</translation>
    </message>
    <message>
        <source>The printer at {printer} dropped the connection during the job.</source>
        <translation>Принтер {printer} разорвал соединение во время задания.</translation>
    </message>
    <message>
        <source>The printer at {printer} did not finish receiving the job: check it, and whether a label came out, before printing again.</source>
        <translation>Принтер {printer} не дополучил задание: прежде чем печатать снова, проверьте принтер и вышла ли этикетка.</translation>
    </message>
    <message>
        <source>The print command 'lp' is not installed (apt-get install cups-client).</source>
        <translation>Не установлена команда печати 'lp' (apt-get install cups-client).</translation>
    </message>
    <message>
        <source>The print system did not take the job for {printer} in time.</source>
        <translation>Система печати не приняла задание для {printer} вовремя.</translation>
    </message>
    <message>
        <source>The print system refused the job for {printer}.</source>
        <translation>Система печати отклонила задание для {printer}.</translation>
    </message>
    <message>
        <source>On Windows labels print directly only as ZPL or TSPL: choose one of them.</source>
        <translation>В Windows этикетки печатаются напрямую только в ZPL или TSPL: выберите один из них.</translation>
    </message>
    <message>
        <source>Printing to a Windows printer needs the pywin32 package.</source>
        <translation>Для печати на принтер Windows нужен пакет pywin32.</translation>
    </message>
    <message>
        <source>Unknown label language: use PDF, ZPL or TSPL.</source>
        <translation>Неизвестный язык этикеток: используйте PDF, ZPL или TSPL.</translation>
    </message>
    <message>
        <source>Unknown label size.</source>
        <translation>Неизвестный размер этикетки.</translation>
    </message>
    <message>
        <source>Unsupported printer resolution: use 203 or 300 dpi.</source>
        <translation>Неподдерживаемое разрешение принтера: используйте 203 или 300 dpi.</translation>
    </message>
    <message>
        <source>The settings file was damaged and has been reset. The old file was kept as {file}.</source>
        <translation>Файл настроек был повреждён и сброшен. Старый файл сохранён как {file}.</translation>
    </message>
    <message>
        <source>These settings cannot take the values entered: {names}.</source>
        <translation>Эти настройки не принимают введённые значения: {names}.</translation>
    </message>
    <message>
        <source>Some settings were invalid and were reset to defaults: {names}.</source>
        <translation>Некоторые настройки были неверны и сброшены на значения по умолчанию: {names}.</translation>
    </message>
    <message>
        <source>Ozon's label for this posting has not been downloaded yet; it prints when it arrives.</source>
        <translation>Этикетка Ozon для этого отправления ещё не загружена; она напечатается, как только придёт.</translation>
    </message>
    <message>
        <source>The database is damaged: {path}. Packdesk left the file untouched and stopped syncing. Restore a backup copy of the file, or move it away to start with an empty database (the sqlite3 tool's .recover command exports what is still readable).</source>
        <translation>База данных повреждена: {path}. Packdesk не трогал файл и остановил синхронизацию. Восстановите файл из резервной копии или переместите его, чтобы начать с пустой базой (команда .recover программы sqlite3 извлекает то, что ещё читается).</translation>
    </message>
    <message>
        <source>The database {path} is missing or empty, but Packdesk kept its data there. Restore the file from a backup; to start afresh with an empty database, delete {marker}.</source>
        <translation>База данных {path} отсутствует или пуста, хотя Packdesk хранил в ней данные. Восстановите файл из резервной копии; чтобы начать заново с пустой базой, удалите {marker}.</translation>
    </message>
    <message>
        <source>Another Packdesk ({owner}) is using the database {path}. Close it first: two programs on one database would send the same actions to Ozon twice.</source>
        <translation>Базу данных {path} уже использует другой Packdesk ({owner}). Сначала закройте его: две программы на одной базе отправят в Ozon одни и те же действия дважды.</translation>
    </message>
    <message>
        <source>The disk holding {folder} is full: free space and try again.</source>
        <translation>Диск, на котором находится {folder}, заполнен: освободите место и повторите попытку.</translation>
    </message>
    <message>
        <source>Packdesk cannot write to {folder}: make the folder writable, or choose another data folder.</source>
        <translation>Packdesk не может записывать в {folder}: разрешите запись в папку или выберите другую папку данных.</translation>
    </message>
    <message>
        <source>The database address needs the {driver} driver, which is not installed: install it with pip install {package}.</source>
        <translation>Для адреса базы данных нужен драйвер {driver}, но он не установлен: установите его командой pip install {package}.</translation>
    </message>
    <message>
        <source>{url} is not a database address (e.g. postgresql+psycopg://packdesk@192.168.1.10/shop).</source>
        <translation>{url} — не адрес базы данных (например, postgresql+psycopg://packdesk@192.168.1.10/shop).</translation>
    </message>
    <message>
        <source>The shop's database server {server} cannot be reached ({detail}). Check the network and that the server is running; this desk takes no new work until it is back.</source>
        <translation>Сервер базы данных магазина {server} недоступен ({detail}). Проверьте сеть и что сервер запущен; пока он не вернётся, это место не принимает новую работу.</translation>
    </message>
    <message>
        <source>The shop's database server {server} refused the login of {user}: check the user name and password in Settings → Database.</source>
        <translation>Сервер базы данных магазина {server} отказал во входе пользователю {user}: проверьте имя пользователя и пароль в разделе «Настройки → База данных».</translation>
    </message>
    <message>
        <source>The database server {server} has no database named {database}: check the name at the end of the address in Settings → Database.</source>
        <translation>На сервере баз данных {server} нет базы данных {database}: проверьте её имя в конце адреса в разделе «Настройки → База данных».</translation>
    </message>
    <message>
        <source>The database password could not be saved: this computer has no working keyring (password store). Start Packdesk with the full address in PACKDESK_DB_URL (or --db) instead, or install and unlock a keyring.</source>
        <translation>Пароль базы данных не удалось сохранить: на этом компьютере нет работающего хранилища паролей. Запускайте Packdesk с полным адресом в PACKDESK_DB_URL (или --db) либо установите и разблокируйте хранилище паролей.</translation>
    </message>
    <message>
        <source>{server} already holds tables ({tables}); Packdesk copies only into an empty database.</source>
        <translation>В {server} уже есть таблицы ({tables}); Packdesk копирует только в пустую базу данных.</translation>
    </message>
    <message>
        <source>The copy is incomplete ({tables}).</source>
        <translation>Копия неполная ({tables}).</translation>
    </message>
    <message>
        <source>The window cannot start: the system library {library} is missing. On Debian or Ubuntu install the display libraries with: sudo apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3</source>
        <translation>Окно не может открыться: не хватает системной библиотеки {library}. В Debian или Ubuntu установите графические библиотеки командой: sudo apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3</translation>
    </message>
    <message>
        <source>The backup could not be written to {folder}: {reason}</source>
        <translation>Не удалось записать копию в {folder}: {reason}</translation>
    </message>
    <message>
        <source>The backup folder {folder} does not exist (is its drive connected?).</source>
        <translation>Папки для копий {folder} нет (подключён ли диск?).</translation>
    </message>
    <message>
        <source>{path} already exists: choose another name.</source>
        <translation>{path} уже существует: выберите другое имя.</translation>
    </message>
    <message>
        <source>{path} is the database itself: choose another file.</source>
        <translation>{path} — это сама база данных: выберите другой файл.</translation>
    </message>
    <message>
        <source>There is no database at {path} to back up.</source>
        <translation>По пути {path} нет базы данных для копирования.</translation>
    </message>
    <message>
        <source>{path} does not exist.</source>
        <translation>{path} не существует.</translation>
    </message>
    <message>
        <source>{path} is not a Packdesk backup (not a SQLite database).</source>
        <translation>{path} — не копия Packdesk (это не база SQLite).</translation>
    </message>
    <message>
        <source>{path} is damaged: it cannot be restored.</source>
        <translation>Файл {path} повреждён, восстановить из него нельзя.</translation>
    </message>
    <message>
        <source>{path} is a SQLite database, but not Packdesk's.</source>
        <translation>{path} — база SQLite, но не от Packdesk.</translation>
    </message>
    <message>
        <source>{path} was made by a newer Packdesk (schema {revision}): update Packdesk to restore it.</source>
        <translation>{path} создан более новой версией Packdesk (схема {revision}): обновите Packdesk, чтобы восстановить его.</translation>
    </message>
    <message>
        <source>The backup of {taken_at} was restored. The database as it was is kept as {aside}.</source>
        <translation>Восстановлена копия от {taken_at}. Прежняя база данных сохранена как {aside}.</translation>
    </message>
    <message>
        <source>The scheduled restore was not done; the database is as it was. {reason}</source>
        <translation>Запланированное восстановление не выполнено, база данных осталась прежней. {reason}</translation>
    </message>
    <message>
        <source>The message is empty: write something first.</source>
        <translation>Сообщение пустое: сначала напишите текст.</translation>
    </message>
    <message>
        <source>The message has {found} characters; Ozon takes at most 1000. Shorten it or split it in two.</source>
        <translation>В сообщении {found} символов, а Ozon принимает не больше 1000. Сократите его или разделите на два.</translation>
    </message>
    <message>
        <source>Not sent: a template field is still empty ({found}). Replace it with the real value.</source>
        <translation>Не отправлено: поле шаблона не заполнено ({found}). Замените его настоящим значением.</translation>
    </message>
    <message>
        <source>Not sent: the ship-by date ({found}) has passed, so this template would promise a date gone by. Write to the buyer yourself.</source>
        <translation>Не отправлено: срок отгрузки ({found}) уже прошёл, и шаблон пообещал бы покупателю прошедшую дату. Напишите покупателю сами.</translation>
    </message>
    <message>
        <source>Not sent: an e-mail address ({found}). Ozon forbids taking buyers off the platform.</source>
        <translation>Не отправлено: адрес электронной почты ({found}). Ozon запрещает уводить покупателей с площадки.</translation>
    </message>
    <message>
        <source>Not sent: a link ({found}). Ozon forbids taking buyers off the platform.</source>
        <translation>Не отправлено: ссылка ({found}). Ozon запрещает уводить покупателей с площадки.</translation>
    </message>
    <message>
        <source>Not sent: a phone number ({found}). Ozon forbids taking buyers off the platform.</source>
        <translation>Не отправлено: номер телефона ({found}). Ozon запрещает уводить покупателей с площадки.</translation>
    </message>
    <message>
        <source>Not sent: another messenger ({found}). Ozon forbids taking buyers off the platform.</source>
        <translation>Не отправлено: сторонний мессенджер ({found}). Ozon запрещает уводить покупателей с площадки.</translation>
    </message>
    <message>
        <source>Not sent: it asks the buyer to cancel ({found}), which Ozon forbids. Offer another way.</source>
        <translation>Не отправлено: сообщение просит покупателя отменить заказ ({found}), а Ozon это запрещает. Предложите другой выход.</translation>
    </message>
    <message>
        <source>This chat is not in the local copy yet. Sync, then try again.</source>
        <translation>Этого чата ещё нет в локальной копии. Синхронизируйте и попробуйте снова.</translation>
    </message>
    <message>
        <source>The template was not saved, nothing changed: {reason}</source>
        <translation>Шаблон не сохранён, ничего не изменилось: {reason}</translation>
    </message>
    <message>
        <source>The auto-reply rules were not saved, nothing changed: {reason}</source>
        <translation>Правила автоответов не сохранены, ничего не изменилось: {reason}</translation>
    </message>
    <message>
        <source>This chat is closed: Ozon takes no new messages in it.</source>
        <translation>Этот чат закрыт: Ozon не принимает в нём новые сообщения.</translation>
    </message>
    <message>
        <source>This return is not in the local copy yet. Sync, then try again.</source>
        <translation>Этого возврата ещё нет в локальной копии. Синхронизируйте и попробуйте снова.</translation>
    </message>
    <message>
        <source>A decision on this return is already waiting to be sent.</source>
        <translation>Решение по этому возврату уже ждёт отправки.</translation>
    </message>
    <message>
        <source>The decision deadline passed on {deadline}: Ozon decides this return itself now, so Packdesk sends no decision.</source>
        <translation>Срок решения истёк {deadline}: теперь Ozon решает по этому возврату сам, Packdesk решение не отправляет.</translation>
    </message>
    <message>
        <source>Ozon does not offer this action for this return now. Sync to see what it offers.</source>
        <translation>Сейчас Ozon не предлагает это действие для возврата. Синхронизируйте, чтобы увидеть доступные.</translation>
    </message>
    <message>
        <source>Choose one of Ozon's reasons to reject the return.</source>
        <translation>Выберите одну из причин Ozon для отказа в возврате.</translation>
    </message>
    <message>
        <source>Say why the return is rejected: the buyer reads this comment.</source>
        <translation>Укажите, почему возврат отклонён: покупатель прочтёт этот комментарий.</translation>
    </message>
    <message>
        <source>The comment may have at most 1000 characters.</source>
        <translation>Комментарий — не более 1000 символов.</translation>
    </message>
    <message>
        <source>The compensation must be more than 0 and at most the item's price, in roubles and kopecks.</source>
        <translation>Компенсация должна быть больше 0 и не больше цены товара, в рублях и копейках.</translation>
    </message>
    <message>
        <source>The photo file {path} is gone: add it again.</source>
        <translation>Файл фото {path} пропал: добавьте его снова.</translation>
    </message>
    <message>
        <source>{path} is not a photo Packdesk keeps (PNG, JPEG or WEBP, at most 10 MB).</source>
        <translation>{path} — не фото, которое Packdesk может сохранить (PNG, JPEG или WEBP, не больше 10 МБ).</translation>
    </message>
    <message>
        <source>Return {number} was already received on {date}.</source>
        <translation>Возврат {number} уже принят {date}.</translation>
    </message>
    <message>
        <source>Return {number} is not sent back yet ({state}): the request still awaits a decision. Keep the parcel aside and ask the seller.</source>
        <translation>Возврат {number} ещё не отправлен обратно ({state}): заявка ждёт решения. Отложите посылку и спросите продавца.</translation>
    </message>
    <message>
        <source>Return {number} is {state}: Ozon sends no item back under it. Keep the parcel aside and ask the seller.</source>
        <translation>Возврат {number}: {state} — по нему Ozon товар не возвращает. Отложите посылку и спросите продавца.</translation>
    </message>
    <message>
        <source>Enter the replacement posting number.</source>
        <translation>Введите номер отправления на замену.</translation>
    </message>
    <message>
        <source>The replacement must be another posting than the returned one.</source>
        <translation>Замена должна быть другим отправлением, не возвращённым.</translation>
    </message>
    <message>
        <source>Posting {posting} is cancelled: it cannot be the replacement. Enter the new posting.</source>
        <translation>Отправление {posting} отменено: оно не может быть заменой. Введите новое отправление.</translation>
    </message>
    <message>
        <source>This reply is already saved for this review: it is sent once, with the next sync.</source>
        <translation>Этот ответ на отзыв уже сохранён: он уйдёт один раз, со следующей синхронизацией.</translation>
    </message>
    <message>
        <source>This answer is already saved for this question: it is sent once, with the next sync.</source>
        <translation>Этот ответ на вопрос уже сохранён: он уйдёт один раз, со следующей синхронизацией.</translation>
    </message>
    <message>
        <source>Say what was resent: a tracking number or a date.</source>
        <translation>Укажите, что отправлено повторно: трек-номер или дату.</translation>
    </message>
    <message>
        <source>This review is not in the local copy yet. Sync, then try again.</source>
        <translation>Этого отзыва ещё нет в локальной копии. Синхронизируйте и попробуйте снова.</translation>
    </message>
    <message>
        <source>This question is not in the local copy yet. Sync, then try again.</source>
        <translation>Этого вопроса ещё нет в локальной копии. Синхронизируйте и попробуйте снова.</translation>
    </message>
    <message>
        <source>This template no longer exists.</source>
        <translation>Этого шаблона больше нет.</translation>
    </message>
    <message>
        <source>This template uses {found}, which a review cannot fill: choose another or write the reply.</source>
        <translation>В шаблоне есть {found}, которое нельзя заполнить для отзыва: выберите другой или напишите ответ сами.</translation>
    </message>
    <message>
        <source>An answer needs at least 2 characters.</source>
        <translation>В ответе должно быть не меньше 2 символов.</translation>
    </message>
    <message>
        <source>Enter the packer's name.</source>
        <translation>Введите имя упаковщика.</translation>
    </message>
    <message>
        <source>A packer's name may have at most {limit} characters.</source>
        <translation>Имя упаковщика — не длиннее {limit} символов.</translation>
    </message>
    <message>
        <source>There is a packer named {name} already.</source>
        <translation>Упаковщик с именем {name} уже есть.</translation>
    </message>
    <message>
        <source>A PIN is {min} to {max} digits.</source>
        <translation>PIN-код — от {min} до {max} цифр.</translation>
    </message>
    <message>
        <source>Wrong PIN for {name}. Nothing was changed.</source>
        <translation>Неверный PIN-код для {name}. Ничего не изменено.</translation>
    </message>
    <message>
        <source>There is no packer named {name}. Someone may have removed them.</source>
        <translation>Упаковщика с именем {name} нет. Возможно, его удалили.</translation>
    </message>
    <message>
        <source>Posting {posting} is on the desk: finish it or put it aside (Esc), then change the packer.</source>
        <translation>На столе отправление {posting}: доупакуйте его или отложите (Esc), затем смените упаковщика.</translation>
    </message>
    <message>
        <source>Ozon rejected the Client-Id or Api-Key. Check them in Settings.</source>
        <translation>Ozon отклонил Client-Id или Api-Key. Проверьте их в настройках.</translation>
    </message>
    <message>
        <source>The Api-Key lacks a permission Packdesk needs: {detail}</source>
        <translation>У Api-Key нет нужного Packdesk доступа: {detail}</translation>
    </message>
    <message>
        <source>This is not included in your Ozon subscription: {detail}</source>
        <translation>Это не входит в вашу подписку Ozon: {detail}</translation>
    </message>
    <message>
        <source>Cannot reach Ozon. Check the internet connection; your actions are kept and sent later.</source>
        <translation>Нет связи с Ozon. Проверьте интернет; ваши действия сохранены и будут отправлены позже.</translation>
    </message>
    <message>
        <source>Ozon asks Packdesk to slow down (too many requests). Try again in a minute.</source>
        <translation>Ozon просит Packdesk снизить частоту запросов (их слишком много). Попробуйте через минуту.</translation>
    </message>
    <message>
        <source>Ozon's servers are having trouble right now. Try again in a few minutes.</source>
        <translation>У серверов Ozon сейчас неполадки. Попробуйте через несколько минут.</translation>
    </message>
    <message>
        <source>Ozon answered something Packdesk cannot read. Try again later.</source>
        <translation>Ozon ответил чем-то, что Packdesk не может прочитать. Попробуйте позже.</translation>
    </message>
    <message>
        <source>Ozon refused: {detail}</source>
        <translation>Ozon отказал: {detail}</translation>
    </message>
    <message>
        <source>delivering</source>
        <translation>«доставляется»</translation>
    </message>
    <message>
        <source>last mile</source>
        <translation>«последняя миля»</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>«доставлено»</translation>
    </message>
    <message>
        <source>pack and ship it first</source>
        <translation>сначала упакуйте и отгрузите его</translation>
    </message>
    <message>
        <source>mark it delivering first</source>
        <translation>сначала отметьте его как «доставляется»</translation>
    </message>
    <message>
        <source>it is already delivering</source>
        <translation>оно уже доставляется</translation>
    </message>
    <message>
        <source>it is already in the last mile</source>
        <translation>оно уже на последней миле</translation>
    </message>
    <message>
        <source>it is already delivered</source>
        <translation>оно уже доставлено</translation>
    </message>
    <message>
        <source>it is cancelled or closed</source>
        <translation>оно отменено или закрыто</translation>
    </message>
    <message>
        <source>Posting {number} cannot be marked {step}: {reason}</source>
        <translation>Отправление {number} нельзя отметить как {step}: {reason}</translation>
    </message>
    <message>
        <source>Sorry, something went wrong in Packdesk. Your data is safe; please try again.</source>
        <translation>Извините, в Packdesk что-то пошло не так. Ваши данные в сохранности; попробуйте ещё раз.</translation>
    </message>
</context>
<context>
    <name>EscalationDialog</name>
    <message>
        <source>Ask Ozon support about {posting}</source>
        <translation>Вопрос в поддержку Ozon по {posting}</translation>
    </message>
    <message>
        <source>Anything support should know, in Russian if you can</source>
        <translation>Что ещё нужно знать поддержке (лучше по-русски)</translation>
    </message>
    <message>
        <source>Reading the posting…</source>
        <translation>Читаю отправление…</translation>
    </message>
    <message>
        <source>Send to support chat</source>
        <translation>Отправить в чат поддержки</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Сохранить в PDF…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>Тема</translation>
    </message>
    <message>
        <source>Your note</source>
        <translation>Ваше примечание</translation>
    </message>
    <message>
        <source>Message to Ozon support (Russian, you may edit it):</source>
        <translation>Сообщение в поддержку Ozon (по-русски, можно править):</translation>
    </message>
    <message>
        <source>Not accepted at the warehouse</source>
        <translation>Не принято на складе</translation>
    </message>
    <message>
        <source>Lost in transit</source>
        <translation>Потеряно в пути</translation>
    </message>
    <message>
        <source>Wrong status</source>
        <translation>Неверный статус</translation>
    </message>
    <message>
        <source>Problem with the label</source>
        <translation>Проблема с этикеткой</translation>
    </message>
    <message>
        <source>Dispute with the buyer</source>
        <translation>Спор с покупателем</translation>
    </message>
    <message>
        <source>Other question</source>
        <translation>Другой вопрос</translation>
    </message>
    <message>
        <source>This posting is not in the local copy yet. Sync, then try again.</source>
        <translation>Этого отправления ещё нет в локальной копии. Синхронизируйте и попробуйте снова.</translation>
    </message>
    <message>
        <source>Queued for the support chat: it is sent with the next sync.</source>
        <translation>В очереди в чат поддержки: уйдёт при следующей синхронизации.</translation>
    </message>
    <message>
        <source>There is no chat with Ozon support in the local copy yet. Open one in the Ozon seller cabinet, or save the PDF and attach it there.</source>
        <translation>В локальной копии ещё нет чата с поддержкой Ozon. Откройте его в личном кабинете продавца или сохраните PDF и приложите его там.</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>Сохранить в PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saved: {path}</source>
        <translation>Сохранено: {path}</translation>
    </message>
</context>
<context>
    <name>FeedbackTab</name>
    <message>
        <source>SKU or article</source>
        <translation>SKU или артикул</translation>
    </message>
    <message>
        <source>No answer templates yet.</source>
        <translation>Шаблонов ответов пока нет.</translation>
    </message>
    <message>
        <source>Template: {name}</source>
        <translation>Шаблон: {name}</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Search: posting, order, SKU, offer ID, product name</source>
        <translation>Поиск: отправление, заказ, SKU, артикул, название товара</translation>
    </message>
    <message>
        <source>All warehouses</source>
        <translation>Все склады</translation>
    </message>
    <message>
        <source>All delivery methods</source>
        <translation>Все способы доставки</translation>
    </message>
    <message>
        <source>FBS and rFBS</source>
        <translation>FBS и rFBS</translation>
    </message>
    <message>
        <source>FBS only</source>
        <translation>Только FBS</translation>
    </message>
    <message>
        <source>rFBS only</source>
        <translation>Только rFBS</translation>
    </message>
    <message>
        <source>Any ship-by date</source>
        <translation>Любой срок отгрузки</translation>
    </message>
    <message>
        <source>Ship by today</source>
        <translation>Отгрузить сегодня</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Просрочено</translation>
    </message>
</context>
<context>
    <name>HandoverModel</name>
    <message>
        <source>Posting</source>
        <translation>Отправление</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>Отгрузить до</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Шт.</translation>
    </message>
    <message>
        <source>Tracking number</source>
        <translation>Трек-номер</translation>
    </message>
    <message>
        <source>City</source>
        <translation>Город</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>Передача</translation>
    </message>
    <message>
        <source>{status} (pending sync)</source>
        <translation>{status} (ждёт синхронизации)</translation>
    </message>
    <message>
        <source>{tracking} (pending sync)</source>
        <translation>{tracking} (ждёт синхронизации)</translation>
    </message>
    <message>
        <source>In a carriage</source>
        <translation>В перевозке</translation>
    </message>
    <message>
        <source>Ready for a carriage</source>
        <translation>Готово к перевозке</translation>
    </message>
    <message>
        <source>Not packed</source>
        <translation>Не собрано</translation>
    </message>
    <message>
        <source>Packed: hand to the courier</source>
        <translation>Собрано: передайте курьеру</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>В доставке</translation>
    </message>
    <message>
        <source>Last mile</source>
        <translation>Последняя миля</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Доставлено</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Закрыто</translation>
    </message>
</context>
<context>
    <name>HandoverPage</name>
    <message>
        <source>Scan a parcel's label to find its posting</source>
        <translation>Отсканируйте этикетку посылки, чтобы найти отправление</translation>
    </message>
    <message>
        <source>Create carriage and act (Ozon)</source>
        <translation>Создать перевозку и акт (Ozon)</translation>
    </message>
    <message>
        <source>Print our own act</source>
        <translation>Напечатать свой акт</translation>
    </message>
    <message>
        <source>Scan or type the tracking number of the selected posting</source>
        <translation>Отсканируйте или введите трек-номер выбранного отправления</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>В доставке</translation>
    </message>
    <message>
        <source>Last mile</source>
        <translation>Последняя миля</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Доставлено</translation>
    </message>
    <message>
        <source>rFBS</source>
        <translation>rFBS</translation>
    </message>
    <message>
        <source>FBS</source>
        <translation>FBS</translation>
    </message>
    <message numerus="yes">
        <source>%n posting(s)</source>
        <translation>
            <numerusform>%n отправление</numerusform>
            <numerusform>%n отправления</numerusform>
            <numerusform>%n отправлений</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ready</source>
        <translation>
            <numerusform>%n готово</numerusform>
            <numerusform>%n готово</numerusform>
            <numerusform>%n готово</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing is waiting for handover</source>
        <translation>Ничего не ждёт передачи</translation>
    </message>
    <message numerus="yes">
        <source>Carriage for %n posting(s) queued; its act prints when Ozon has made it</source>
        <translation>
            <numerusform>Перевозка для %n отправления в очереди; акт напечатается, когда Ozon его сформирует</numerusform>
            <numerusform>Перевозка для %n отправлений в очереди; акт напечатается, когда Ozon его сформирует</numerusform>
            <numerusform>Перевозка для %n отправлений в очереди; акт напечатается, когда Ozon его сформирует</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Our own act for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>Свой акт на %n отправление отправлен на печать</numerusform>
            <numerusform>Свой акт на %n отправления отправлен на печать</numerusform>
            <numerusform>Свой акт на %n отправлений отправлен на печать</numerusform>
        </translation>
    </message>
    <message>
        <source>No posting has the code {code}</source>
        <translation>Нет отправления с кодом {code}</translation>
    </message>
    <message>
        <source>Posting {number} is not waiting for handover</source>
        <translation>Отправление {number} не ждёт передачи</translation>
    </message>
    <message>
        <source>Posting {number} found</source>
        <translation>Отправление {number} найдено</translation>
    </message>
    <message>
        <source>That was the label of posting {number}: now scan its tracking number</source>
        <translation>Это была этикетка отправления {number}: теперь отсканируйте его трек-номер</translation>
    </message>
    <message>
        <source>Select exactly one posting, then scan its tracking number</source>
        <translation>Выберите ровно одно отправление, затем отсканируйте его трек-номер</translation>
    </message>
    <message>
        <source>Posting {number} already has the tracking number {current}. Scan {tracking} again to replace it, or select another posting.</source>
        <translation>У отправления {number} уже есть трек-номер {current}. Отсканируйте {tracking} ещё раз, чтобы заменить его, или выберите другое отправление.</translation>
    </message>
    <message>
        <source>Tracking number {tracking} saved for {number}</source>
        <translation>Трек-номер {tracking} сохранён для {number}</translation>
    </message>
    <message>
        <source>Select the postings first</source>
        <translation>Сначала выберите отправления</translation>
    </message>
    <message numerus="yes">
        <source>%n posting(s) updated</source>
        <translation>
            <numerusform>Обновлено %n отправление</numerusform>
            <numerusform>Обновлено %n отправления</numerusform>
            <numerusform>Обновлено %n отправлений</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>History</name>
    <message>
        <source>Posting scanned</source>
        <translation>Отправление отсканировано</translation>
    </message>
    <message>
        <source>Item scanned</source>
        <translation>Товар отсканирован</translation>
    </message>
    <message>
        <source>Scan refused</source>
        <translation>Скан отклонён</translation>
    </message>
    <message>
        <source>New package</source>
        <translation>Новая коробка</translation>
    </message>
    <message>
        <source>Completed without every scan</source>
        <translation>Завершено без полного сканирования</translation>
    </message>
    <message>
        <source>Packed</source>
        <translation>Собрано</translation>
    </message>
    <message>
        <source>Packing aborted</source>
        <translation>Сборка прервана</translation>
    </message>
    <message>
        <source>STOP: cancelled while packing</source>
        <translation>СТОП: отменено во время сборки</translation>
    </message>
    <message>
        <source>STOP acknowledged</source>
        <translation>СТОП подтверждён</translation>
    </message>
    <message>
        <source>Action saved</source>
        <translation>Действие сохранено</translation>
    </message>
    <message>
        <source>Action applied by Ozon</source>
        <translation>Ozon выполнил действие</translation>
    </message>
    <message>
        <source>Refused by Ozon</source>
        <translation>Отклонено Ozon</translation>
    </message>
    <message>
        <source>Printed</source>
        <translation>Напечатано</translation>
    </message>
    <message>
        <source>Reprinted</source>
        <translation>Напечатано повторно</translation>
    </message>
    <message>
        <source>Printing failed</source>
        <translation>Ошибка печати</translation>
    </message>
    <message>
        <source>Return received</source>
        <translation>Возврат принят</translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>Обмен</translation>
    </message>
    <message>
        <source>Taken over from another desk</source>
        <translation>Забрано с другого рабочего места</translation>
    </message>
</context>
<context>
    <name>ItemsTable</name>
    <message>
        <source>Product</source>
        <translation>Товар</translation>
    </message>
    <message>
        <source>Ozon needs</source>
        <translation>Нужно Ozon</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>Собрано</translation>
    </message>
    <message>
        <source>Offer ID / barcode</source>
        <translation>Артикул / штрихкод</translation>
    </message>
    <message>
        <source>Codes {marked}/{needed}</source>
        <translation>Коды ЧЗ {marked}/{needed}</translation>
    </message>
    <message>
        <source>ГТД ✓</source>
        <translation>ГТД ✓</translation>
    </message>
    <message>
        <source>No ГТД</source>
        <translation>Без ГТД</translation>
    </message>
    <message>
        <source>ГТД missing</source>
        <translation>Нет ГТД</translation>
    </message>
</context>
<context>
    <name>LogDialog</name>
    <message>
        <source>Packdesk log</source>
        <translation>Журнал Packdesk</translation>
    </message>
    <message>
        <source>Log file: {path}</source>
        <translation>Файл журнала: {path}</translation>
    </message>
    <message>
        <source>Show only lines with…</source>
        <translation>Показывать только строки с…</translation>
    </message>
    <message>
        <source>Last lines:</source>
        <translation>Последних строк:</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Обновить</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Копировать</translation>
    </message>
    <message>
        <source>The log is empty.</source>
        <translation>Журнал пуст.</translation>
    </message>
    <message>
        <source>No line matches the filter.</source>
        <translation>Ни одна строка не подходит под фильтр.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Packdesk</source>
        <translation>Packdesk</translation>
    </message>
    <message>
        <source>DEMO</source>
        <translation>ДЕМО</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Синхронизировать</translation>
    </message>
    <message>
        <source>Fetch new orders and send pending actions now (F5)</source>
        <translation>Получить новые заказы и отправить ожидающие действия сейчас (F5)</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>Waiting and refused actions…</source>
        <translation>Ожидающие и отклонённые действия…</translation>
    </message>
    <message>
        <source>&amp;Packdesk</source>
        <translation>&amp;Packdesk</translation>
    </message>
    <message>
        <source>Show log</source>
        <translation>Показать журнал</translation>
    </message>
    <message>
        <source>About Packdesk…</source>
        <translation>О программе Packdesk…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Основная</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Заказы</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>Сборка</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>Передача</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Чаты</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>Возвраты</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>Отзывы</translation>
    </message>
    <message>
        <source>Analytics</source>
        <translation>Аналитика</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>{page} ({count})</source>
        <translation>{page} ({count})</translation>
    </message>
    <message>
        <source>A buyer wrote about {posting}</source>
        <translation>Покупатель написал по {posting}</translation>
    </message>
    <message>
        <source>A buyer wrote</source>
        <translation>Покупатель написал</translation>
    </message>
    <message numerus="yes">
        <source>Your Ozon Api-Key expires on {date} (%n day(s) left). Create a new key in the Ozon seller cabinet and enter it in Settings.</source>
        <translation>
            <numerusform>Ваш Api-Key Ozon истекает {date} (остался %n день). Создайте новый ключ в личном кабинете продавца Ozon и укажите его в настройках.</numerusform>
            <numerusform>Ваш Api-Key Ozon истекает {date} (осталось %n дня). Создайте новый ключ в личном кабинете продавца Ozon и укажите его в настройках.</numerusform>
            <numerusform>Ваш Api-Key Ozon истекает {date} (осталось %n дней). Создайте новый ключ в личном кабинете продавца Ozon и укажите его в настройках.</numerusform>
        </translation>
    </message>
    <message>
        <source>Syncing with Ozon…</source>
        <translation>Синхронизация с Ozon…</translation>
    </message>
    <message>
        <source>Ozon rejected the Client-Id or API key ({reason}). Check them in Settings.</source>
        <translation>Ozon отклонил Client-Id или API-ключ ({reason}). Проверьте их в настройках.</translation>
    </message>
    <message>
        <source>{area} is not available on your Ozon plan, so it is not synced: {reason}</source>
        <translation>Раздел «{area}» не входит в ваш тариф Ozon, поэтому не синхронизируется: {reason}</translation>
    </message>
</context>
<context>
    <name>MessageBanner</name>
    <message>
        <source>Hide</source>
        <translation>Скрыть</translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <source>photo</source>
        <translation>фото</translation>
    </message>
    <message>
        <source>Click to open the photo</source>
        <translation>Нажмите, чтобы открыть фото</translation>
    </message>
    <message>
        <source>Ozon did not take it: {reason}</source>
        <translation>Ozon не принял: {reason}</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>причина не указана</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>Отправить снова</translation>
    </message>
    <message>
        <source>photo (not available)</source>
        <translation>фото (недоступно)</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>the code is cut short (no crypto tail): scan the whole DataMatrix</source>
        <translation>код обрезан (нет криптохвоста): отсканируйте DataMatrix целиком</translation>
    </message>
    <message>
        <source>the product number in the code is damaged: scan it again</source>
        <translation>номер товара в коде повреждён: отсканируйте ещё раз</translation>
    </message>
    <message>
        <source>the scanner drops the code's separators: set its GS placeholder in Settings → Packing and handover</source>
        <translation>сканер теряет разделители кода: укажите замену GS в «Настройки → Упаковка и передача»</translation>
    </message>
    <message>
        <source>this is not a valid Честный ЗНАК code</source>
        <translation>это не код «Честный ЗНАК»</translation>
    </message>
    <message>
        <source>✓ {name} — now scan its Честный ЗНАК code</source>
        <translation>✓ {name} — теперь отсканируйте его код «Честный ЗНАК»</translation>
    </message>
    <message>
        <source>✓ {name} — enter its customs declaration number (ГТД)</source>
        <translation>✓ {name} — введите номер таможенной декларации (ГТД)</translation>
    </message>
    <message>
        <source>Scan a posting label to start</source>
        <translation>Отсканируйте этикетку отправления, чтобы начать</translation>
    </message>
    <message numerus="yes">
        <source>Posting {number}: scan the items and their Честный ЗНАК codes — %n to go</source>
        <translation>
            <numerusform>Отправление {number}: сканируйте товары и их коды «Честный ЗНАК» — осталась %n шт.</numerusform>
            <numerusform>Отправление {number}: сканируйте товары и их коды «Честный ЗНАК» — осталось %n шт.</numerusform>
            <numerusform>Отправление {number}: сканируйте товары и их коды «Честный ЗНАК» — осталось %n шт.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Posting {number}: scan the items — %n to go</source>
        <translation>
            <numerusform>Отправление {number}: сканируйте товары — осталась %n шт.</numerusform>
            <numerusform>Отправление {number}: сканируйте товары — осталось %n шт.</numerusform>
            <numerusform>Отправление {number}: сканируйте товары — осталось %n шт.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Resumed posting {number}: %n to go</source>
        <translation>
            <numerusform>Продолжаем отправление {number}: осталась %n шт.</numerusform>
            <numerusform>Продолжаем отправление {number}: осталось %n шт.</numerusform>
            <numerusform>Продолжаем отправление {number}: осталось %n шт.</numerusform>
        </translation>
    </message>
    <message>
        <source>✓ {name} — all scanned, completing…</source>
        <translation>✓ {name} — всё отсканировано, завершаем…</translation>
    </message>
    <message numerus="yes">
        <source>✓ {name} — scan the Честный ЗНАК codes: %n missing</source>
        <translation>
            <numerusform>✓ {name} — отсканируйте коды «Честный ЗНАК»: не хватает %n кода</numerusform>
            <numerusform>✓ {name} — отсканируйте коды «Честный ЗНАК»: не хватает %n кодов</numerusform>
            <numerusform>✓ {name} — отсканируйте коды «Честный ЗНАК»: не хватает %n кодов</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✓ {name} — %n to go</source>
        <translation>
            <numerusform>✓ {name} — осталась %n шт.</numerusform>
            <numerusform>✓ {name} — осталось %n шт.</numerusform>
            <numerusform>✓ {name} — осталось %n шт.</numerusform>
        </translation>
    </message>
    <message>
        <source>{name}: this unit was counted by its Честный ЗНАК code — scan the next one</source>
        <translation>{name}: эта единица уже учтена по коду «Честный ЗНАК» — сканируйте следующую</translation>
    </message>
    <message>
        <source>✗ CODE NOT ACCEPTED: {why}</source>
        <translation>✗ КОД НЕ ПРИНЯТ: {why}</translation>
    </message>
    <message>
        <source>✗ WRONG ITEM: this code is of {name}, which is not in this posting</source>
        <translation>✗ НЕ ТОТ ТОВАР: это код товара «{name}», его нет в этом отправлении</translation>
    </message>
    <message>
        <source>✗ This code is of a product the shop does not sell (GTIN {gtin})</source>
        <translation>✗ Это код товара, которого нет в магазине (GTIN {gtin})</translation>
    </message>
    <message>
        <source>✗ This code is already in posting {number}: every unit has its own code</source>
        <translation>✗ Этот код уже в отправлении {number}: у каждой единицы свой код</translation>
    </message>
    <message>
        <source>✗ This code is already scanned: scan the code of the next unit</source>
        <translation>✗ Этот код уже отсканирован: сканируйте код следующей единицы</translation>
    </message>
    <message numerus="yes">
        <source>✗ %n unit(s) still need their Честный ЗНАК code — Ozon will not ship without</source>
        <translation>
            <numerusform>✗ %n единице не хватает кода «Честный ЗНАК» — без него Ozon не примет отправление</numerusform>
            <numerusform>✗ %n единицам не хватает кодов «Честный ЗНАК» — без них Ozon не примет отправление</numerusform>
            <numerusform>✗ %n единицам не хватает кодов «Честный ЗНАК» — без них Ozon не примет отправление</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ Enter the customs declaration number (ГТД) of {name} first</source>
        <translation>✗ Сначала введите номер таможенной декларации (ГТД) для «{name}»</translation>
    </message>
    <message>
        <source>✗ Ozon needs data for posting {number} that Packdesk cannot send yet ({what}): pack it in Ozon's seller cabinet</source>
        <translation>✗ Для отправления {number} Ozon требует данные, которые Packdesk пока не передаёт ({what}): соберите его в личном кабинете Ozon</translation>
    </message>
    <message>
        <source>✗ WRONG ITEM: {name} is not in this posting — put it back</source>
        <translation>✗ НЕ ТОТ ТОВАР: {name} нет в этом отправлении — верните его</translation>
    </message>
    <message>
        <source>✗ EXTRA UNIT: every {name} is already scanned — put it back</source>
        <translation>✗ ЛИШНЯЯ ЕДИНИЦА: все {name} уже отсканированы — верните</translation>
    </message>
    <message>
        <source>✗ UNKNOWN CODE {code}</source>
        <translation>✗ НЕИЗВЕСТНЫЙ КОД {code}</translation>
    </message>
    <message>
        <source>✗ No posting with the code {code} — sync, or check the label</source>
        <translation>✗ Нет отправления с кодом {code} — синхронизируйте или проверьте этикетку</translation>
    </message>
    <message>
        <source>✗ Posting {number} cannot be packed: {status}</source>
        <translation>✗ Отправление {number} нельзя собрать: {status}</translation>
    </message>
    <message>
        <source>✗ {number} is being packed at {desk} by {packer}</source>
        <translation>✗ {number} упаковывает {packer} на месте «{desk}»</translation>
    </message>
    <message>
        <source>✗ {number} was left at {desk} by {packer}: take it over?</source>
        <translation>✗ {number} оставлен на месте «{desk}» ({packer}): забрать себе?</translation>
    </message>
    <message>
        <source>✗ {number} was taken over at {desk} by {packer}: put the goods aside</source>
        <translation>✗ {number} забрал(а) {packer} на месте «{desk}»: отложите товар</translation>
    </message>
    <message>
        <source>✗ Finish posting {current} first (Esc puts it aside)</source>
        <translation>✗ Сначала завершите отправление {current} (Esc — отложить)</translation>
    </message>
    <message>
        <source>✗ Scan the posting label first</source>
        <translation>✗ Сначала отсканируйте этикетку отправления</translation>
    </message>
    <message>
        <source>✗ STOP: put the goods back and acknowledge first</source>
        <translation>✗ СТОП: сначала верните товар и подтвердите</translation>
    </message>
    <message>
        <source>✗ This box is still empty: scan an item into it first</source>
        <translation>✗ Эта коробка ещё пуста: сначала отсканируйте в неё товар</translation>
    </message>
    <message>
        <source>✗ Every unit is packed: no new box needed</source>
        <translation>✗ Все единицы уже упакованы: новая коробка не нужна</translation>
    </message>
    <message numerus="yes">
        <source>✗ %n unit(s) still to scan (F8 completes anyway, with a reason)</source>
        <translation>
            <numerusform>✗ Осталась неотсканированной %n единица (F8 — завершить всё равно, с причиной)</numerusform>
            <numerusform>✗ Осталось отсканировать %n единицы (F8 — завершить всё равно, с причиной)</numerusform>
            <numerusform>✗ Осталось отсканировать %n единиц (F8 — завершить всё равно, с причиной)</numerusform>
        </translation>
    </message>
    <message>
        <source>✗ Nothing packed yet: no label to reprint</source>
        <translation>✗ Ещё ничего не собрано: нечего перепечатывать</translation>
    </message>
    <message>
        <source>label printing</source>
        <translation>этикетка печатается</translation>
    </message>
    <message>
        <source>label waits for Ozon</source>
        <translation>этикетка ждёт Ozon</translation>
    </message>
    <message numerus="yes">
        <source>✓ Packed {number} in %n box(es), {label}; {skipped}. Scan the next posting</source>
        <translation>
            <numerusform>✓ {number} собрано в %n коробку, {label}; {skipped}. Сканируйте следующее отправление</numerusform>
            <numerusform>✓ {number} собрано в %n коробки, {label}; {skipped}. Сканируйте следующее отправление</numerusform>
            <numerusform>✓ {number} собрано в %n коробок, {label}; {skipped}. Сканируйте следующее отправление</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) not scanned</source>
        <translation>
            <numerusform>%n шт. не отсканирована</numerusform>
            <numerusform>%n шт. не отсканированы</numerusform>
            <numerusform>%n шт. не отсканировано</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✓ Packed {number} in %n box(es), {label}. Scan the next posting</source>
        <translation>
            <numerusform>✓ {number} собрано в %n коробку, {label}. Сканируйте следующее отправление</numerusform>
            <numerusform>✓ {number} собрано в %n коробки, {label}. Сканируйте следующее отправление</numerusform>
            <numerusform>✓ {number} собрано в %n коробок, {label}. Сканируйте следующее отправление</numerusform>
        </translation>
    </message>
    <message>
        <source>Box {box}: scan the items for it</source>
        <translation>Коробка {box}: сканируйте товары для неё</translation>
    </message>
    <message>
        <source>Reprint of {number} queued</source>
        <translation>Повторная печать {number} поставлена в очередь</translation>
    </message>
    <message>
        <source>The label of {number} still waits for Ozon; it prints when ready</source>
        <translation>Этикетка {number} ещё ждёт Ozon; напечатается, когда будет готова</translation>
    </message>
    <message numerus="yes">
        <source>Sending everything packed; printing the ready labels (%n still wait for Ozon)</source>
        <translation>
            <numerusform>Отправляем всё собранное; печатаем готовые этикетки (%n ещё ждёт Ozon)</numerusform>
            <numerusform>Отправляем всё собранное; печатаем готовые этикетки (%n ещё ждут Ozon)</numerusform>
            <numerusform>Отправляем всё собранное; печатаем готовые этикетки (%n ещё ждут Ozon)</numerusform>
        </translation>
    </message>
    <message>
        <source>STOP acknowledged. Scan the next posting</source>
        <translation>СТОП подтверждён. Сканируйте следующее отправление</translation>
    </message>
    <message>
        <source>Posting {number} put aside. Scan the next posting</source>
        <translation>Отправление {number} отложено. Сканируйте следующее отправление</translation>
    </message>
    <message>
        <source>STOP — posting {number} was cancelled</source>
        <translation>СТОП — отправление {number} отменено</translation>
    </message>
    <message>
        <source>Posting {number} is already packed — scan REPRINT to print its label again</source>
        <translation>Отправление {number} уже собрано — сканируйте REPRINT, чтобы напечатать этикетку ещё раз</translation>
    </message>
    <message numerus="yes">
        <source>Posting {number} is already on the desk — %n to go</source>
        <translation>
            <numerusform>Отправление {number} уже на столе — осталась %n шт.</numerusform>
            <numerusform>Отправление {number} уже на столе — осталось %n шт.</numerusform>
            <numerusform>Отправление {number} уже на столе — осталось %n шт.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Packdesk</source>
        <translation>Packdesk</translation>
    </message>
    <message numerus="yes">
        <source>Cancelled by the buyer: %n posting(s)</source>
        <translation>
            <numerusform>Покупатель отменил: %n отправление</numerusform>
            <numerusform>Покупатель отменил: %n отправления</numerusform>
            <numerusform>Покупатель отменил: %n отправлений</numerusform>
        </translation>
    </message>
    <message>
        <source>Do not ship them. Put the goods back on the shelf.</source>
        <translation>Не отгружайте их. Верните товар на полку.</translation>
    </message>
    <message numerus="yes">
        <source>New orders: %n</source>
        <translation>
            <numerusform>Новых заказов: %n</numerusform>
            <numerusform>Новых заказов: %n</numerusform>
            <numerusform>Новых заказов: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>и ещё %n</numerusform>
            <numerusform>и ещё %n</numerusform>
            <numerusform>и ещё %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OrderPanel</name>
    <message>
        <source>Order</source>
        <translation>Заказ</translation>
    </message>
    <message>
        <source>This chat is not about an order.</source>
        <translation>Этот чат не о заказе.</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>Отгрузить до</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>Трек-номер</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Товары</translation>
    </message>
    <message>
        <source>Show in Orders</source>
        <translation>Показать в заказах</translation>
    </message>
    <message>
        <source>Ask Ozon support…</source>
        <translation>Спросить поддержку Ozon…</translation>
    </message>
    <message>
        <source>Write to Ozon's seller support about this posting</source>
        <translation>Написать в поддержку продавцов Ozon об этом отправлении</translation>
    </message>
    <message>
        <source>Order {number}</source>
        <translation>Заказ {number}</translation>
    </message>
</context>
<context>
    <name>OrdersPage</name>
    <message>
        <source>Confirm</source>
        <translation>Подтвердить</translation>
    </message>
    <message>
        <source>Print pick list</source>
        <translation>Печать листа подбора</translation>
    </message>
    <message>
        <source>Print labels</source>
        <translation>Печать этикеток</translation>
    </message>
    <message>
        <source>Cancel…</source>
        <translation>Отменить…</translation>
    </message>
    <message>
        <source>Take the selected postings into work (Ozon approves new rFBS orders itself)</source>
        <translation>Взять выбранные отправления в работу (новые заказы rFBS Ozon подтверждает сам)</translation>
    </message>
    <message>
        <source>Ozon approving</source>
        <translation>Подтверждает Ozon</translation>
    </message>
    <message>
        <source>To pack</source>
        <translation>Собрать</translation>
    </message>
    <message>
        <source>To hand over</source>
        <translation>Передать</translation>
    </message>
    <message>
        <source>In delivery</source>
        <translation>В доставке</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Доставлены</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Отменены</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Проблемы</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Все</translation>
    </message>
    <message numerus="yes">
        <source>Postings: %Ln</source>
        <translation>
            <numerusform>Отправлений: %Ln</numerusform>
            <numerusform>Отправлений: %Ln</numerusform>
            <numerusform>Отправлений: %Ln</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Selected: %n</source>
        <translation>
            <numerusform>Выбрано: %n</numerusform>
            <numerusform>Выбрано: %n</numerusform>
            <numerusform>Выбрано: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) wait for Ozon and print when they arrive</source>
        <translation>
            <numerusform>%n этикетка ждёт Ozon и напечатается, когда придёт</numerusform>
            <numerusform>%n этикетки ждут Ozon и напечатаются, когда придут</numerusform>
            <numerusform>%n этикеток ждут Ozon и напечатаются, когда придут</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not possible for %n posting(s):</source>
        <translation>
            <numerusform>Не получилось для %n отправления:</numerusform>
            <numerusform>Не получилось для %n отправлений:</numerusform>
            <numerusform>Не получилось для %n отправлений:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Confirmed: %n posting(s)</source>
        <translation>
            <numerusform>Подтверждено: %n отправление</numerusform>
            <numerusform>Подтверждено: %n отправления</numerusform>
            <numerusform>Подтверждено: %n отправлений</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Pick list for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>Лист подбора на %n отправление отправлен на печать</numerusform>
            <numerusform>Лист подбора на %n отправления отправлен на печать</numerusform>
            <numerusform>Лист подбора на %n отправлений отправлен на печать</numerusform>
        </translation>
    </message>
    <message>
        <source>Reprint labels</source>
        <translation>Повторная печать этикеток</translation>
    </message>
    <message>
        <source>These labels were printed before. Why print them again?</source>
        <translation>Эти этикетки уже печатались. Зачем печатать их снова?</translation>
    </message>
    <message numerus="yes">
        <source>Labels for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>Этикетки для %n отправления отправлены на печать</numerusform>
            <numerusform>Этикетки для %n отправлений отправлены на печать</numerusform>
            <numerusform>Этикетки для %n отправлений отправлены на печать</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Cancelled: %n posting(s)</source>
        <translation>
            <numerusform>Отменено: %n отправление</numerusform>
            <numerusform>Отменено: %n отправления</numerusform>
            <numerusform>Отменено: %n отправлений</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OrdersTable</name>
    <message>
        <source>Posting</source>
        <translation>Отправление</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Заказ</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>Отгрузить до</translation>
    </message>
    <message>
        <source>Delivery method</source>
        <translation>Способ доставки</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Товары</translation>
    </message>
    <message>
        <source>Buyer city</source>
        <translation>Город покупателя</translation>
    </message>
    <message>
        <source>Tracking number</source>
        <translation>Трек-номер</translation>
    </message>
    <message>
        <source>overdue {n} min</source>
        <translation>просрочка {n} мин</translation>
    </message>
    <message>
        <source>in {n} min</source>
        <translation>через {n} мин</translation>
    </message>
    <message>
        <source>overdue {n} h</source>
        <translation>просрочка {n} ч</translation>
    </message>
    <message>
        <source>in {n} h</source>
        <translation>через {n} ч</translation>
    </message>
    <message>
        <source>overdue {n} d</source>
        <translation>просрочка {n} дн.</translation>
    </message>
    <message>
        <source>in {n} d</source>
        <translation>через {n} дн.</translation>
    </message>
    <message>
        <source>(pending sync)</source>
        <translation>(ждёт синхронизации)</translation>
    </message>
    <message>
        <source>Express</source>
        <translation>Экспресс</translation>
    </message>
    <message>
        <source>Ozon status: {ozon}. Your action is saved and waits to be sent to Ozon.</source>
        <translation>Статус в Ozon: {ozon}. Ваше действие сохранено и ждёт отправки в Ozon.</translation>
    </message>
    <message>
        <source>Hand over to the carrier by {when} (local time)</source>
        <translation>Передать перевозчику до {when} (местное время)</translation>
    </message>
</context>
<context>
    <name>OrdersTableModel</name>
    <message>
        <source>(not in the local copy)</source>
        <translation>(нет в локальной копии)</translation>
    </message>
</context>
<context>
    <name>Outbox</name>
    <message>
        <source>Ship (packed)</source>
        <translation>Отгрузка (собрано)</translation>
    </message>
    <message>
        <source>Get Ozon's label</source>
        <translation>Получить этикетку Ozon</translation>
    </message>
    <message>
        <source>Set tracking number</source>
        <translation>Указать трек-номер</translation>
    </message>
    <message>
        <source>Mark as delivering</source>
        <translation>Отметить «В доставке»</translation>
    </message>
    <message>
        <source>Mark as last mile</source>
        <translation>Отметить «Последняя миля»</translation>
    </message>
    <message>
        <source>Mark as delivered</source>
        <translation>Отметить «Доставлено»</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Confirm (approve)</source>
        <translation>Подтверждение заказа</translation>
    </message>
    <message>
        <source>Chat message</source>
        <translation>Сообщение в чат</translation>
    </message>
    <message>
        <source>Chat attachment</source>
        <translation>Файл в чат</translation>
    </message>
    <message>
        <source>Mark chat as read</source>
        <translation>Отметить чат прочитанным</translation>
    </message>
    <message>
        <source>Open a chat with the buyer</source>
        <translation>Открыть чат с покупателем</translation>
    </message>
    <message>
        <source>Return decision</source>
        <translation>Решение по возврату</translation>
    </message>
    <message>
        <source>Reply to a review</source>
        <translation>Ответ на отзыв</translation>
    </message>
    <message>
        <source>Mark a review processed</source>
        <translation>Отметить отзыв обработанным</translation>
    </message>
    <message>
        <source>Answer to a question</source>
        <translation>Ответ на вопрос</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Ждёт отправки</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Отправляется…</translation>
    </message>
    <message>
        <source>Sent to Ozon</source>
        <translation>Отправлено в Ozon</translation>
    </message>
    <message>
        <source>Refused by Ozon</source>
        <translation>Отклонено Ozon</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>Отменено вами</translation>
    </message>
    <message>
        <source>Ozon refused a Честный ЗНАК code or a customs number (see Ozon's reason). The order stands: Drop and redo, then pack it again at the pack station with the right codes.</source>
        <translation>Ozon не принял код «Честный ЗНАК» или номер ГТД (см. причину от Ozon). Заказ остаётся в силе: нажмите «Отказаться и переделать» и упакуйте его заново на станции упаковки с правильными кодами.</translation>
    </message>
    <message>
        <source>Ozon needs data for this posting that Packdesk cannot send yet: complete it in Ozon's seller cabinet, then Drop the action here.</source>
        <translation>Ozon нужны данные по этому отправлению, которые Packdesk пока не умеет передавать: заполните их в личном кабинете продавца Ozon, затем нажмите здесь «Отказаться».</translation>
    </message>
    <message>
        <source>Ozon will not take this shipment (usually the buyer cancelled). Do not ship it: put the goods back on the shelf, then Drop the action.</source>
        <translation>Ozon не примет эту отгрузку (обычно покупатель отменил заказ). Не отправляйте: верните товар на полку, затем откажитесь от действия.</translation>
    </message>
    <message>
        <source>This no longer applies: the order or return moved on in Ozon. Check it, then Drop the action.</source>
        <translation>Это уже неактуально: заказ или возврат в Ozon перешёл дальше. Проверьте его, затем нажмите «Отказаться».</translation>
    </message>
    <message>
        <source>Ozon refused this action. Check the posting: if the action still makes sense, Retry it; otherwise Drop it, or Drop and redo it differently.</source>
        <translation>Ozon отклонил это действие. Проверьте отправление: если действие ещё нужно — повторите его; иначе откажитесь от него или откажитесь и сделайте иначе.</translation>
    </message>
    <message>
        <source>You dropped this action. Retry sends it again.</source>
        <translation>Вы отказались от этого действия. «Повторить» отправит его снова.</translation>
    </message>
    <message>
        <source>Being sent right now.</source>
        <translation>Отправляется прямо сейчас.</translation>
    </message>
    <message>
        <source>Not sent yet: Packdesk keeps trying (attempt {n}).</source>
        <translation>Ещё не отправлено: Packdesk продолжает попытки (попытка {n}).</translation>
    </message>
    <message>
        <source>Saved on this computer; it goes to Ozon with the next sync.</source>
        <translation>Сохранено на этом компьютере; уйдёт в Ozon при следующей синхронизации.</translation>
    </message>
</context>
<context>
    <name>OutboxModel</name>
    <message>
        <source>Saved</source>
        <translation>Сохранено</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Действие</translation>
    </message>
    <message>
        <source>Posting / chat</source>
        <translation>Отправление / чат</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>Попытки</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>Что делать</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Complete without scanning everything</source>
        <translation>Завершить без полного сканирования</translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) were not scanned. Why is the posting complete anyway?</source>
        <translation>
            <numerusform>%n единица не отсканирована. Почему отправление всё равно собрано?</numerusform>
            <numerusform>%n единицы не отсканированы. Почему отправление всё равно собрано?</numerusform>
            <numerusform>%n единиц не отсканировано. Почему отправление всё равно собрано?</numerusform>
        </translation>
    </message>
    <message>
        <source>The barcode is missing or unreadable</source>
        <translation>Штрихкода нет или он не читается</translation>
    </message>
    <message>
        <source>The scanner does not work</source>
        <translation>Сканер не работает</translation>
    </message>
    <message>
        <source>Checked by eye</source>
        <translation>Проверено на глаз</translation>
    </message>
    <message>
        <source>This looks like a scanned code, not a reason. Type why the posting is complete.</source>
        <translation>Это похоже на отсканированный код, а не на причину. Напишите, почему отправление считается собранным.</translation>
    </message>
</context>
<context>
    <name>PackerButton</name>
    <message>
        <source>Packer: {name} ▾</source>
        <translation>Упаковщик: {name} ▾</translation>
    </message>
    <message>
        <source>Who packs at this desk: scans, prints and decisions are recorded under it (F4)</source>
        <translation>Кто упаковывает за этим столом: сканирования, печать и решения записываются на него (F4)</translation>
    </message>
</context>
<context>
    <name>PackerPicker</name>
    <message>
        <source>Who packs at this desk?</source>
        <translation>Кто упаковывает за этим столом?</translation>
    </message>
    <message>
        <source>No packers yet: add them in Settings → Packers. Until then this desk records the computer's login name ({name}).</source>
        <translation>Упаковщиков пока нет: добавьте их в «Настройки → Упаковщики». До тех пор этот стол записывает имя пользователя компьютера ({name}).</translation>
    </message>
    <message>
        <source>{name}  (PIN)</source>
        <translation>{name}  (PIN)</translation>
    </message>
    <message>
        <source>PIN of {name}:</source>
        <translation>PIN-код {name}:</translation>
    </message>
    <message>
        <source>{min}–{max} digits</source>
        <translation>{min}–{max} цифр</translation>
    </message>
    <message>
        <source>Pack as this packer</source>
        <translation>Упаковывать под этим именем</translation>
    </message>
</context>
<context>
    <name>PackersBox</name>
    <message>
        <source>Packers</source>
        <translation>Упаковщики</translation>
    </message>
    <message>
        <source>The people who pack at this shop's desks. Each picks their name on the Packing page (F4); scans, prints and decisions are recorded under it. A PIN keeps others from using the name. Saved at once, for every desk.</source>
        <translation>Люди, которые упаковывают за столами этого магазина. Каждый выбирает своё имя на странице «Упаковка» (F4); сканирования, печать и решения записываются на него. PIN-код не даёт другим работать под этим именем. Сохраняется сразу, для всех столов.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Имя</translation>
    </message>
    <message>
        <source>PIN, optional</source>
        <translation>PIN-код, необязательно</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Добавить</translation>
    </message>
    <message>
        <source>Set PIN</source>
        <translation>Задать PIN</translation>
    </message>
    <message>
        <source>Clear PIN</source>
        <translation>Убрать PIN</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>{name}  (PIN)</source>
        <translation>{name}  (PIN)</translation>
    </message>
    <message>
        <source>No packers yet: the desks record the computer's login name.</source>
        <translation>Упаковщиков пока нет: столы записывают имя пользователя компьютера.</translation>
    </message>
    <message>
        <source>{name} is added.</source>
        <translation>{name}: добавлен(а).</translation>
    </message>
    <message>
        <source>Type the new PIN in the PIN field, then press Set PIN.</source>
        <translation>Введите новый PIN-код в поле PIN, затем нажмите «Задать PIN».</translation>
    </message>
    <message>
        <source>The PIN of {name} is set.</source>
        <translation>PIN-код для {name} задан.</translation>
    </message>
    <message>
        <source>{name} needs no PIN now.</source>
        <translation>Для {name} PIN-код больше не нужен.</translation>
    </message>
    <message>
        <source>{name} is removed; what they did stays recorded under their name.</source>
        <translation>{name}: удалён(а); всё сделанное остаётся записанным под этим именем.</translation>
    </message>
</context>
<context>
    <name>PackingDialogs</name>
    <message>
        <source>Put the posting aside</source>
        <translation>Отложить отправление</translation>
    </message>
    <message>
        <source>Put posting {number} aside? What was scanned is forgotten; the goods go back.</source>
        <translation>Отложить отправление {number}? Отсканированное будет забыто; товар вернётся на полку.</translation>
    </message>
    <message>
        <source>Take over the posting</source>
        <translation>Забрать отправление</translation>
    </message>
    <message>
        <source>Posting {number} is on the station of {desk} ({packer}), with no scan there for several minutes. Take it over and pack it here? What was scanned there counts here; the other desk is told.</source>
        <translation>Отправление {number} на месте упаковки «{desk}» ({packer}), и там уже несколько минут ничего не сканировали. Забрать его и упаковать здесь? Отсканированное там засчитывается здесь; другое место получит сообщение.</translation>
    </message>
</context>
<context>
    <name>PackingPage</name>
    <message>
        <source>Scan a posting label, an item or a command…</source>
        <translation>Сканируйте этикетку, товар или команду…</translation>
    </message>
    <message>
        <source>Scan a posting label to start</source>
        <translation>Отсканируйте этикетку отправления, чтобы начать</translation>
    </message>
    <message>
        <source>No posting on the desk</source>
        <translation>На столе нет отправления</translation>
    </message>
    <message>
        <source>F2 new box  ·  F8 complete anyway  ·  Esc put aside  ·  F9 print all ready labels</source>
        <translation>F2 новая коробка  ·  F8 завершить всё равно  ·  Esc отложить  ·  F9 печать всех готовых этикеток</translation>
    </message>
    <message>
        <source>✗ Not saved — scan again; if it happens again, see the log</source>
        <translation>✗ Не сохранено — отсканируйте ещё раз; если повторится, загляните в журнал</translation>
    </message>
    <message>
        <source>{name} packs at this desk now</source>
        <translation>Теперь за этим столом упаковывает {name}</translation>
    </message>
    <message numerus="yes">
        <source>Printing %n ready label(s) in packing order</source>
        <translation>
            <numerusform>Печатается %n готовая этикетка в порядке сборки</numerusform>
            <numerusform>Печатаются %n готовые этикетки в порядке сборки</numerusform>
            <numerusform>Печатаются %n готовых этикеток в порядке сборки</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Nothing ready to print: %n label(s) still wait for Ozon</source>
        <translation>
            <numerusform>Печатать нечего: %n этикетка ещё ждёт Ozon</numerusform>
            <numerusform>Печатать нечего: %n этикетки ещё ждут Ozon</numerusform>
            <numerusform>Печатать нечего: %n этикеток ещё ждут Ozon</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing ready to print</source>
        <translation>Печатать нечего: готовых этикеток нет</translation>
    </message>
    <message>
        <source>The command barcodes are queued for the label printer</source>
        <translation>Лист командных штрихкодов отправлен на принтер этикеток</translation>
    </message>
    <message>
        <source>✓ Packed {number}</source>
        <translation>✓ Собрано {number}</translation>
    </message>
    <message>
        <source>rFBS</source>
        <translation>rFBS</translation>
    </message>
    <message>
        <source>FBS</source>
        <translation>FBS</translation>
    </message>
    <message>
        <source>⚠ OVERDUE: was to ship by {when}</source>
        <translation>⚠ ПРОСРОЧЕНО: отгрузить нужно было до {when}</translation>
    </message>
    <message>
        <source>ship by {when}</source>
        <translation>отгрузить до {when}</translation>
    </message>
    <message numerus="yes">
        <source>%n box(es)</source>
        <translation>
            <numerusform>%n коробка</numerusform>
            <numerusform>%n коробки</numerusform>
            <numerusform>%n коробок</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) not scanned (F8)</source>
        <translation>
            <numerusform>%n шт. не отсканирована (F8)</numerusform>
            <numerusform>%n шт. не отсканированы (F8)</numerusform>
            <numerusform>%n шт. не отсканировано (F8)</numerusform>
        </translation>
    </message>
    <message>
        <source>One shipment in {boxes} boxes, as Ozon counts them (F2 to count them yourself)</source>
        <translation>В {boxes} коробках, как считает Ozon (F2 — посчитать самому)</translation>
    </message>
    <message>
        <source>One shipment in several boxes: box {box} (F2 next box)</source>
        <translation>Одно отправление в нескольких коробках: коробка {box} (F2 — следующая)</translation>
    </message>
    <message>
        <source>Filling box {box}</source>
        <translation>Заполняется коробка {box}</translation>
    </message>
    <message>
        <source>Checking the posting with Ozon before shipping…</source>
        <translation>Перед отгрузкой проверяем отправление в Ozon…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Сохранение…</translation>
    </message>
    <message numerus="yes">
        <source>(%n scan(s) waiting)</source>
        <translation>
            <numerusform>(ждёт %n скан)</numerusform>
            <numerusform>(ждут %n скана)</numerusform>
            <numerusform>(ждут %n сканов)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PostingHistory</name>
    <message>
        <source>When</source>
        <translation>Когда</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Что</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Синхр.</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Подробности</translation>
    </message>
</context>
<context>
    <name>PostingItems</name>
    <message>
        <source>Product</source>
        <translation>Товар</translation>
    </message>
    <message>
        <source>Barcode / offer ID</source>
        <translation>Штрихкод / артикул</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Шт.</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Цена</translation>
    </message>
</context>
<context>
    <name>PostingStatus</name>
    <message>
        <source>Awaiting registration</source>
        <translation>Ожидает регистрации</translation>
    </message>
    <message>
        <source>Acceptance in progress</source>
        <translation>Идёт приёмка</translation>
    </message>
    <message>
        <source>Waiting for Ozon's approval</source>
        <translation>Ждёт подтверждения Ozon</translation>
    </message>
    <message>
        <source>Awaiting packaging</source>
        <translation>Ожидает сборки</translation>
    </message>
    <message>
        <source>Awaiting shipment</source>
        <translation>Ожидает отгрузки</translation>
    </message>
    <message>
        <source>Arbitration</source>
        <translation>Арбитраж</translation>
    </message>
    <message>
        <source>Client arbitration</source>
        <translation>Клиентский арбитраж</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>Доставляется</translation>
    </message>
    <message>
        <source>With the driver</source>
        <translation>У водителя</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Доставлено</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Отменено</translation>
    </message>
    <message>
        <source>Not accepted at sorting</source>
        <translation>Не принято на сортировке</translation>
    </message>
    <message>
        <source>Sent by seller</source>
        <translation>Отправлено продавцом</translation>
    </message>
    <message>
        <source>Awaiting verification</source>
        <translation>Ожидает проверки</translation>
    </message>
    <message>
        <source>Cancelled (split)</source>
        <translation>Отменено (разделение)</translation>
    </message>
    <message>
        <source>Unknown status</source>
        <translation>Неизвестный статус</translation>
    </message>
</context>
<context>
    <name>PrintQueuePanel</name>
    <message>
        <source>Labels</source>
        <translation>Этикетки</translation>
    </message>
    <message>
        <source>Batch mode: ready labels print when you press F9</source>
        <translation>Пакетный режим: готовые этикетки печатаются по F9</translation>
    </message>
    <message>
        <source>Print all ready labels (F9)</source>
        <translation>Напечатать все готовые этикетки (F9)</translation>
    </message>
    <message>
        <source>Print the command barcodes</source>
        <translation>Напечатать командные штрихкоды</translation>
    </message>
    <message>
        <source>Waiting for Ozon: {waiting} · ready: {queued} · failed: {failed}</source>
        <translation>Ждут Ozon: {waiting} · готовы: {queued} · ошибки: {failed}</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Этикетка</translation>
    </message>
    <message>
        <source>Own label</source>
        <translation>Своя этикетка</translation>
    </message>
    <message>
        <source>Handover act</source>
        <translation>Акт приёма-передачи</translation>
    </message>
    <message>
        <source>{what} (reprint)</source>
        <translation>{what} (повторно)</translation>
    </message>
    <message>
        <source>waits for Ozon</source>
        <translation>ждёт Ozon</translation>
    </message>
    <message>
        <source>ready to print</source>
        <translation>готова к печати</translation>
    </message>
    <message>
        <source>failed: {error}</source>
        <translation>ошибка: {error}</translation>
    </message>
</context>
<context>
    <name>QuestionsModel</name>
    <message>
        <source>Question</source>
        <translation>Вопрос</translation>
    </message>
    <message>
        <source>Asked by</source>
        <translation>Автор</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Дата</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <source>answer waiting to be sent</source>
        <translation>ответ ждёт отправки</translation>
    </message>
    <message>
        <source>answered</source>
        <translation>есть ответ</translation>
    </message>
    <message>
        <source>not answered</source>
        <translation>без ответа</translation>
    </message>
</context>
<context>
    <name>QuestionsTab</name>
    <message>
        <source>Templates…</source>
        <translation>Шаблоны…</translation>
    </message>
    <message>
        <source>The template «{name}» uses {fields}, which a question cannot fill: choose another or write the answer yourself.</source>
        <translation>Шаблон «{name}» использует {fields}, а для вопроса их не заполнить: выберите другой шаблон или напишите ответ сами.</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Любой статус</translation>
    </message>
    <message>
        <source>Answered or not</source>
        <translation>С ответом и без</translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation>Без ответа</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>С ответом</translation>
    </message>
    <message>
        <source>Search in questions and product names…</source>
        <translation>Поиск по вопросам и названиям товаров…</translation>
    </message>
    <message>
        <source>Product:</source>
        <translation>Товар:</translation>
    </message>
    <message>
        <source>Asked by:</source>
        <translation>Автор:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Статус:</translation>
    </message>
    <message>
        <source>Write a public answer in Russian (every buyer sees it)…</source>
        <translation>Напишите публичный ответ (его видят все покупатели)…</translation>
    </message>
    <message>
        <source>Send answer</source>
        <translation>Отправить ответ</translation>
    </message>
    <message>
        <source>No question matches the filters.</source>
        <translation>Нет вопросов по этим фильтрам.</translation>
    </message>
    <message>
        <source>No questions yet. They appear here after a sync.</source>
        <translation>Вопросов пока нет. Они появятся здесь после синхронизации.</translation>
    </message>
    <message>
        <source>Choose a question on the left.</source>
        <translation>Выберите вопрос слева.</translation>
    </message>
    <message>
        <source>Question of {when}</source>
        <translation>Вопрос от {when}</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Вопрос</translation>
    </message>
    <message>
        <source>answer waiting to be sent</source>
        <translation>ответ ждёт отправки</translation>
    </message>
    <message>
        <source>answered</source>
        <translation>есть ответ</translation>
    </message>
    <message>
        <source>not answered</source>
        <translation>без ответа</translation>
    </message>
    <message>
        <source>The answer has {count} characters; Ozon takes at most 3000.</source>
        <translation>В ответе {count} символов; Ozon принимает не более 3000.</translation>
    </message>
    <message>
        <source>Answer saved: it is sent to Ozon with the next sync.</source>
        <translation>Ответ сохранён: он уйдёт в Ozon при следующей синхронизации.</translation>
    </message>
</context>
<context>
    <name>ReceiveDialog</name>
    <message>
        <source>Receive a return</source>
        <translation>Приём возврата</translation>
    </message>
    <message>
        <source>Scan the parcel barcode or type the posting number, then Enter</source>
        <translation>Отсканируйте штрихкод посылки или введите номер отправления и нажмите Enter</translation>
    </message>
    <message>
        <source>What you see: scratches, missing parts…</source>
        <translation>Что видно: царапины, нет деталей…</translation>
    </message>
    <message>
        <source>No photos</source>
        <translation>Нет фото</translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation>Добавить фото…</translation>
    </message>
    <message>
        <source>Scan each unit's marking code (Честный ЗНАК), if it has one</source>
        <translation>Отсканируйте код маркировки (Честный ЗНАК) каждой единицы, если он есть</translation>
    </message>
    <message>
        <source>Confirm receipt</source>
        <translation>Подтвердить приём</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Condition:</source>
        <translation>Состояние:</translation>
    </message>
    <message>
        <source>Then:</source>
        <translation>Дальше:</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>Заметка:</translation>
    </message>
    <message>
        <source>Photos:</source>
        <translation>Фото:</translation>
    </message>
    <message>
        <source>Marking codes of the returned units:</source>
        <translation>Коды маркировки возвращённых единиц:</translation>
    </message>
    <message>
        <source>No return is expected under {code}.</source>
        <translation>По коду {code} возврат не ожидается.</translation>
    </message>
    <message>
        <source>Expected in this parcel:</source>
        <translation>В этой посылке ожидается:</translation>
    </message>
    <message>
        <source>received</source>
        <translation>принят</translation>
    </message>
    <message>
        <source>not sent back</source>
        <translation>не отправлен обратно</translation>
    </message>
    <message>
        <source>Scan the parcel first.</source>
        <translation>Сначала отсканируйте посылку.</translation>
    </message>
    <message>
        <source>This unit was scanned already: scan the next unit.</source>
        <translation>Эта единица уже отсканирована: сканируйте следующую.</translation>
    </message>
    <message>
        <source>not a marking code</source>
        <translation>это не код маркировки</translation>
    </message>
    <message>
        <source>DIFFERS from the codes shipped in this posting</source>
        <translation>НЕ СОВПАДАЕТ с кодами, отгруженными в этом отправлении</translation>
    </message>
    <message>
        <source>This unit's marking code differs from the one shipped: the wrong item may have come back.</source>
        <translation>Код маркировки этой единицы не совпадает с отгруженным: мог вернуться чужой товар.</translation>
    </message>
    <message>
        <source>Photos of the return</source>
        <translation>Фото возврата</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp)</source>
        <translation>Изображения (*.png *.jpg *.jpeg *.webp)</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n фото</numerusform>
            <numerusform>%n фото</numerusform>
            <numerusform>%n фото</numerusform>
        </translation>
    </message>
    <message>
        <source>Not added, not a PNG, JPEG or WEBP photo of at most 10 MB: {names}</source>
        <translation>Не добавлено — не фото PNG, JPEG или WEBP до 10 МБ: {names}</translation>
    </message>
    <message>
        <source>Received, FLAGGED: a marking code differs from the shipped one. Keep the item aside.</source>
        <translation>Принято С ОТМЕТКОЙ: код маркировки не совпадает с отгруженным. Отложите товар отдельно.</translation>
    </message>
    <message>
        <source>Received. Scan the next parcel.</source>
        <translation>Принято. Сканируйте следующую посылку.</translation>
    </message>
</context>
<context>
    <name>ReturnDetail</name>
    <message>
        <source>Product:</source>
        <translation>Товар:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Статус:</translation>
    </message>
    <message>
        <source>Where:</source>
        <translation>Где:</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Причина:</translation>
    </message>
    <message>
        <source>Buyer's comment:</source>
        <translation>Комментарий покупателя:</translation>
    </message>
    <message>
        <source>Buyer chat</source>
        <translation>Чат с покупателем</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Решение</translation>
    </message>
    <message>
        <source>Why: the buyer reads this (in Russian)</source>
        <translation>Почему: это прочтёт покупатель</translation>
    </message>
    <message>
        <source>Send the decision</source>
        <translation>Отправить решение</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Rejection reason:</source>
        <translation>Причина отказа:</translation>
    </message>
    <message>
        <source>Comment for the buyer:</source>
        <translation>Комментарий для покупателя:</translation>
    </message>
    <message>
        <source>Compensation, ₽:</source>
        <translation>Компенсация, ₽:</translation>
    </message>
    <message>
        <source>At the desk</source>
        <translation>На складе</translation>
    </message>
    <message>
        <source>Replacement posting number</source>
        <translation>Номер отправления на замену</translation>
    </message>
    <message>
        <source>Note: tracking number, date…</source>
        <translation>Заметка: трек-номер, дата…</translation>
    </message>
    <message>
        <source>Link the exchange</source>
        <translation>Связать обмен</translation>
    </message>
    <message>
        <source>Exchange: link a replacement posting or record a resend</source>
        <translation>Обмен: свяжите отправление на замену или отметьте повторную отправку</translation>
    </message>
    <message>
        <source>How the posting left the desk</source>
        <translation>Как отправление ушло со склада</translation>
    </message>
    <message>
        <source>Choose a return on the left.</source>
        <translation>Выберите возврат слева.</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Фото</translation>
    </message>
    <message>
        <source>Open the buyer's photo</source>
        <translation>Открыть фото покупателя</translation>
    </message>
    <message>
        <source>Decision saved: «{decision}». It is sent to Ozon with the next sync.</source>
        <translation>Решение сохранено: «{decision}». Оно уйдёт в Ozon при следующей синхронизации.</translation>
    </message>
    <message>
        <source>The decision deadline has passed: Ozon decides this request itself. Nothing to do here.</source>
        <translation>Срок решения истёк: Ozon решает по этой заявке сам. Здесь ничего делать не нужно.</translation>
    </message>
    <message>
        <source>Ozon offers these actions now:</source>
        <translation>Ozon сейчас предлагает:</translation>
    </message>
    <message>
        <source>Ozon offers no action on this request now.</source>
        <translation>Сейчас Ozon не предлагает действий по этой заявке.</translation>
    </message>
    <message>
        <source>Ozon decides FBS and FBO returns in the seller cabinet; here you follow them.</source>
        <translation>Возвраты FBS и FBO решаются в личном кабинете Ozon; здесь вы следите за ними.</translation>
    </message>
    <message>
        <source>Choose a reason…</source>
        <translation>Выберите причину…</translation>
    </message>
    <message>
        <source>at most {amount}</source>
        <translation>не больше {amount}</translation>
    </message>
    <message>
        <source>Received {when} by {user}: {grade}, {disposition}</source>
        <translation>Принят {when}, {user}: {grade}, {disposition}</translation>
    </message>
    <message>
        <source>⚠ A marking code differs from the shipped one: the wrong item may have come back.</source>
        <translation>⚠ Код маркировки не совпадает с отгруженным: мог вернуться чужой товар.</translation>
    </message>
    <message>
        <source>Not received yet.</source>
        <translation>Ещё не принят.</translation>
    </message>
    <message>
        <source>This posting is not in the local copy: it was not packed here.</source>
        <translation>Этого отправления нет в локальной копии: его упаковывали не здесь.</translation>
    </message>
    <message>
        <source>Packed: {when}</source>
        <translation>Упаковано: {when}</translation>
    </message>
    <message>
        <source>Labels printed: {count}</source>
        <translation>Напечатано этикеток: {count}</translation>
    </message>
    <message>
        <source>Handed over: {when}</source>
        <translation>Передано: {when}</translation>
    </message>
    <message>
        <source>Marking code {code} (SKU {sku})</source>
        <translation>Код маркировки {code} (SKU {sku})</translation>
    </message>
</context>
<context>
    <name>Returns</name>
    <message>
        <source>Needs a decision</source>
        <translation>Ждут решения</translation>
    </message>
    <message>
        <source>On the way back</source>
        <translation>В пути обратно</translation>
    </message>
    <message>
        <source>Arrived</source>
        <translation>Прибыли</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Закрыты</translation>
    </message>
    <message>
        <source>FBS return</source>
        <translation>Возврат FBS</translation>
    </message>
    <message>
        <source>FBO return</source>
        <translation>Возврат FBO</translation>
    </message>
    <message>
        <source>rFBS request</source>
        <translation>Заявка rFBS</translation>
    </message>
    <message>
        <source>New, sealed</source>
        <translation>Новый, запечатан</translation>
    </message>
    <message>
        <source>Opened, complete</source>
        <translation>Вскрыт, комплектный</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>Повреждён</translation>
    </message>
    <message>
        <source>Wrong item</source>
        <translation>Не тот товар</translation>
    </message>
    <message>
        <source>Back to stock</source>
        <translation>Вернуть на склад</translation>
    </message>
    <message>
        <source>Write off</source>
        <translation>Списать</translation>
    </message>
    <message>
        <source>Replacement posting</source>
        <translation>Отправление на замену</translation>
    </message>
    <message>
        <source>Resent</source>
        <translation>Отправлено повторно</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} д {h} ч</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} ч {m} мин</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} мин</translation>
    </message>
    <message>
        <source>overdue {time}</source>
        <translation>просрочено на {time}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>осталось {time}</translation>
    </message>
    <message>
        <source>Overdue: Ozon approves the return for the buyer (deadline was {when}).</source>
        <translation>Срок прошёл ({when}): Ozon одобряет возврат покупателю сам.</translation>
    </message>
    <message>
        <source>Decide by {when}, or Ozon approves the return for the buyer automatically.</source>
        <translation>Решите до {when}, иначе Ozon автоматически одобрит возврат в пользу покупателя.</translation>
    </message>
    <message>
        <source>paid storage since {when}</source>
        <translation>платное хранение с {when}</translation>
    </message>
    <message>
        <source>paid storage from {when}</source>
        <translation>платное хранение начнётся {when}</translation>
    </message>
</context>
<context>
    <name>ReturnsModel</name>
    <message>
        <source>Return</source>
        <translation>Возврат</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Товар</translation>
    </message>
    <message>
        <source>Where it is</source>
        <translation>Где сейчас</translation>
    </message>
    <message>
        <source>Decide within</source>
        <translation>Решить за</translation>
    </message>
    <message>
        <source>waiting to be sent: {decision}</source>
        <translation>ждёт отправки: {decision}</translation>
    </message>
    <message>
        <source>decided</source>
        <translation>решено</translation>
    </message>
</context>
<context>
    <name>ReturnsPage</name>
    <message>
        <source>All kinds</source>
        <translation>Все виды</translation>
    </message>
    <message>
        <source>Search: posting, return number, SKU, article, product, buyer…</source>
        <translation>Поиск: отправление, номер возврата, SKU, артикул, товар, покупатель…</translation>
    </message>
    <message>
        <source>Receive a return…</source>
        <translation>Принять возврат…</translation>
    </message>
    <message>
        <source>Scan a returned parcel at the desk</source>
        <translation>Отсканировать вернувшуюся посылку на складе</translation>
    </message>
    <message>
        <source>No return matches the search.</source>
        <translation>Нет возвратов по этому поиску.</translation>
    </message>
    <message>
        <source>No returns here. Returns and return requests appear after a sync.</source>
        <translation>Здесь нет возвратов. Возвраты и заявки появятся после синхронизации.</translation>
    </message>
    <message>
        <source>All ({count})</source>
        <translation>Все ({count})</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Загрузка…</translation>
    </message>
    <message>
        <source>This return is no longer in the local copy.</source>
        <translation>Этого возврата больше нет в локальной копии.</translation>
    </message>
    <message>
        <source>Decision saved: it is sent to Ozon with the next sync.</source>
        <translation>Решение сохранено: оно уйдёт в Ozon при следующей синхронизации.</translation>
    </message>
    <message>
        <source>The photo is not available.</source>
        <translation>Фото недоступно.</translation>
    </message>
    <message>
        <source>Buyer's photo</source>
        <translation>Фото покупателя</translation>
    </message>
</context>
<context>
    <name>Reviews</name>
    <message>
        <source>New</source>
        <translation>Новый</translation>
    </message>
    <message>
        <source>Viewed</source>
        <translation>Просмотрен</translation>
    </message>
    <message>
        <source>Processed</source>
        <translation>Обработан</translation>
    </message>
</context>
<context>
    <name>ReviewsModel</name>
    <message>
        <source>Rating</source>
        <translation>Оценка</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Отзыв</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Дата</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <source>(rating only, no text)</source>
        <translation>(только оценка, без текста)</translation>
    </message>
    <message>
        <source>waiting to be sent</source>
        <translation>ждёт отправки</translation>
    </message>
    <message>
        <source>replied</source>
        <translation>есть ответ</translation>
    </message>
</context>
<context>
    <name>ReviewsPage</name>
    <message>
        <source>Reviews</source>
        <translation>Отзывы</translation>
    </message>
    <message>
        <source>Questions</source>
        <translation>Вопросы</translation>
    </message>
    <message>
        <source>{name} ({count})</source>
        <translation>{name} ({count})</translation>
    </message>
    <message>
        <source>Your Ozon plan does not include reviews and questions: they are not synced and replies cannot be sent. Everything else in Packdesk works.</source>
        <translation>Ваш тариф Ozon не включает отзывы и вопросы: они не синхронизируются, ответы отправить нельзя. Всё остальное в Packdesk работает.</translation>
    </message>
</context>
<context>
    <name>ReviewsTab</name>
    <message>
        <source>Any rating</source>
        <translation>Любая оценка</translation>
    </message>
    <message>
        <source>1–3 stars</source>
        <translation>1–3 звезды</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Любой статус</translation>
    </message>
    <message>
        <source>Replied or not</source>
        <translation>С ответом и без</translation>
    </message>
    <message>
        <source>Not replied</source>
        <translation>Без ответа</translation>
    </message>
    <message>
        <source>Replied</source>
        <translation>С ответом</translation>
    </message>
    <message>
        <source>Search in reviews and product names…</source>
        <translation>Поиск по отзывам и названиям товаров…</translation>
    </message>
    <message>
        <source>Product:</source>
        <translation>Товар:</translation>
    </message>
    <message>
        <source>Photos:</source>
        <translation>Фото:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Статус:</translation>
    </message>
    <message>
        <source>Write a public reply in Russian…</source>
        <translation>Напишите публичный ответ…</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>Шаблоны…</translation>
    </message>
    <message>
        <source>Mark processed</source>
        <translation>Отметить обработанным</translation>
    </message>
    <message>
        <source>Mark the review processed on Ozon without a reply</source>
        <translation>Отметить отзыв обработанным в Ozon без ответа</translation>
    </message>
    <message>
        <source>Send reply</source>
        <translation>Отправить ответ</translation>
    </message>
    <message>
        <source>No review matches the filters.</source>
        <translation>Нет отзывов по этим фильтрам.</translation>
    </message>
    <message>
        <source>No reviews yet. They appear here after a sync.</source>
        <translation>Отзывов пока нет. Они появятся здесь после синхронизации.</translation>
    </message>
    <message>
        <source>Choose a review on the left.</source>
        <translation>Выберите отзыв слева.</translation>
    </message>
    <message>
        <source>Review of {when}</source>
        <translation>Отзыв от {when}</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Отзыв</translation>
    </message>
    <message>
        <source>none</source>
        <translation>нет</translation>
    </message>
    <message>
        <source>waiting to be sent</source>
        <translation>ждёт отправки</translation>
    </message>
    <message>
        <source>replied</source>
        <translation>есть ответ</translation>
    </message>
    <message>
        <source>(rating only, no text)</source>
        <translation>(только оценка, без текста)</translation>
    </message>
    <message>
        <source>The reply has {count} characters; Ozon takes at most 3000.</source>
        <translation>В ответе {count} символов; Ozon принимает не более 3000.</translation>
    </message>
    <message numerus="yes">
        <source>The same reply went to %n other review(s) in the last 30 days. Ozon penalises repeated answers: better write it in other words.</source>
        <translation>
            <numerusform>Такой же ответ за последние 30 дней ушёл ещё на %n отзыв. Ozon наказывает за одинаковые ответы: лучше сказать иначе.</numerusform>
            <numerusform>Такой же ответ за последние 30 дней ушёл ещё на %n отзыва. Ozon наказывает за одинаковые ответы: лучше сказать иначе.</numerusform>
            <numerusform>Такой же ответ за последние 30 дней ушёл ещё на %n отзывов. Ozon наказывает за одинаковые ответы: лучше сказать иначе.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reply saved: it is sent to Ozon with the next sync.</source>
        <translation>Ответ сохранён: он уйдёт в Ozon при следующей синхронизации.</translation>
    </message>
    <message>
        <source>Send anyway?</source>
        <translation>Всё равно отправить?</translation>
    </message>
    <message>
        <source>Send this reply anyway?</source>
        <translation>Всё равно отправить этот ответ?</translation>
    </message>
    <message>
        <source>Send anyway</source>
        <translation>Отправить всё равно</translation>
    </message>
    <message>
        <source>Edit the reply</source>
        <translation>Изменить ответ</translation>
    </message>
    <message>
        <source>The template «{name}» uses {fields}, which a review cannot fill: choose another or write the reply yourself.</source>
        <translation>В шаблоне «{name}» есть {fields}, которое нельзя заполнить для отзыва: выберите другой или напишите ответ сами.</translation>
    </message>
</context>
<context>
    <name>Section</name>
    <message>
        <source>CSV…</source>
        <translation>CSV…</translation>
    </message>
    <message>
        <source>Excel…</source>
        <translation>Excel…</translation>
    </message>
    <message>
        <source>Save this table as CSV (opens in Excel, Cyrillic and Chinese kept)</source>
        <translation>Сохранить таблицу в CSV (откроется в Excel, кириллица и китайский сохранятся)</translation>
    </message>
    <message>
        <source>Save this table as an Excel workbook (.xlsx)</source>
        <translation>Сохранить таблицу как книгу Excel (.xlsx)</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Save settings</source>
        <translation>Сохранить настройки</translation>
    </message>
    <message>
        <source>Ozon account</source>
        <translation>Аккаунт Ozon</translation>
    </message>
    <message>
        <source>Ozon seller cabinet → Settings → API keys</source>
        <translation>Кабинет продавца Ozon → Настройки → API-ключи</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Проверить подключение</translation>
    </message>
    <message>
        <source>The Api-Key is kept in the system keyring, never in the settings file. Empty: keep it.</source>
        <translation>Api-Key хранится в системном хранилище паролей, а не в файле настроек. Пусто — оставить прежний.</translation>
    </message>
    <message>
        <source>Client-Id</source>
        <translation>Client-Id</translation>
    </message>
    <message>
        <source>Api-Key</source>
        <translation>Api-Key</translation>
    </message>
    <message>
        <source>Key expires</source>
        <translation>Ключ истекает</translation>
    </message>
    <message>
        <source>Automatic: demo until an account is set up</source>
        <translation>Автоматически: демо, пока не настроен аккаунт</translation>
    </message>
    <message>
        <source>On: the built-in demo shop</source>
        <translation>Включён: встроенный демо-магазин</translation>
    </message>
    <message>
        <source>Off: my Ozon shop</source>
        <translation>Выключен: мой магазин Ozon</translation>
    </message>
    <message>
        <source>Demo mode</source>
        <translation>Демо-режим</translation>
    </message>
    <message>
        <source>Printing</source>
        <translation>Печать</translation>
    </message>
    <message>
        <source>A system printer, tcp://HOST:9100 for a network printer, or a file path</source>
        <translation>Системный принтер, tcp://ХОСТ:9100 для сетевого принтера или путь к файлу</translation>
    </message>
    <message>
        <source>PDF (printer driver)</source>
        <translation>PDF (драйвер принтера)</translation>
    </message>
    <message>
        <source>ZPL (Zebra)</source>
        <translation>ZPL (Zebra)</translation>
    </message>
    <message>
        <source>TSPL (TSC, Xprinter)</source>
        <translation>TSPL (TSC, Xprinter)</translation>
    </message>
    <message>
        <source>{size} mm</source>
        <translation>{size} мм</translation>
    </message>
    <message>
        <source>{dpi} dpi</source>
        <translation>{dpi} dpi</translation>
    </message>
    <message>
        <source>Print a test label</source>
        <translation>Напечатать тестовую этикетку</translation>
    </message>
    <message>
        <source>Print the label as soon as a posting is packed</source>
        <translation>Печатать этикетку сразу после сборки отправления</translation>
    </message>
    <message>
        <source>Shop or company name on your own labels (empty: the warehouse)</source>
        <translation>Магазин или компания на ваших этикетках (пусто: склад)</translation>
    </message>
    <message>
        <source>Label printer</source>
        <translation>Принтер этикеток</translation>
    </message>
    <message>
        <source>A4 printer</source>
        <translation>Принтер A4</translation>
    </message>
    <message>
        <source>Label language</source>
        <translation>Язык этикеток</translation>
    </message>
    <message>
        <source>Label size</source>
        <translation>Размер этикетки</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Разрешение</translation>
    </message>
    <message>
        <source>Sender</source>
        <translation>Отправитель</translation>
    </message>
    <message>
        <source>Packing and handover</source>
        <translation>Упаковка и передача</translation>
    </message>
    <message>
        <source>Empty: the scanner sends the GS character itself</source>
        <translation>Пусто: сканер сам передаёт символ GS</translation>
    </message>
    <message>
        <source>Честный ЗНАК codes contain an invisible separator (GS). If your scanner is set to type something else in its place, enter that here.</source>
        <translation>В кодах «Честный ЗНАК» есть невидимый разделитель (GS). Если сканер настроен вводить вместо него что-то другое, укажите это здесь.</translation>
    </message>
    <message>
        <source>My shop is on Ozon's trusted acceptance</source>
        <translation>Мой магазин подключён к доверительной приёмке Ozon</translation>
    </message>
    <message>
        <source>Then Ozon is told the number of boxes of each carriage; without it Ozon expects no box count.</source>
        <translation>Тогда Ozon сообщается число грузовых мест в каждой отгрузке; без доверительной приёмки Ozon его не ждёт.</translation>
    </message>
    <message>
        <source>GS placeholder</source>
        <translation>Замена GS</translation>
    </message>
    <message>
        <source>Packdesk</source>
        <translation>Packdesk</translation>
    </message>
    <message>
        <source>Sounds for good and wrong scans</source>
        <translation>Звуки при верном и ошибочном сканировании</translation>
    </message>
    <message>
        <source>Notify me when a buyer writes in a chat</source>
        <translation>Уведомлять, когда покупатель пишет в чат</translation>
    </message>
    <message>
        <source>Play a sound when a buyer writes in a chat</source>
        <translation>Звук, когда покупатель пишет в чат</translation>
    </message>
    <message>
        <source>Auto-replies set to answer outside working hours use these (local time).</source>
        <translation>Автоответы «вне рабочего времени» используют эти часы (местное время).</translation>
    </message>
    <message>
        <source> s</source>
        <translation> с</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Язык системы</translation>
    </message>
    <message>
        <source> days</source>
        <translation> дн.</translation>
    </message>
    <message>
        <source>Buyers' names and addresses of finished orders are erased after this many days (Ozon's rules).</source>
        <translation>Имена и адреса покупателей в завершённых заказах стираются через столько дней (правила Ozon).</translation>
    </message>
    <message>
        <source>Restart Packdesk to apply the changes (account, language, mode, sync interval, buyers' details).</source>
        <translation>Перезапустите Packdesk, чтобы применить изменения (аккаунт, язык, режим, интервал синхронизации, данные покупателей).</translation>
    </message>
    <message>
        <source>Sync every</source>
        <translation>Синхронизировать каждые</translation>
    </message>
    <message>
        <source>Language, demo mode, sync interval, working hours and how long buyers' details are kept apply after a restart.</source>
        <translation>Язык, демо-режим, интервал синхронизации, рабочие часы и срок хранения данных покупателей применяются после перезапуска.</translation>
    </message>
    <message>
        <source>Working hours</source>
        <translation>Рабочие часы</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>Keep buyers' details</source>
        <translation>Хранить данные покупателей</translation>
    </message>
    <message>
        <source>Paste the Api-Key here</source>
        <translation>Вставьте Api-Key сюда</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Сохранён в системном хранилище паролей</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Сохранение…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Сохранено.</translation>
    </message>
    <message>
        <source>The database address and the desk's name take effect when Packdesk starts again: the database cannot be swapped under a running window.</source>
        <translation>Адрес базы данных и имя рабочего места вступят в силу после перезапуска Packdesk: базу данных нельзя заменить в работающем окне.</translation>
    </message>
    <message>
        <source>Asking Ozon…</source>
        <translation>Запрос к Ozon…</translation>
    </message>
    <message>
        <source>Connected: Ozon accepted the Client-Id and Api-Key.</source>
        <translation>Подключено: Ozon принял Client-Id и Api-Key.</translation>
    </message>
    <message>
        <source>Demo mode: every label and document is saved as a file in {folder}</source>
        <translation>Демо-режим: каждая этикетка и каждый документ сохраняются файлом в папке {folder}</translation>
    </message>
    <message>
        <source>Demo: files in {folder}</source>
        <translation>Демо: файлы в {folder}</translation>
    </message>
    <message>
        <source>Demo mode syncs every {seconds} s; the interval above is for your own shop.</source>
        <translation>Демо-режим синхронизируется каждые {seconds} с; интервал выше — для вашего магазина.</translation>
    </message>
    <message>
        <source>No Api-Key yet: the demo needs none.</source>
        <translation>Api-Key ещё не задан: демо он не нужен.</translation>
    </message>
    <message>
        <source>Not checked in demo mode: test the connection to find out.</source>
        <translation>В демо-режиме не проверяется: проверьте подключение, чтобы узнать.</translation>
    </message>
    <message>
        <source>Unknown: test the connection to find out.</source>
        <translation>Неизвестно: проверьте подключение, чтобы узнать.</translation>
    </message>
    <message numerus="yes">
        <source>{date}: %n day(s) left. Create a new key in the Ozon seller cabinet.</source>
        <translation>
            <numerusform>{date}: остался %n день. Создайте новый ключ в кабинете продавца Ozon.</numerusform>
            <numerusform>{date}: осталось %n дня. Создайте новый ключ в кабинете продавца Ozon.</numerusform>
            <numerusform>{date}: осталось %n дней. Создайте новый ключ в кабинете продавца Ozon.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{date} (%n day(s) left)</source>
        <translation>
            <numerusform>{date} (остался %n день)</numerusform>
            <numerusform>{date} (осталось %n дня)</numerusform>
            <numerusform>{date} (осталось %n дней)</numerusform>
        </translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Печать…</translation>
    </message>
    <message>
        <source>Sent. The frame must be whole and the ruler's 10 mm marks exactly 10 mm apart.</source>
        <translation>Отправлено. Рамка должна быть целой, а метки линейки через 10 мм — ровно в 10 мм друг от друга.</translation>
    </message>
</context>
<context>
    <name>StopOverlay</name>
    <message>
        <source>DO NOT SHIP — put the goods back</source>
        <translation>НЕ ОТГРУЖАТЬ — верните товар</translation>
    </message>
    <message>
        <source>The goods are back on the shelf — continue</source>
        <translation>Товар возвращён на полку — продолжить</translation>
    </message>
    <message>
        <source>or scan the ACK (or ABORT) command barcode</source>
        <translation>или отсканируйте штрихкод-команду ACK (или ABORT)</translation>
    </message>
    <message>
        <source>Posting {number} was cancelled</source>
        <translation>Отправление {number} отменено</translation>
    </message>
    <message>
        <source>Back to the shelf: {goods}</source>
        <translation>Вернуть на полку: {goods}</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <source>DEMO MODE — emulator, not your Ozon shop</source>
        <translation>ДЕМО-РЕЖИМ — эмулятор, а не ваш магазин Ozon</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>Ещё не синхронизировано</translation>
    </message>
    <message>
        <source>Sync: looking for the leading desk…</source>
        <translation>Синхронизация: поиск ведущего места…</translation>
    </message>
    <message>
        <source>Show the actions waiting for Ozon and the ones it refused</source>
        <translation>Показать действия, ожидающие Ozon, и отклонённые им</translation>
    </message>
    <message>
        <source>Sync off</source>
        <translation>Синхронизация выключена</translation>
    </message>
    <message>
        <source>Sync: no desk leads — is another desk open?</source>
        <translation>Синхронизация: ведущего места нет — открыто ли другое рабочее место?</translation>
    </message>
    <message>
        <source>Sync: this desk leads</source>
        <translation>Синхронизация: ведёт это рабочее место</translation>
    </message>
    <message>
        <source>Sync: led by {desk}</source>
        <translation>Синхронизация: ведёт {desk}</translation>
    </message>
    <message>
        <source>Last sync {time}</source>
        <translation>Синхронизировано в {time}</translation>
    </message>
    <message numerus="yes">
        <source>Pending actions: %n</source>
        <translation>
            <numerusform>Ждут отправки: %n</numerusform>
            <numerusform>Ждут отправки: %n</numerusform>
            <numerusform>Ждут отправки: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing pending</source>
        <translation>Нет ожидающих действий</translation>
    </message>
    <message numerus="yes">
        <source>Conflicts: %n</source>
        <translation>
            <numerusform>Конфликтов: %n</numerusform>
            <numerusform>Конфликтов: %n</numerusform>
            <numerusform>Конфликтов: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Синхронизация…</translation>
    </message>
    <message>
        <source>Sync failed {time}</source>
        <translation>Сбой синхронизации в {time}</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● В сети</translation>
    </message>
    <message>
        <source>● Offline — actions are saved and sent later</source>
        <translation>● Нет связи — действия сохраняются и уйдут позже</translation>
    </message>
    <message>
        <source>Ozon rejected the API key</source>
        <translation>Ozon отклонил API-ключ</translation>
    </message>
    <message>
        <source>{area}: not available on your Ozon plan; that part of sync is paused</source>
        <translation>{area}: не входит в ваш тариф Ozon; эта часть синхронизации приостановлена</translation>
    </message>
</context>
<context>
    <name>TemplatePicker</name>
    <message>
        <source>Templates</source>
        <translation>Шаблоны</translation>
    </message>
    <message>
        <source>Search by name (中文 / English)…</source>
        <translation>Поиск по названию (中文 / English)…</translation>
    </message>
    <message>
        <source>Matching first: {what}</source>
        <translation>Сначала подходящие: {what}</translation>
    </message>
    <message>
        <source>All templates</source>
        <translation>Все шаблоны</translation>
    </message>
    <message>
        <source>Insert</source>
        <translation>Вставить</translation>
    </message>
</context>
<context>
    <name>TemplatesDialog</name>
    <message>
        <source>Answer templates</source>
        <translation>Шаблоны ответов</translation>
    </message>
    <message>
        <source>a-z, 0-9 and _, e.g. where_is_order</source>
        <translation>a-z, 0-9 и _, например where_is_order</translation>
    </message>
    <message>
        <source>Variables: {list}</source>
        <translation>Переменные: {list}</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Новый</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Сохранить</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>Импорт…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Экспорт…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Ключ</translation>
    </message>
    <message>
        <source>Name (Chinese)</source>
        <translation>Название (китайское)</translation>
    </message>
    <message>
        <source>Name (English)</source>
        <translation>Название (английское)</translation>
    </message>
    <message>
        <source>Intents (comma list)</source>
        <translation>Намерения (через запятую)</translation>
    </message>
    <message>
        <source>Text for the buyer (Russian):</source>
        <translation>Текст для покупателя (на русском):</translation>
    </message>
    <message>
        <source>Saved: {name}</source>
        <translation>Сохранено: {name}</translation>
    </message>
    <message>
        <source>Delete the template</source>
        <translation>Удалить шаблон</translation>
    </message>
    <message>
        <source>Delete the template {name}? This cannot be undone.</source>
        <translation>Удалить шаблон {name}? Это нельзя отменить.</translation>
    </message>
    <message>
        <source>Deleted: {key}</source>
        <translation>Удалено: {key}</translation>
    </message>
    <message>
        <source>Import templates</source>
        <translation>Импорт шаблонов</translation>
    </message>
    <message>
        <source>Imported {count} templates.</source>
        <translation>Импортировано шаблонов: {count}.</translation>
    </message>
    <message>
        <source>Export templates</source>
        <translation>Экспорт шаблонов</translation>
    </message>
    <message>
        <source>Saved: {path}</source>
        <translation>Сохранено: {path}</translation>
    </message>
</context>
</TS>
