//! The frame around applying one inbound message: the reads every plan may need, done once per
//! batch (`ApplyContext`), and the decision for each message (apply these statements, wait for
//! something not received yet, or refuse). The statements themselves are the message type's own,
//! in `messages::<type>`.

use super::contract::Valid;
use super::messages::{self, answer::AnswerIn, common::file_blob_key};
use super::sql;
use crate::error::AppResult;
use crate::ports::{BlobStore, DatabaseExt, Ports, Stmt};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// What to do with a message that passed the sequence rule.
pub enum Decision {
    Apply(Vec<Stmt>, Vec<String>),
    Wait(String),
    Reject(String),
}

/// Why a plan stops: the message waits for another one, or is refused.
pub enum Hold {
    Wait(String),
    Reject(String),
}

/// What a message type's plan gets and fills.
pub struct Apply<'a, P> {
    pub p: &'a P,
    pub ctx: &'a ApplyContext,
    pub v: &'a Valid,
    pub now: DateTime<Utc>,
    /// The statements to run, in order, in the batch's transaction.
    pub stmts: Vec<Stmt>,
    /// Mails to deliver once the statements are committed.
    pub mails: Vec<String>,
}

/// The statements that apply one message (all guarded by the sequence rule done before).
pub fn plan<P: Ports>(p: &P, ctx: &ApplyContext, v: &Valid, now: DateTime<Utc>) -> Decision {
    if let Some(reason) = ctx.owners.foreign_reference(v) {
        return Decision::Reject(reason);
    }
    let mut a = Apply {
        p,
        ctx,
        v,
        now,
        stmts: vec![seq_advance(v)],
        mails: Vec::new(),
    };
    match messages::plan(&v.payload, &mut a) {
        Ok(()) => {
            // Who is told what (issue 22), in the same batch: some compare with the stored state.
            let (before, after) = super::notices::statements(v, now);
            a.stmts.splice(0..0, before);
            a.stmts.extend(after);
            // After the snapshot's own statements: the portal changes it results from are applied.
            if let Some((company, ids)) = v.payload.inbound().change_ids(v) {
                if !ids.is_empty() {
                    a.stmts
                        .push(crate::changes::applied_stmt(company, ids, now));
                    a.stmts
                        .push(crate::notify::record::changes_applied(company, ids, now));
                }
            }
            Decision::Apply(a.stmts, a.mails)
        }
        Err(Hold::Wait(reason)) => Decision::Wait(reason),
        Err(Hold::Reject(reason)) => Decision::Reject(reason),
    }
}

fn seq_advance(v: &Valid) -> Stmt {
    Stmt::new(sql::SEQ_ADVANCE)
        .bind(v.kind.as_str())
        .bind(v.entity_id.as_str())
        .bind(v.seq)
        .bind(v.payload.inbound().company(v).map(str::to_string))
}

#[derive(Deserialize)]
struct CompanyRow {
    id: String,
    onec_id: String,
}

/// A user as stored, before a `user` message changes them.
#[derive(Deserialize, Clone)]
pub struct ExistingUser {
    pub id: String,
    pub onec_id: String,
    pub company_id: String,
    pub active: i64,
    pub email: String,
    pub full_name: String,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub has_password: i64,
    pub roles: Option<String>,
}

/// What the messages of one batch refer to, collected by each type's `needs`.
#[derive(Default)]
pub struct Needs<'a> {
    pub company_ids: Vec<&'a str>,
    pub user_ids: Vec<&'a str>,
    pub agreement_ids: Vec<&'a str>,
    pub order_ids: Vec<&'a str>,
    pub companies_in_batch: HashSet<String>,
    pub orders_in_batch: HashSet<String>,
    pub file_keys: Vec<&'a str>,
    /// `{"portal": .., "onec": ..}` pairs of users the portal created.
    pub portal_users: Vec<serde_json::Value>,
    pub answers: Vec<&'a AnswerIn>,
}

pub struct ApplyContext {
    /// 1C company id -> portal id, for companies already stored.
    pub companies: HashMap<String, String>,
    /// 1C company ids applied in this same batch (ahead of their users).
    pub companies_in_batch: HashSet<String>,
    pub users: HashMap<String, ExistingUser>,
    /// 1C ids of users the portal created, to be linked to their portal record first.
    pub to_link: HashSet<String>,
    /// (1C agreement id, 1C company id) rows already stored, with whether the agreement is
    /// typical (a credit state needs its company's row of the agreement).
    pub agreements: HashMap<(String, String), bool>,
    /// 1C order ids stored, or applied earlier in this batch (a schedule needs its order).
    pub orders: HashSet<String>,
    /// Keys of files 1C uploaded, among those the batch's documents and acts refer to.
    pub files: HashSet<String>,
    /// What recording each `answer` message takes (None: no such portal change).
    pub answers: HashMap<String, Option<Vec<Stmt>>>,
    /// The company of every entity the messages name, so none ties two companies together.
    pub owners: super::ownership::Owners,
}

