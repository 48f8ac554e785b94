//! All SQL of the finance capability. Every query is scoped by the caller's company id.

/// The portal's own reserve moves 1C's figures do not include yet, for the agreement `a` of the
/// enclosing query: a + while the order is not in 1C's reserve list, a - while it still is, and a
/// raise of a credit order's total until 1C's next credit state after accepting it.
macro_rules! local_reserve {
    () => {
        "coalesce((SELECT sum(l.amount_kop) FROM local_credit_reserves l WHERE l.agreement_id = a.id AND (l.kind = 'raise' \
         OR (l.amount_kop > 0 AND NOT EXISTS (SELECT 1 FROM credit_reserve_orders r WHERE r.agreement_id = a.id AND r.order_onec_id = l.order_onec_id)) \
         OR (l.amount_kop < 0 AND EXISTS (SELECT 1 FROM credit_reserve_orders r WHERE r.agreement_id = a.id AND r.order_onec_id = l.order_onec_id)))), 0)"
    };
}

/// What is left of an agreement's credit (limit - debt - reserve, as [`CREDIT`] and
/// `credit::position` compute it) for `a` joined with its `cs`.
macro_rules! credit_left {
    () => {
        concat!(
            "(coalesce(cs.limit_kop, a.credit_limit_kop) - coalesce(cs.debt_kop, 0) - coalesce(cs.reserve_kop, 0) - ",
            $crate::finance::sql::local_reserve!(),
            ")"
        )
    };
}

/// An SQL condition: the agreement (first `?`) has at least the amount (second `?`) of credit
/// left. A guard for the statement that records a change taking credit, so parallel requests
/// cannot together take more than is available (D1 runs a batch as one transaction, one at a
/// time: the second sees the first's reserve).
macro_rules! credit_covers {
    () => {
        concat!(
            "EXISTS (SELECT 1 FROM agreements a LEFT JOIN credit_states cs ON cs.agreement_id = a.id WHERE a.id = ? AND ",
            $crate::finance::sql::credit_left!(),
            " >= ?)"
        )
    };
}

/// As `credit_covers`, and the agreement gives credit (a limit) that is not blocked: the rule of
/// a switch to credit (`orders::rules::credit_allows`).
macro_rules! credit_allows {
    () => {
        concat!(
            "EXISTS (SELECT 1 FROM agreements a LEFT JOIN credit_states cs ON cs.agreement_id = a.id WHERE a.id = ? \
               AND coalesce(cs.blocked, 0) = 0 AND coalesce(cs.limit_kop, a.credit_limit_kop) > 0 AND ",
            $crate::finance::sql::credit_left!(),
            " >= ?)"
        )
    };
}
pub(crate) use {credit_allows, credit_covers, credit_left, local_reserve};

/// Per active agreement: 1C's last figures and the portal's adjustments that 1C has not caught up
/// with (see migrations 0006, 0014).
pub const CREDIT: &str = concat!(
    "SELECT a.id, a.name, a.number, a.kind, le.name AS legal_entity, a.deferral_days, a.credit_limit_kop, \
       cs.limit_kop, cs.debt_kop, cs.overdue_kop, cs.reserve_kop, cs.blocked, cs.amount_to_pay_kop, cs.as_of, ",
    local_reserve!(),
    " AS local_reserve_kop \
     FROM agreements a LEFT JOIN legal_entities le ON le.id = a.legal_entity_id LEFT JOIN credit_states cs ON cs.agreement_id = a.id \
     WHERE a.company_id = ? AND a.active = 1 ORDER BY le.name IS NULL, le.name, a.name"
);

/// Reserves an order's amount on its agreement (an order switched to credit); a caller may
/// append ` WHERE <guard>` (with `?8`... parameters).
pub const RESERVE_ADD_SELECT: &str = "INSERT INTO local_credit_reserves (id, company_id, agreement_id, order_onec_id, amount_kop, change_id, created_at) \
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7";

/// Reserves the raise of a credit order's total (an edit); a caller appends ` WHERE <guard>`.
pub const RESERVE_RAISE_SELECT: &str = "INSERT INTO local_credit_reserves (id, company_id, agreement_id, order_onec_id, amount_kop, change_id, created_at, kind) \
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'raise'";

