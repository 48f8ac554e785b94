//! How the simulated 1C decides a change: rules keyed by a text the change contains (a test's
//! company id) and optionally its type, so tests in parallel never disturb each other; then the
//! markers; then the global mode. A rule also sets how long 1C takes before its snapshots and how
//! it decides a return.

use serde_json::Value;

/// A change containing this text is always refused (with [`MARKED_REASON`]).
pub const REJECT_MARKER: &str = "ОТКЛОНИТЬ-1С";
/// A change containing this text is always accepted.
pub const ACCEPT_MARKER: &str = "ПРИНЯТЬ-1С";
pub const MARKED_REASON: &str = "Проверка в 1С не пройдена";

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The text a change must contain (empty: the global rule).
    pub matcher: String,
    /// Only changes of this type (`order.changed`), or all.
    pub kind: Option<String>,
    /// `accept`, `reject`, `receive`, `fail`, `hang`, `garbage`, `silent`.
    pub mode: String,
    pub reason: String,
    /// After `receive`: `accept` or `reject`, sent as an `answer` after `delay_ms`.
    pub then: String,
    pub delay_ms: u64,
    /// The wait before 1C's snapshots (none: the simulator's default).
    pub apply_delay_ms: Option<u64>,
    /// A return: `approve`, `partly` or `reject` (with `reason`).
    pub decision: Option<String>,
    /// False: accepted, but 1C never sends the snapshots (its exchange job is stuck).
    pub apply: bool,
}

/// Accept, and send the snapshots after the simulator's default delay.
impl Default for Rule {
    fn default() -> Rule {
        Rule {
            matcher: String::new(),
            kind: None,
            mode: "accept".into(),
            reason: "Отклонено менеджером".into(),
            then: "accept".into(),
            delay_ms: 2000,
            apply_delay_ms: None,
            decision: None,
            apply: true,
        }
    }
}

impl Rule {
    /// From the body of `/control/answer`.
    pub fn from_json(v: &Value) -> Rule {
        let s = |k: &str| v[k].as_str().map(str::to_string);
        Rule {
            matcher: s("match").unwrap_or_default(),
            kind: s("type").filter(|t| !t.is_empty()),
            mode: s("mode").unwrap_or_else(|| "accept".into()),
            reason: s("reason").unwrap_or_else(|| "Отклонено менеджером".into()),
            then: s("then").unwrap_or_else(|| "accept".into()),
            delay_ms: v["delay_ms"].as_u64().unwrap_or(2000),
            apply_delay_ms: v["apply_delay_ms"].as_u64(),
            decision: s("decision"),
            apply: v["apply"].as_bool().unwrap_or(true),
        }
    }

    fn applies(&self, text: &str, kind: &str) -> bool {
        text.contains(self.matcher.as_str()) && self.kind.as_deref().is_none_or(|k| k == kind)
    }
}

#[derive(Default)]
pub struct Rules {
    pub global: Rule,
    pub by_match: Vec<Rule>,
}

impl Rules {
    /// Sets a rule (replacing one with the same text and type), or clears it (`mode: clear`).
    pub fn set(&mut self, rule: Rule) {
        if rule.matcher.is_empty() {
            self.global = rule;
            return;
        }
        self.by_match
            .retain(|r| !(r.matcher == rule.matcher && r.kind == rule.kind));
        if rule.mode != "clear" {
            self.by_match.push(rule);
        }
    }

    /// The rule for a change (its body as text, its type); a typed rule wins over an untyped one.
    pub fn decide(&self, text: &str, kind: &str) -> Rule {
        let typed = self
            .by_match
            .iter()
            .find(|r| r.kind.is_some() && r.applies(text, kind));
        if let Some(r) = typed.or_else(|| self.by_match.iter().find(|r| r.applies(text, kind))) {
            return r.clone();
        }
        if text.contains(REJECT_MARKER) {
            return Rule {
                mode: "reject".into(),
                reason: MARKED_REASON.into(),
                ..self.global.clone()
            };
        }
        if text.contains(ACCEPT_MARKER) {
            return Rule {
                mode: "accept".into(),
                ..self.global.clone()
            };
        }
        self.global.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_typed_rule_wins_then_markers_then_the_global_mode() {
        let mut r = Rules::default();
        r.set(Rule::from_json(
            &json!({"match": "c-1", "mode": "reject", "reason": "нет"}),
        ));
        r.set(Rule::from_json(
            &json!({"match": "c-1", "type": "act.requested", "mode": "receive", "then": "reject"}),
        ));
        assert_eq!(r.decide("{c-1}", "order.changed").mode, "reject");
        assert_eq!(r.decide("{c-1}", "act.requested").mode, "receive");
        assert_eq!(
            r.decide(&format!("x {REJECT_MARKER}"), "order.changed")
                .reason,
            MARKED_REASON
        );
        assert_eq!(r.decide("other", "order.changed").mode, "accept");
        r.set(Rule::from_json(&json!({"match": "c-1", "mode": "clear"})));
        assert_eq!(r.decide("{c-1}", "order.changed").mode, "accept");
        r.set(Rule::from_json(&json!({"mode": "fail"})));
        assert_eq!(r.decide("other", "order.changed").mode, "fail");
    }
}
