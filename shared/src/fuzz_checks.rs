//! What must hold for any input, checked by the fuzz targets (`fuzz/`, `bash scripts/fuzz.sh`) on
//! generated inputs and by `shared/tests/flows/fuzz_regressions.rs` on every input fuzzing ever
//! found failing (`fuzz/regressions/`). A check panics when a property breaks.

use crate::commerceml::{self, Checkpoint, CmlError, Offer, Product};
use crate::testing::TestPorts;

/// Any bytes as a CommerceML file: the summary and the whole reads end in a value or an error,
/// never a panic, and a sliced read (as the queue consumer imports large files, in windows with
/// checkpoints) hands out exactly what the whole read does, and fails where it fails.
pub fn commerceml(data: &[u8]) {
    let _ = commerceml::inspect(data);
    // The window and the goods per slice come from the input, so fuzzing varies them too.
    let window = 64 + usize::from(data.first().copied().unwrap_or(0)) * 16;
    let max_items = 1 + u64::from(data.last().copied().unwrap_or(0) % 4);

    let one_window = window >= data.len();
    let mut whole = Vec::new();
    let whole_products = commerceml::for_each_product(data, push(&mut whole)).map(|_| whole);
    let sliced_products = read_sliced(data, window, |w, at_end, from, out: &mut Vec<Product>| {
        commerceml::products_slice(w, at_end, from, max_items, push(out))
    });
    agree("products", &whole_products, &sliced_products, one_window);

    let mut whole = Vec::new();
    let whole_offers = commerceml::for_each_offer(data, push(&mut whole)).map(|_| whole);
    let sliced_offers = read_sliced(data, window, |w, at_end, from, out: &mut Vec<Offer>| {
        commerceml::offers_slice(w, at_end, from, max_items, push(out))
    });
    agree("offers", &whole_offers, &sliced_offers, one_window);
}

/// A reader's callback that keeps what it is handed.
fn push<T>(out: &mut Vec<T>) -> impl FnMut(T) -> Result<(), CmlError> + '_ {
    move |x| {
        out.push(x);
        Ok(())
    }
}

/// Reads `data` slice by slice, each from the previous checkpoint, as the import does.
fn read_sliced<T>(
    data: &[u8],
    window: usize,
    mut read: impl FnMut(
        &[u8],
        bool,
        Option<&Checkpoint>,
        &mut Vec<T>,
    ) -> Result<commerceml::Slice, CmlError>,
) -> Result<Vec<T>, CmlError> {
    let mut out = Vec::new();
    let mut from: Option<Checkpoint> = None;
    // Every slice moves on by at least a byte, so this many slices always suffice.
    for _ in 0..=data.len() + 1 {
        let start = from.as_ref().map_or(0, |c| c.offset as usize);
        assert!(start <= data.len(), "checkpoint {start} past the end");
        let end = (start + window).min(data.len());
        let slice = read(
            &data[start..end],
            end == data.len(),
            from.as_ref(),
            &mut out,
        )?;
        match slice.next {
            None => return Ok(out),
            Some(next) => {
                assert!(
                    next.offset as usize > start,
                    "a slice must move on: {start} -> {}",
                    next.offset
                );
                from = Some(next);
            }
        }
    }
    panic!("the sliced read did not finish");
}

fn agree<T: PartialEq + std::fmt::Debug>(
    what: &str,
    whole: &Result<Vec<T>, CmlError>,
    sliced: &Result<Vec<T>, CmlError>,
    one_window: bool,
) {
    match (whole, sliced) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "sliced {what} differ from the whole read"),
        (Err(e), Ok(_)) => {
            panic!("the whole read of {what} fails ({e}) but the sliced one does not")
        }
        // A window smaller than one element cannot be read in slices: the import says so.
        (Ok(_), Err(e)) if one_window => {
            panic!("{what}: the file reads whole but not in one window: {e}")
        }
        _ => {}
    }
}

/// Any bytes as the body of 1C's signed `POST /exchange/v1/messages`, then the queue consumer on
/// what was stored: the answer is JSON with a status below 500 and no database text, and the
/// consumer never fails (a failing consumer would retry the batch forever).
pub fn inbound_batch(data: &[u8]) {
    let p = TestPorts::new();
    let req = p.signed(
        "POST",
        "/exchange/v1/messages",
        "application/json",
        data.to_vec(),
    );
    let resp = futures::executor::block_on(crate::exchange::api::handle(&p, req));
    let body = String::from_utf8_lossy(&resp.body);
    assert!(resp.status < 500, "status {}: {body}", resp.status);
    assert!(
        serde_json::from_slice::<serde_json::Value>(&resp.body).is_ok(),
        "the answer is not JSON: {body}"
    );
    assert!(
        !body.to_lowercase().contains("sqlite"),
        "database text in the answer: {body}"
    );
    let woken: Vec<Vec<String>> = p.queue.0.borrow_mut().drain(..).collect();
    for ids in woken {
        if let Err(e) = futures::executor::block_on(crate::exchange::inbox::process(&p, &ids)) {
            panic!("the consumer failed on stored input: {e:?}");
        }
    }
}
