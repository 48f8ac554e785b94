//! The native tests of the portal's capabilities in one test crate (one binary to link, not one
//! per file): each module is one area, run through the same handlers the Workers call, on real
//! SQLite with the real migrations (`shared::testing`); `helpers` holds what they share.
//!
//! `cargo test -p shared --test flows` runs them all, `... --test flows orders::` one area.

mod helpers;

mod agreements;
mod basics;
mod capabilities;
mod card;
mod change_states;
mod cml_catalogue_faithful;
mod cml_deactivate;
mod cml_exchange;
mod cml_images;
mod cml_orders;
mod cml_protocol;
mod cml_sale;
mod cml_sale_zip;
mod cml_sliced;
mod commerceml;
mod company;
mod d1_faults;
mod documents;
mod documents_ut11;
mod finance;
mod fuzz_regressions;
mod inbound_types;
mod order_list_plans;
mod orders;
mod outbound;
mod outbound_schemas;
mod personal_data;
mod resync;
mod returns;
mod security_input;
mod security_links;
mod security_money;
mod security_sessions;
mod security_sessions_flow;
mod signature_v2;