impl ApplyContext {
    /// The portal id of a company, or why the message must wait for it.
    pub fn company(&self, onec_id: &str) -> Result<String, String> {
        match self.companies.get(onec_id) {
            Some(id) => Ok(id.clone()),
            None if self.companies_in_batch.contains(onec_id) => Err(format!(
                "company {onec_id} is applied in this batch; retried next"
            )),
            None => Err(format!("company {onec_id} not received yet")),
        }
    }

    /// Same, as a plan's stop: the message waits for its company.
    pub fn company_or_wait(&self, onec_id: &str) -> Result<String, Hold> {
        self.company(onec_id).map_err(Hold::Wait)
    }

    pub async fn load<P: Ports>(p: &P, msgs: &[Valid]) -> AppResult<ApplyContext> {
        let mut n = Needs::default();
        for v in msgs {
            v.payload.inbound().needs(v, &mut n);
        }
        let Needs {
            company_ids,
            user_ids,
            agreement_ids,
            order_ids,
            companies_in_batch,
            orders_in_batch,
            file_keys,
            portal_users,
            answers: answer_msgs,
        } = n;
        let mut answers = HashMap::new();
        for a in answer_msgs {
            answers.insert(a.change_id.clone(), a.lookup(p).await?);
        }
        // A document may arrive before its files finish uploading: it waits for them.
        let mut files = HashSet::new();
        for key in file_keys {
            if p.blobs().size(&file_blob_key(key)).await?.is_some() {
                files.insert(key.to_string());
            }
        }
        #[derive(Deserialize)]
        struct OnecId {
            onec_id: String,
        }
        #[derive(Deserialize)]
        struct AgreementRow {
            onec_id: String,
            company: String,
            typical: i64,
        }
        let mut agreements = HashMap::new();
        if !agreement_ids.is_empty() {
            let rows: Vec<AgreementRow> = p
                .db()
                .all(
                    Stmt::new(sql::AGREEMENTS_BY_ONEC).bind(serde_json::to_string(&agreement_ids)?),
                )
                .await?;
            agreements = rows
                .into_iter()
                .map(|r| ((r.onec_id, r.company), r.typical == 1))
                .collect();
        }
        let mut orders = orders_in_batch;
        if !order_ids.is_empty() {
            let rows: Vec<OnecId> = p
                .db()
                .all(Stmt::new(sql::ORDERS_BY_ONEC).bind(serde_json::to_string(&order_ids)?))
                .await?;
            orders.extend(rows.into_iter().map(|r| r.onec_id));
        }
        let mut companies = HashMap::new();
        if !company_ids.is_empty() {
            let rows: Vec<CompanyRow> = p
                .db()
                .all(Stmt::new(sql::COMPANIES_BY_ONEC).bind(serde_json::to_string(&company_ids)?))
                .await?;
            companies = rows.into_iter().map(|r| (r.onec_id, r.id)).collect();
        }
        let mut users = HashMap::new();
        if !user_ids.is_empty() {
            let rows: Vec<ExistingUser> = p
                .db()
                .all(Stmt::new(sql::USERS_BY_ONEC).bind(serde_json::to_string(&user_ids)?))
                .await?;
            users = rows.into_iter().map(|r| (r.onec_id.clone(), r)).collect();
        }
        let mut to_link = HashSet::new();
        if !portal_users.is_empty() {
            let rows: Vec<ExistingUser> = p
                .db()
                .all(Stmt::new(sql::USERS_BY_PORTAL_ID).bind(serde_json::to_string(&portal_users)?))
                .await?;
            for r in rows {
                if !users.contains_key(&r.onec_id) {
                    to_link.insert(r.onec_id.clone());
                    users.insert(r.onec_id.clone(), r);
                }
            }
        }
        let owners = super::ownership::Owners::load(p, msgs).await?;
        Ok(ApplyContext {
            owners,
            companies,
            companies_in_batch,
            users,
            to_link,
            agreements,
            orders,
            files,
            answers,
        })
    }
}
