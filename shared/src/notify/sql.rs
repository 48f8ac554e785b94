//! Every statement of notifications: recording (INSERT OR IGNORE on the unique
//! (user, event, object, day), each guarded so a re-sent snapshot tells nobody twice), sending
//! (claim, release, mark) and preferences.

/// The columns every recording statement fills.
macro_rules! insert {
    () => {
        "INSERT OR IGNORE INTO notifications (id, company_id, user_id, event, object_id, day, owner, data_json, created_at) "
    };
}

/// A fresh id for each row of an INSERT ... SELECT.
macro_rules! new_id {
    () => {
        "'ntf_' || lower(hex(randomblob(10)))"
    };
}

/// Not told before about the same object (any day): a snapshot 1C sends again tells nobody twice.
macro_rules! untold {
    ($event:expr, $object:expr) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = u.id AND n.event = ",
            $event,
            " AND n.object_id = ",
            $object,
            ")"
        )
    };
}

/// The page a change's mail links to, by what it changed.
macro_rules! change_page {
    () => {
        "CASE o.entity_type WHEN 'order' THEN '#/orders/' || o.entity_id WHEN 'return' THEN '#/returns/' || o.entity_id \
         WHEN 'reconciliation_act' THEN '#/documents/acts/' || o.entity_id WHEN 'user' THEN '#/profile' ELSE '#/company' END"
    };
}

/// A document of the company's orders arrived (after its statements: `?1` its 1C id, `?2` day,
/// `?3` now, `?4` the oldest document date that is news): to the author of each of its orders
/// and to whoever chose the event. An old document (1C's first full load) tells nobody.
pub const DOCUMENT_ARRIVED: &str = concat!(
    insert!(),
    "SELECT ", new_id!(), ", d.company_id, u.id, 'document_arrived', d.id, ?2, coalesce(o.author_user_id = u.id, 0), \
       json_object('kind', d.kind, 'kind_name', d.kind_name, 'number', d.number, 'date', d.doc_date, 'amount_kop', d.amount_kop, \
         'order_number', o.number, 'page', '#/orders/' || o.id), ?3 \
     FROM documents d JOIN document_orders dor ON dor.document_id = d.id \
     JOIN orders o ON o.onec_id = dor.order_onec_id AND o.company_id = d.company_id \
     JOIN users u ON u.company_id = d.company_id AND u.active = 1 \
     WHERE d.onec_id = ?1 AND d.active = 1 AND d.doc_date >= ?4 \
       AND (u.id = o.author_user_id OR EXISTS (SELECT 1 FROM notification_prefs np WHERE np.user_id = u.id AND np.event = 'document_arrived' AND np.choice <> 'off')) \
       AND ", untold!("'document_arrived'", "d.id")
);

/// Credit blocked or unblocked (before the credit state's own statements, so the stored state is
/// the old one: `?1` agreement 1C id, `?2` company 1C id, `?3` blocked now, `?4` day, `?5` now):
/// to the company's admins and accountants, only when the state changes.
pub const CREDIT_CHANGED: &str = concat!(
    insert!(),
    "SELECT ", new_id!(), ", a.company_id, u.id, 'credit_changed', a.id || CASE WHEN ?3 THEN ':blocked' ELSE ':unblocked' END, ?4, 0, \
       json_object('blocked', ?3, 'agreement', a.name, 'page', '#/finance'), ?5 \
     FROM agreements a JOIN users u ON u.company_id = a.company_id AND u.active = 1 \
     WHERE a.onec_id = ?1 AND a.company_id = (SELECT id FROM companies WHERE onec_id = ?2) \
       AND coalesce((SELECT cs.blocked FROM credit_states cs WHERE cs.agreement_id = a.id), 0) <> ?3 \
       AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('admin', 'accountant'))"
);