/// Releasing an order the portal reserved itself (1C never counted it): the reserve just goes.
/// (A raise stays until 1C's figures include it: the release takes the whole new total.)
pub const RESERVE_DROP_OWN: &str = "DELETE FROM local_credit_reserves WHERE agreement_id = ?1 AND order_onec_id = ?2 AND amount_kop > 0 AND kind = 'move'";

/// Releasing an order 1C's reserve covers: a negative adjustment until 1C's figures drop it.
pub const RESERVE_RELEASE: &str = "INSERT INTO local_credit_reserves (id, company_id, agreement_id, order_onec_id, amount_kop, change_id, created_at) \
     SELECT ?1, ?2, ?3, ?4, -?5, ?6, ?7 \
     WHERE EXISTS (SELECT 1 FROM credit_reserve_orders WHERE agreement_id = ?3 AND order_onec_id = ?4)";

/// Adjustments 1C's figures now include are deleted when its state arrives (they no longer
/// count anyway; this keeps the table small). A raise goes with the first state after 1C
/// accepted its change.
pub const RESERVES_SETTLED: &str = "DELETE FROM local_credit_reserves WHERE agreement_id = (SELECT id FROM agreements WHERE onec_id = ?1 AND company_id = ?2) AND ( \
       (kind = 'move' AND amount_kop > 0 AND order_onec_id IN (SELECT order_onec_id FROM credit_reserve_orders WHERE agreement_id = local_credit_reserves.agreement_id)) \
       OR (kind = 'move' AND amount_kop < 0 AND order_onec_id NOT IN (SELECT order_onec_id FROM credit_reserve_orders WHERE agreement_id = local_credit_reserves.agreement_id)) \
       OR (kind = 'raise' AND EXISTS (SELECT 1 FROM outbox x WHERE x.id = local_credit_reserves.change_id AND x.status = 'accepted')))";

/// Unpaid stages of the company's credit orders (all stages with `?2` = 1).
pub const SCHEDULE: &str = "SELECT o.id AS order_id, o.number, le.name AS legal_entity, a.name AS agreement, s.stage_no, s.due_date, s.amount_kop, s.paid_kop \
     FROM payment_schedule s JOIN orders o ON o.id = s.order_id \
       LEFT JOIN legal_entities le ON le.id = o.legal_entity_id LEFT JOIN agreements a ON a.id = s.agreement_id \
     WHERE s.company_id = ?1 AND (?2 = 1 OR s.paid_kop < s.amount_kop) \
     ORDER BY s.due_date, o.number, s.stage_no";

pub const ACCOUNT: &str = "SELECT coalesce((SELECT balance_kop FROM internal_accounts WHERE company_id = ?1), 0) AS balance_kop, \
       coalesce((SELECT sum(amount_kop) FROM account_holds WHERE company_id = ?1 AND status = 'held'), 0) AS held_kop";

pub const MOVEMENTS: &str = "SELECT m.onec_id AS id, m.at, m.kind, m.amount_kop, m.comment, o.id AS order_id, o.number AS order_number, \
       r.id AS return_id, r.number AS return_number, m.rowid AS seq \
     FROM account_movements m LEFT JOIN orders o ON o.onec_id = m.order_onec_id AND o.company_id = m.company_id \
       LEFT JOIN returns r ON r.onec_id = m.return_onec_id AND r.company_id = m.company_id \
     WHERE m.company_id = ?1 AND (?2 IS NULL OR m.at < ?2 OR (m.at = ?2 AND m.rowid < ?3)) \
     ORDER BY m.at DESC, m.rowid DESC LIMIT ?4";

pub const HOLDS: &str = "SELECT h.change_id, h.amount_kop, h.status, h.created_at, o.id AS order_id, o.number AS order_number \
     FROM account_holds h JOIN orders o ON o.id = h.order_id WHERE h.company_id = ? AND h.status = 'held' ORDER BY h.created_at";

pub const ORDER_FOR_PAYMENT: &str = "SELECT o.id, o.onec_id, o.number, o.status, o.total_kop, o.paid_kop, o.version, c.onec_id AS company_onec_id \
     FROM orders o JOIN companies c ON c.id = o.company_id WHERE o.id = ? AND o.company_id = ?";

