//! Session signing keys for operations:
//!   portal-keys new KID          a new SESSION_SIGNING_KEY (`KID:base64(32-byte seed)`)
//!   portal-keys public KID:SEED  its public part, for SESSION_VERIFY_KEYS during a rotation

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("new"), Some(kid)) => {
            let mut seed = [0u8; 32];
            shared::ids::random_bytes(&mut seed);
            println!("{kid}:{}", B64.encode(seed));
        }
        (Some("public"), Some(key)) => match public(key) {
            Some(p) => println!("{p}"),
            None => {
                eprintln!("portal-keys: expected KID:base64(32-byte seed)");
                std::process::exit(1);
            }
        },
        _ => {
            eprintln!("usage: portal-keys new KID | portal-keys public KID:SEED");
            std::process::exit(2);
        }
    }
}

fn public(key: &str) -> Option<String> {
    let (kid, b64) = key.trim().split_once(':')?;
    let seed: [u8; 32] = B64.decode(b64).ok()?.try_into().ok()?;
    let pair = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed));
    Some(format!("{kid}:{}", B64.encode(pair.pk.as_ref())))
}