/// A return decided (after its statements: `?1` its 1C id, `?2` day, `?3` now): to its author,
/// once per decision.
pub const RETURN_DECIDED: &str = concat!(
    insert!(),
    "SELECT ", new_id!(), ", r.company_id, u.id, 'return_decided', r.id || ':' || r.status, ?2, 1, \
       json_object('status', r.status, 'number', r.number, 'refund_kop', r.refund_kop, 'reason', r.reject_reason, \
         'order_number', o.number, 'page', '#/returns/' || r.id), ?3 \
     FROM returns r JOIN users u ON u.id = r.created_by AND u.active = 1 LEFT JOIN orders o ON o.id = r.order_id \
     WHERE r.onec_id = ?1 AND r.status IN ('approved', 'rejected', 'completed') \
       AND ", untold!("'return_decided'", "r.id || ':' || r.status")
);

/// A requested act is ready (after its statements: `?1` the act's 1C id, `?2` day, `?3` now): to
/// whoever requested it.
pub const ACT_READY: &str = concat!(
    insert!(),
    "SELECT ", new_id!(), ", q.company_id, u.id, 'act_ready', q.id, ?2, 1, \
       json_object('number', ra.number, 'from', q.period_from, 'to', q.period_to, 'closing_kop', ra.closing_kop, \
         'page', '#/documents/acts/' || q.id), ?3 \
     FROM reconciliation_acts ra JOIN act_requests q ON q.id = ra.request_id AND q.company_id = ra.company_id \
     JOIN users u ON u.id = q.requested_by AND u.active = 1 \
     WHERE ra.onec_id = ?1 AND q.status = 'ready' AND ", untold!("'act_ready'", "q.id")
);

/// Changes a snapshot applied (after `changes::applied_stmt`: `?1` company 1C id, `?2` the ids as
/// JSON, `?3` now, the same `applied_at`, `?4` day): to each change's author. A return or act
/// request is told by its own decision instead.
pub const CHANGES_APPLIED: &str = concat!(
    insert!(),
    "SELECT ", new_id!(), ", o.company_id, u.id, 'change_applied', o.id, ?4, 1, \
       json_object('type', o.type, 'entity_type', o.entity_type, 'order_number', (SELECT number FROM orders WHERE id = o.entity_id), \
         'page', ", change_page!(), "), ?3 \
     FROM outbox o JOIN users u ON u.id = o.user_id AND u.active = 1 \
     WHERE o.id IN (SELECT value FROM json_each(?2)) AND o.applied_at = ?3 \
       AND o.type NOT IN ('return.requested', 'act.requested', 'resync.requested') \
       AND o.company_id = (SELECT id FROM companies WHERE onec_id = ?1)"
);

/// 1C refused a change (after its verdict: `?1` the change, `?2` day, `?3` now): to its author.
pub const CHANGE_REJECTED: &str = concat!(
    insert!(),
    "SELECT ", new_id!(), ", o.company_id, u.id, 'change_rejected', o.id, ?2, 1, \
       json_object('type', o.type, 'entity_type', o.entity_type, 'order_number', (SELECT number FROM orders WHERE id = o.entity_id), \
         'reason', json_extract(o.answer, '$.reason'), 'page', ", change_page!(), "), ?3 \
     FROM outbox o JOIN users u ON u.id = o.user_id AND u.active = 1 \
     WHERE o.id = ?1 AND o.status = 'rejected'"
);

/// Unpaid schedule stages due between `?1` and `?2` (dates), with their company's time zone;
/// not those reminded of already for good (overdue told, or due told and not overdue before
/// `?3`), so the sweeper's minute-by-minute runs stay small.
pub const STAGES_AROUND: &str = "SELECT ps.order_id, ps.stage_no, ps.due_date, ps.amount_kop, ps.paid_kop, ps.company_id, \
       c.timezone, o.number AS order_number \
     FROM payment_schedule ps JOIN companies c ON c.id = ps.company_id AND c.active = 1 JOIN orders o ON o.id = ps.order_id \
     WHERE ps.paid_kop < ps.amount_kop AND ps.due_date BETWEEN ?1 AND ?2 \
       AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.object_id = ps.order_id || ':' || ps.stage_no || ':' || ps.due_date \
         AND (n.event = 'payment_overdue' OR (n.event = 'payment_due' AND ps.due_date > ?3)))";