/// Takes the hold only while the balance covers it with every other open hold: D1 runs a batch
/// as one transaction and writes one at a time, so parallel payments cannot overspend. One open
/// payment per order across holds and card payments (see `orders::sql::CARD_INSERT`), and only
/// while what is paid plus this payment stays within the order's total.
pub const HOLD_TAKE: &str = "INSERT INTO account_holds (change_id, company_id, order_id, amount_kop, status, created_by, created_at, updated_at) \
     SELECT ?1, ?2, ?3, ?4, 'held', ?5, ?6, ?6 \
     WHERE coalesce((SELECT balance_kop FROM internal_accounts WHERE company_id = ?2), 0) \
         - coalesce((SELECT sum(amount_kop) FROM account_holds WHERE company_id = ?2 AND status = 'held'), 0) >= ?4 \
       AND NOT EXISTS (SELECT 1 FROM account_holds WHERE order_id = ?3 AND status = 'held') \
       AND NOT EXISTS (SELECT 1 FROM card_payments WHERE order_id = ?3 AND status IN ('creating', 'pending')) \
       AND NOT EXISTS (SELECT 1 FROM outbox WHERE entity_type = 'order' AND entity_id = ?3 AND type = 'order.cancelled' AND status NOT IN ('rejected', 'failed') AND applied_at IS NULL) \
       AND EXISTS (SELECT 1 FROM orders WHERE id = ?3 AND company_id = ?2 AND status <> 'cancelled' AND paid_kop + ?4 <= total_kop)";

/// Is a hold of the order open (a payment from the account waits for 1C)?
pub const HOLD_OPEN_OF_ORDER: &str =
    "SELECT change_id FROM account_holds WHERE order_id = ? AND company_id = ? AND status = 'held'";

pub const HOLD_EXISTS: &str = "EXISTS (SELECT 1 FROM account_holds WHERE change_id = ?)";

/// 1C refused the payment: the money is free again.
pub const HOLD_RELEASE: &str = "UPDATE account_holds SET status = 'released', updated_at = ? WHERE change_id = ? AND status = 'held'";

/// 1C posted the movement that pays an order from a portal hold: the order counts the payment at
/// once, as a card payment does (`orders::sql::ORDER_PAID_BY_CARD`), so no second payment can be
/// opened before 1C's next order snapshot brings its own figure. Runs before `HOLD_SETTLE`, only
/// while the hold is still open (a repeated movement adds nothing); capped at the total.
pub const ORDER_PAID_BY_HOLD: &str = "UPDATE orders SET paid_kop = min(total_kop, paid_kop + h.amount_kop), \
       status = CASE WHEN orders.status IN ('draft', 'awaiting_payment', 'reserved') AND paid_kop + h.amount_kop >= total_kop THEN 'paid' ELSE orders.status END, \
       updated_at = ?1 \
     FROM account_holds h WHERE h.change_id = ?2 AND h.status = 'held' AND orders.id = h.order_id";

/// 1C posted the movement that pays the order: the hold turns into the movement.
pub const HOLD_SETTLE: &str = "UPDATE account_holds SET status = 'settled', updated_at = ? WHERE change_id = ? AND status = 'held'";

/// Orders that can still be paid (not cancelled, something unpaid, no open payment of either kind),
/// newest first.
pub const PAYABLE_ORDERS: &str = "SELECT o.id, o.number, o.ordered_at, o.total_kop - o.paid_kop AS due_kop FROM orders o \
     WHERE o.company_id = ? AND o.status <> 'cancelled' AND o.paid_kop < o.total_kop \
       AND NOT EXISTS (SELECT 1 FROM account_holds h WHERE h.order_id = o.id AND h.status = 'held') \
       AND NOT EXISTS (SELECT 1 FROM card_payments cp WHERE cp.order_id = o.id AND cp.status IN ('creating', 'pending')) \
     ORDER BY o.ordered_at DESC LIMIT 100";

/// 1C refused the change that moved these reserves: they are undone.
pub const RESERVES_OF_CHANGE_UNDO: &str = "DELETE FROM local_credit_reserves WHERE change_id = ?";
