//! A stable sort that links std's sort once per Worker, not once per element type.
//!
//! Each `sort_by`/`sort_by_key` on a new element type instantiates a copy of std's stable sort
//! (driftsort, ~3.5 KB of wasm each; the orders Worker had six, issue 23). [`sort_by`] sorts a
//! list of indices with one small, non-generic merge sort and then moves the elements into
//! that order: the same result as `v.sort_by(cmp)` (stable: equal elements keep their order).

use std::cmp::Ordering;

/// Equals `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut order, &|a, b| cmp(&v[a], &v[b]));
    let mut taken: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

/// Equals `v.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)))
}

/// A bottom-up merge sort (stable: on a tie the left run's element goes first), written out:
/// std's sort, even instantiated once, is ~4 KB of wasm, more than a Worker with one sort saves.
#[inline(never)]
fn sort_indices(order: &mut Vec<usize>, cmp: &dyn Fn(usize, usize) -> Ordering) {
    let n = order.len();
    let mut buf = vec![0usize; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut a, mut b, mut k) = (start, mid, start);
            while a < mid && b < end {
                if cmp(order[b], order[a]) == Ordering::Less {
                    buf[k] = order[b];
                    b += 1;
                } else {
                    buf[k] = order[a];
                    a += 1;
                }
                k += 1;
            }
            buf[k..k + (mid - a)].copy_from_slice(&order[a..mid]);
            k += mid - a;
            buf[k..k + (end - b)].copy_from_slice(&order[b..end]);
            start = end;
        }
        std::mem::swap(order, &mut buf);
        width *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_std_stable_sort() {
        // Pseudo-random pairs with many equal keys: stability shows in the second field.
        let mut seed = 12345u64;
        for len in [
            0usize, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 20, 33, 100, 1000, 1025,
        ] {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 59) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std = v.clone();
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std);
            let mut ours = v.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut std = v;
            std.sort_by(|a, b| b.0.cmp(&a.0));
            assert_eq!(ours, std);
        }
    }
}