/// A payment reminder (`?1` company, `?2` event, `?3` object, `?4` day, `?5` data, `?6` now): to
/// the company's admins and accountants, once per stage and event.
pub const REMINDER: &str = concat!(
    insert!(),
    "SELECT ", new_id!(), ", ?1, u.id, ?2, ?3, ?4, 0, ?5, ?6 FROM users u \
     WHERE u.company_id = ?1 AND u.active = 1 \
       AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('admin', 'accountant')) \
       AND ", untold!("?2", "?3")
);

/// Unsent notifications not yet put aside for a digest, oldest first, with what deciding and
/// rendering them takes.
pub const UNSENT: &str = "SELECT n.id, n.user_id, n.event, n.owner, n.data_json, n.created_at, u.email, u.language, u.full_name, u.active, \
       (SELECT group_concat(r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles, \
       (SELECT p.choice FROM notification_prefs p WHERE p.user_id = n.user_id AND p.event = n.event) AS chosen, c.timezone \
     FROM notifications n JOIN users u ON u.id = n.user_id JOIN companies c ON c.id = n.company_id \
     WHERE n.sent_at IS NULL AND n.channel IS NULL AND n.attempts < 10 ORDER BY n.created_at LIMIT 100";

/// Claims one for sending; `changes() = 1` only for the one caller that got it.
pub const CLAIM: &str =
    "UPDATE notifications SET channel = ?1, sent_at = ?2 WHERE id = ?3 AND sent_at IS NULL AND channel IS NULL";
/// Puts one aside for the recipient's digest.
pub const TO_DIGEST: &str =
    "UPDATE notifications SET channel = 'digest' WHERE id = ? AND sent_at IS NULL AND channel IS NULL";
/// A failed send: free to try again.
pub const RELEASE: &str =
    "UPDATE notifications SET channel = NULL, sent_at = NULL, attempts = attempts + 1 WHERE id = ?";

/// Recipients with notifications waiting for their digest, and their company's time zone.
pub const DIGEST_USERS: &str =
    "SELECT DISTINCT n.user_id, n.company_id, c.timezone FROM notifications n \
     JOIN companies c ON c.id = n.company_id WHERE n.channel = 'digest' AND n.sent_at IS NULL";
/// Today's digest of one user, claimed once (`?1` user, `?2` company, `?3` local day, `?4` now).
pub const DIGEST_CLAIM: &str = "INSERT OR IGNORE INTO notifications (id, company_id, user_id, event, object_id, day, owner, data_json, created_at, channel, sent_at) \
     VALUES ('ntf_' || lower(hex(randomblob(10))), ?2, ?1, 'digest', 'digest', ?3, 0, '{}', ?4, 'digest', ?4)";
pub const DIGEST_UNCLAIM: &str =
    "DELETE FROM notifications WHERE user_id = ?1 AND event = 'digest' AND object_id = 'digest' AND day = ?2";
/// What one user's digest holds (put aside before `?2`), and who they are.
pub const DIGEST_ITEMS: &str = "SELECT n.id, n.event, n.data_json, n.created_at, u.email, u.language, u.full_name, u.active \
     FROM notifications n JOIN users u ON u.id = n.user_id \
     WHERE n.user_id = ?1 AND n.channel = 'digest' AND n.sent_at IS NULL AND n.created_at <= ?2 ORDER BY n.created_at LIMIT 200";
pub const DIGEST_SENT: &str =
    "UPDATE notifications SET sent_at = ?1 WHERE id IN (SELECT value FROM json_each(?2))";

pub const PREFS: &str = "SELECT event, choice FROM notification_prefs WHERE user_id = ?";
pub const PREF_UPSERT: &str = "INSERT INTO notification_prefs (user_id, company_id, event, choice, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (user_id, event) DO UPDATE SET choice = excluded.choice, updated_at = excluded.updated_at";
/// The user an unsubscribe link names, with their company (any state: the link works after a
/// deactivation too, and changes nothing then).
pub const USER_COMPANY: &str = "SELECT company_id, language FROM users WHERE id = ?";
