//! The two sorts behind a geo search's ASC/DESC, reproduced step for step
//! because their handling of ties (equal distances) shows in the reply:
//! Redis sorts the whole result with the C library's `qsort`, which on
//! glibc is a top-down merge sort, and sorts only the first COUNT results
//! with its own partial quicksort (Bentley and McIlroy's, which leaves a
//! partition unsorted once it lies wholly outside the wanted ranks; the
//! copy in Redis 7.0 has no switch to insertion sort for presorted input).

use std::cmp::Ordering;

/// glibc's `qsort`: stable top-down merge sort, halves of `n / 2` and the
/// rest, the left element winning unless it compares greater.
pub fn merge_sort<T: Clone>(items: &mut [T], cmp: &impl Fn(&T, &T) -> Ordering) {
    if items.len() <= 1 {
        return;
    }
    let len = items.len();
    let (left, right) = items.split_at_mut(len / 2);
    merge_sort(left, cmp);
    merge_sort(right, cmp);
    let mut merged = Vec::with_capacity(len);
    let (mut i, mut j) = (0, 0);
    while let (Some(a), Some(b)) = (left.get(i), right.get(j)) {
        if cmp(a, b) == Ordering::Greater {
            merged.push(b.clone());
            j += 1;
        } else {
            merged.push(a.clone());
            i += 1;
        }
    }
    merged.extend_from_slice(left.get(i..).unwrap_or_default());
    merged.extend_from_slice(right.get(j..).unwrap_or_default());
    items.clone_from_slice(&merged);
}

/// Redis's `pqsort`: sorts enough of `items` that positions `lo..=hi` hold
/// what a full sort would put there (ties aside), in the same element moves.
/// Redis recurses into the lower partition and loops on the upper one; the
/// partitions are disjoint, so working through a list of pending ranges
/// instead moves the same elements without a deep call stack.
pub fn partial_sort<T>(items: &mut [T], cmp: &impl Fn(&T, &T) -> Ordering, lo: usize, hi: usize) {
    let at = |items: &[T], i: usize, j: usize| match (items.get(i), items.get(j)) {
        (Some(a), Some(b)) => cmp(a, b),
        _ => Ordering::Equal,
    };
    // Whether `[start, start + len)` holds any wanted position.
    let touches = |start: usize, len: usize| !(hi < start || lo >= start + len);
    let mut pending = vec![(0, items.len())];
    while let Some((base, n)) = pending.pop() {
        if n < 7 {
            insertion_sort(items, base, n, &at);
            continue;
        }
        let median = |items: &[T], a: usize, b: usize, c: usize| {
            if at(items, a, b) == Ordering::Less {
                if at(items, b, c) == Ordering::Less {
                    b
                } else if at(items, a, c) == Ordering::Less {
                    c
                } else {
                    a
                }
            } else if at(items, b, c) == Ordering::Greater {
                b
            } else if at(items, a, c) == Ordering::Less {
                a
            } else {
                c
            }
        };
        let mut pivot = base + n / 2;
        if n > 7 {
            let mut first = base;
            let mut last = base + n - 1;
            if n > 40 {
                let d = n / 8;
                first = median(items, first, first + d, first + 2 * d);
                pivot = median(items, pivot - d, pivot, pivot + d);
                last = median(items, last - 2 * d, last - d, last);
            }
            pivot = median(items, first, pivot, last);
        }
        items.swap(base, pivot);
        // Bentley-McIlroy three-way partition around items[base]: equal
        // elements gather at both ends, then move to the middle.
        let (mut eq_low, mut low) = (base + 1, base + 1);
        let (mut high, mut eq_high) = (base + n - 1, base + n - 1);
        loop {
            while low <= high {
                let order = at(items, low, base);
                if order == Ordering::Greater {
                    break;
                }
                if order == Ordering::Equal {
                    items.swap(eq_low, low);
                    eq_low += 1;
                }
                low += 1;
            }
            while low <= high {
                let order = at(items, high, base);
                if order == Ordering::Less {
                    break;
                }
                if order == Ordering::Equal {
                    items.swap(high, eq_high);
                    eq_high -= 1;
                }
                high -= 1;
            }
            if low > high {
                break;
            }
            items.swap(low, high);
            low += 1;
            high -= 1;
        }
        let end = base + n;
        let r = (eq_low - base).min(low - eq_low);
        swap_runs(items, base, low - r, r);
        let r = (eq_high - high).min(end - eq_high - 1);
        swap_runs(items, low, end - r, r);
        let (smaller, larger) = (low - eq_low, eq_high - high);
        if larger > 1 && touches(end - larger, larger) {
            pending.push((end - larger, larger));
        }
        if smaller > 1 && touches(base, smaller) {
            pending.push((base, smaller));
        }
    }
}

fn insertion_sort<T>(
    items: &mut [T],
    base: usize,
    n: usize,
    at: &impl Fn(&[T], usize, usize) -> Ordering,
) {
    for i in base + 1..base + n {
        let mut j = i;
        while j > base && at(items, j - 1, j) == Ordering::Greater {
            items.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Swaps `items[a..a + n]` with `items[b..b + n]`, pair by pair.
fn swap_runs<T>(items: &mut [T], a: usize, b: usize, n: usize) {
    for k in 0..n {
        items.swap(a + k, b + k);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn by_key(a: &(u32, u32), b: &(u32, u32)) -> Ordering {
        a.0.cmp(&b.0)
    }

    #[test]
    fn merge_sort_is_stable() {
        let mut v: Vec<(u32, u32)> = (0..100).map(|i| ((i * 7919) % 13, i)).collect();
        let mut want = v.clone();
        want.sort_by(by_key);
        merge_sort(&mut v, &by_key);
        assert_eq!(v, want);
    }

    #[test]
    fn partial_sort_places_the_wanted_ranks() {
        for n in [0usize, 1, 5, 7, 8, 40, 41, 200] {
            for count in [1usize, 3, 10] {
                if count > n {
                    continue;
                }
                let mut v: Vec<(u32, u32)> = (0..n as u32)
                    .map(|i| (i.wrapping_mul(2_654_435_761) % 1000, i))
                    .collect();
                let mut want = v.clone();
                want.sort_by(by_key);
                partial_sort(&mut v, &by_key, 0, count - 1);
                let got: Vec<u32> = v.iter().take(count).map(|p| p.0).collect();
                let expected: Vec<u32> = want.iter().take(count).map(|p| p.0).collect();
                assert_eq!(got, expected, "n={n} count={count}");
            }
        }
    }
}
