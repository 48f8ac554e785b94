//! Prints every route of every capability as JSON, taken from the routers' own tables: the
//! authorisation-matrix test walks this list.

fn main() {
    println!(
        "{}",
        serde_json::to_string_pretty(&shared::routes::all()).expect("routes serialise")
    );
}
