//! HyperLogLog sketches kept, like Redis keeps them, inside plain string
//! values: the bytes are Redis 7.0's own layout, so GET shows what Redis
//! would store and bytes copied from a real server count the same here.
//!
//! Layout: a 16-byte header (`HYLL`, an encoding byte, three spare bytes,
//! then the last cardinality as a little-endian u64 whose top bit marks it
//! stale) followed by 16384 registers, either *dense* (6 bits each, packed
//! from the low bit of each byte up) or *sparse* (run-length opcodes: ZERO
//! `00llllll`, XZERO `01llllll llllllll`, VAL `1vvvvvll`, lengths and values
//! stored minus one). Sparse sketches turn dense when a register needs more
//! than 5 bits or when an edit would grow them past `hll-sparse-max-bytes`.
//!
//! Values can be anything a client SET, so every read is bounds-checked and
//! a byte past the end reads as zero (Redis reads the terminating NUL there).

use std::fmt::Write as _;

/// Bits of the hash that pick a register.
const P: u32 = 14;
/// Bits left for the run of zeros (the largest count is `Q + 1`).
const Q: usize = 64 - P as usize;
/// Number of registers.
pub const REGISTERS: usize = 1 << P;
const REGISTER_MASK: u64 = (1 << P) - 1;
const REGISTER_BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << REGISTER_BITS) - 1;
const HEADER_LEN: usize = 16;
/// Exact length of a dense value.
pub const DENSE_LEN: usize = HEADER_LEN + REGISTERS * REGISTER_BITS / 8;
const MAGIC: &[u8] = b"HYLL";
const ENCODING_AT: usize = 4;
const DENSE: u8 = 0;
const SPARSE: u8 = 1;
const CARD_AT: usize = 8;
/// The byte holding the cache's "stale" flag (its top bit).
const STALE_AT: usize = 15;
const STALE_BIT: u8 = 0x80;
/// Redis's MurmurHash64A seed for HyperLogLog elements.
const SEED: u64 = 0xadc8_3b19;
/// The estimator's constant, 1 / (2 ln 2).
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;
const ZERO_MAX_LEN: usize = 64;
/// How many opcodes after an edit are examined for VAL runs to join.
const JOIN_SCAN: usize = 5;

/// How the registers are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Dense,
    Sparse,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Dense => "dense",
            Encoding::Sparse => "sparse",
        }
    }
}

/// Why a value cannot be used as a sketch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HllError {
    /// Not a HyperLogLog at all (wrong magic, encoding byte or dense size).
    NotHll,
    /// Looks like one, but the registers do not add up.
    Corrupt,
}

/// Redis's first-line check of a string value (`isHLLObjectOrReply`).
pub fn check(bytes: &[u8]) -> Result<Encoding, HllError> {
    if bytes.len() < HEADER_LEN || !bytes.starts_with(MAGIC) {
        return Err(HllError::NotHll);
    }
    match bytes.get(ENCODING_AT) {
        Some(&DENSE) if bytes.len() == DENSE_LEN => Ok(Encoding::Dense),
        Some(&SPARSE) => Ok(Encoding::Sparse),
        _ => Err(HllError::NotHll),
    }
}

/// A new, empty sketch: sparse, one XZERO run over every register, and a
/// valid cached cardinality of zero.
pub fn empty() -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LEN + 2);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&[SPARSE, 0, 0, 0]);
    bytes.extend_from_slice(&[0; 8]);
    Op::XZero(REGISTERS).encode(&mut bytes);
    bytes
}

/// The cached cardinality, unless it is marked stale.
pub fn cached_count(bytes: &[u8]) -> Option<u64> {
    let card: [u8; 8] = bytes.get(CARD_AT..HEADER_LEN)?.try_into().ok()?;
    let n = u64::from_le_bytes(card);
    (n >> 63 == 0).then_some(n)
}

pub fn store_count(bytes: &mut [u8], n: u64) {
    if let Some(card) = bytes.get_mut(CARD_AT..HEADER_LEN) {
        card.copy_from_slice(&n.to_le_bytes());
    }
}

/// Marks the cached cardinality stale (registers changed).
pub fn invalidate(bytes: &mut [u8]) {
    if let Some(b) = bytes.get_mut(STALE_AT) {
        *b |= STALE_BIT;
    }
}

/// MurmurHash64A, read little-endian on every platform as Redis does.
pub fn murmur64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
    let mut h = seed ^ len.wrapping_mul(M);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut word = [0u8; 8];
        word.copy_from_slice(block);
        let mut k = u64::from_le_bytes(word).wrapping_mul(M);
        k ^= k >> R;
        h ^= k.wrapping_mul(M);
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^ (h >> R)
}

/// The register an element lands in and the value it offers: one more than
/// the number of zero bits above the index bits (the top bit forced on so
/// the count never exceeds `Q + 1`).
fn pattern(element: &[u8]) -> (usize, u8) {
    let hash = murmur64a(element, SEED);
    let index = usize::try_from(hash & REGISTER_MASK).unwrap_or(0);
    let rest = (hash >> P) | (1 << Q);
    // trailing_zeros of `rest` is at most Q = 50, so it fits a u8.
    let count = u8::try_from(rest.trailing_zeros() + 1).unwrap_or(REGISTER_MAX);
    (index, count)
}

/// Adds an element; true if a register grew. A sparse sketch may turn dense.
pub fn add(bytes: &mut Vec<u8>, element: &[u8], sparse_max: usize) -> Result<bool, HllError> {
    let (index, count) = pattern(element);
    set_register(bytes, index, count, sparse_max)
}

/// Raises register `index` to `count` if it is lower, in whichever encoding
/// the value has; true if it changed.
fn set_register(
    bytes: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, HllError> {
    match bytes.get(ENCODING_AT) {
        Some(&DENSE) => Ok(dense_raise(bytes, index, count)),
        Some(&SPARSE) => sparse_raise(bytes, index, count, sparse_max),
        _ => Err(HllError::Corrupt),
    }
}

// ---------------------------------------------------------------- dense

/// Byte offset and bit shift of a dense register.
fn dense_slot(index: usize) -> (usize, usize) {
    let bit = index * REGISTER_BITS;
    (HEADER_LEN + bit / 8, bit % 8)
}

fn dense_get(bytes: &[u8], index: usize) -> u8 {
    let (at, shift) = dense_slot(index);
    let lo = u16::from(bytes.get(at).copied().unwrap_or(0));
    let hi = u16::from(bytes.get(at + 1).copied().unwrap_or(0));
    let both = lo | (hi << 8);
    // Masked to 6 bits, so the cast cannot lose anything.
    ((both >> shift) & u16::from(REGISTER_MAX)) as u8
}

fn dense_put(bytes: &mut [u8], index: usize, value: u8) {
    let (at, shift) = dense_slot(index);
    let mask = u16::from(REGISTER_MAX) << shift;
    let bits = u16::from(value & REGISTER_MAX) << shift;
    // The register may straddle two bytes; each byte takes its half.
    for (offset, byte_mask, byte_bits) in [(0, mask & 0xff, bits & 0xff), (1, mask >> 8, bits >> 8)]
    {
        if let Some(b) = bytes.get_mut(at + offset) {
            let keep = u16::from(*b) & !byte_mask;
            *b = u8::try_from(keep | byte_bits).unwrap_or(*b);
        }
    }
}

fn dense_raise(bytes: &mut [u8], index: usize, count: u8) -> bool {
    if count > dense_get(bytes, index) {
        dense_put(bytes, index, count);
        true
    } else {
        false
    }
}

// --------------------------------------------------------------- sparse

/// One sparse opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// 1..=64 zero registers, one byte.
    Zero(usize),
    /// 1..=16384 zero registers, two bytes.
    XZero(usize),
    /// 1..=4 registers holding `value` (1..=32), one byte.
    Val { value: u8, len: usize },
}

impl Op {
    /// The opcode starting at `at`, or None at the end. A missing second
    /// XZERO byte reads as zero, as Redis reads the string's terminator.
    fn read(bytes: &[u8], at: usize) -> Option<Op> {
        let b = *bytes.get(at)?;
        Some(match b >> 6 {
            0 => Op::Zero(usize::from(b & 0x3f) + 1),
            1 => {
                let low = bytes.get(at + 1).copied().unwrap_or(0);
                Op::XZero(((usize::from(b & 0x3f) << 8) | usize::from(low)) + 1)
            }
            _ => Op::Val {
                value: ((b >> 2) & 0x1f) + 1,
                len: usize::from(b & 0x3) + 1,
            },
        })
    }

    fn width(self) -> usize {
        match self {
            Op::XZero(_) => 2,
            Op::Zero(_) | Op::Val { .. } => 1,
        }
    }

    fn span(self) -> usize {
        match self {
            Op::Zero(n) | Op::XZero(n) => n,
            Op::Val { len, .. } => len,
        }
    }

    fn value(self) -> u8 {
        match self {
            Op::Val { value, .. } => value,
            Op::Zero(_) | Op::XZero(_) => 0,
        }
    }

    /// The shortest opcode for a run of `len` zeros (len <= 16384).
    fn zeros(len: usize) -> Op {
        if len > ZERO_MAX_LEN {
            Op::XZero(len)
        } else {
            Op::Zero(len)
        }
    }

    /// Appends the opcode's bytes. Callers keep lengths and values in range;
    /// the masks only keep an out-of-range one from spilling into the tag bits.
    fn encode(self, out: &mut Vec<u8>) {
        match self {
            Op::Zero(n) => out.push(low_byte(n.saturating_sub(1)) & 0x3f),
            Op::XZero(n) => {
                let n = n.saturating_sub(1);
                out.push(0x40 | (low_byte(n >> 8) & 0x3f));
                out.push(low_byte(n));
            }
            Op::Val { value, len } => out.push(val_byte(value, len)),
        }
    }
}

/// The one-byte VAL opcode for `len` registers holding `value`.
fn val_byte(value: u8, len: usize) -> u8 {
    0x80 | ((value.saturating_sub(1) & 0x1f) << 2) | (low_byte(len.saturating_sub(1)) & 0x3)
}

fn low_byte(n: usize) -> u8 {
    (n & 0xff) as u8
}

/// The opcodes of a sparse value, with the offset each starts at.
fn ops(bytes: &[u8]) -> impl Iterator<Item = (usize, Op)> + '_ {
    let mut at = HEADER_LEN;
    std::iter::from_fn(move || {
        let op = Op::read(bytes, at)?;
        let here = at;
        at += op.width();
        Some((here, op))
    })
}

/// Calls `each(first_register, op)` for every opcode of a sparse value and
/// checks that the runs cover exactly the 16384 registers, as Redis 7.0
/// requires before it counts, merges or converts a sparse sketch.
fn walk_sparse(bytes: &[u8], mut each: impl FnMut(usize, Op)) -> Result<(), HllError> {
    let mut next = 0usize;
    for (_, op) in ops(bytes) {
        let end = next.saturating_add(op.span());
        if end > REGISTERS {
            return Err(HllError::Corrupt);
        }
        each(next, op);
        next = end;
    }
    if next == REGISTERS {
        Ok(())
    } else {
        Err(HllError::Corrupt)
    }
}

/// Raises register `index` of a sparse value to `count`, editing the
/// opcodes in place the way Redis does so the bytes come out identical.
fn sparse_raise(
    bytes: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, HllError> {
    // A VAL holds at most 32; larger values need the dense form.
    if count > VAL_MAX_VALUE {
        return promote(bytes, index, count);
    }
    // Find the opcode covering the register, and the one before it.
    let mut first = 0usize;
    let mut prev = None;
    let mut found = None;
    for (at, op) in ops(bytes) {
        if index < first.saturating_add(op.span()) {
            found = Some((at, op));
            break;
        }
        prev = Some(at);
        first = first.saturating_add(op.span());
    }
    // Registers past the last run: the value is damaged.
    let (at, op) = found.ok_or(HllError::Corrupt)?;

    // A single register (VAL or ZERO) is rewritten in place; a VAL already
    // at least `count` needs nothing.
    match op {
        Op::Val { value, .. } if value >= count => return Ok(false),
        Op::Val { len: 1, .. } | Op::Zero(1) => {
            if let Some(b) = bytes.get_mut(at) {
                *b = val_byte(count, 1);
            }
            join_vals(bytes, prev.unwrap_or(HEADER_LEN));
            invalidate(bytes);
            return Ok(true);
        }
        _ => {}
    }

    // Otherwise split the run into up to three: before, the register, after.
    let last = first + op.span() - 1;
    let before = index - first;
    let after = last - index;
    let mut seq = Vec::with_capacity(5);
    let part = |len: usize| match op {
        Op::Val { value, .. } => Op::Val { value, len },
        Op::Zero(_) | Op::XZero(_) => Op::zeros(len),
    };
    if before > 0 {
        part(before).encode(&mut seq);
    }
    Op::Val {
        value: count,
        len: 1,
    }
    .encode(&mut seq);
    if after > 0 {
        part(after).encode(&mut seq);
    }

    let old_len = bytes.len();
    if seq.len() > op.width() && old_len + seq.len() - op.width() > sparse_max {
        return promote(bytes, index, count);
    }
    // Redis sizes the result from the opcode's nominal width even when a
    // damaged value ends mid-opcode; truncating to that size matches it.
    let new_len = (old_len + seq.len()).saturating_sub(op.width());
    let replaced = at..(at + op.width()).min(old_len);
    bytes.splice(replaced, seq);
    bytes.truncate(new_len);
    join_vals(bytes, prev.unwrap_or(HEADER_LEN));
    invalidate(bytes);
    Ok(true)
}

/// After an edit, joins neighbouring VAL runs of equal value (up to four
/// registers) among the few opcodes from `from` on, as Redis does, so that
/// the bytes stay identical to Redis's.
fn join_vals(bytes: &mut Vec<u8>, from: usize) {
    let mut at = from;
    for _ in 0..JOIN_SCAN {
        let (Some(op), next) = (Op::read(bytes, at), Op::read(bytes, at + 1)) else {
            return;
        };
        match (op, next) {
            (Op::Val { value, len }, Some(Op::Val { value: v2, len: l2 }))
                if value == v2 && len + l2 <= VAL_MAX_LEN =>
            {
                if let Some(b) = bytes.get_mut(at + 1) {
                    *b = val_byte(value, len + l2);
                }
                bytes.remove(at);
                // Stay here: the joined run may join the next one too.
            }
            _ => at += op.width(),
        }
    }
}

/// Turns a sparse value dense and then raises the register there.
fn promote(bytes: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, HllError> {
    to_dense(bytes)?;
    Ok(dense_raise(bytes, index, count))
}

/// Converts a sparse value to dense, keeping the header's other bytes
/// (cached cardinality included). False if it was dense already.
pub fn to_dense(bytes: &mut Vec<u8>) -> Result<bool, HllError> {
    if bytes.get(ENCODING_AT) == Some(&DENSE) {
        return Ok(false);
    }
    let mut dense = vec![0u8; DENSE_LEN];
    if let (Some(to), Some(from)) = (dense.get_mut(..HEADER_LEN), bytes.get(..HEADER_LEN)) {
        to.copy_from_slice(from);
    }
    if let Some(e) = dense.get_mut(ENCODING_AT) {
        *e = DENSE;
    }
    walk_sparse(bytes, |first, op| {
        if let Op::Val { value, len } = op {
            for i in first..first + len {
                dense_put(&mut dense, i, value);
            }
        }
    })?;
    *bytes = dense;
    Ok(true)
}

// ----------------------------------------------------------- counting

/// How many registers hold each value (values are below 64).
type Histogram = [u64; 64];

fn histogram(bytes: &[u8]) -> Result<Histogram, HllError> {
    let mut hist = [0u64; 64];
    match bytes.get(ENCODING_AT) {
        Some(&DENSE) => {
            for i in 0..REGISTERS {
                if let Some(n) = hist.get_mut(usize::from(dense_get(bytes, i))) {
                    *n += 1;
                }
            }
        }
        Some(&SPARSE) => walk_sparse(bytes, |_, op| {
            if let Some(n) = hist.get_mut(usize::from(op.value())) {
                *n += op.span() as u64;
            }
        })?,
        _ => return Err(HllError::Corrupt),
    }
    Ok(hist)
}

/// The estimate from the registers (ignores and does not touch the cache).
pub fn count(bytes: &[u8]) -> Result<u64, HllError> {
    Ok(estimate(&histogram(bytes)?))
}

/// Otmar Ertl's estimator ("New cardinality estimation algorithms for
/// HyperLogLog sketches", 2017), the one Redis 5 and later use, with the
/// same floating-point steps in the same order so results agree exactly.
fn estimate(hist: &Histogram) -> u64 {
    let m = REGISTERS as f64;
    let at = |i: usize| hist.get(i).copied().unwrap_or(0) as f64;
    let mut z = m * tau((m - at(Q + 1)) / m);
    for j in (1..=Q).rev() {
        z += at(j);
        z *= 0.5;
    }
    z += m * sigma(at(0) / m);
    // An empty sketch gives z = infinity and so 0. Redis rounds with
    // `llroundl`; a result past i64 (z = 0 when every register is at the
    // top) comes out as x86's "integer indefinite", i64::MIN, which Redis
    // then reads as an unsigned 2^63.
    let e = (ALPHA_INF * m * m / z).round();
    if e < TWO_POW_63 {
        e as u64
    } else {
        1 << 63
    }
}

/// 2^63 as a float: the first value `llroundl` cannot return.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// Ertl's sigma series; it converges for 0 <= x < 1 (a few dozen terms).
/// The cap only guards against inputs the callers never pass.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    for _ in 0..1024 {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            break;
        }
    }
    z
}

/// Ertl's tau series, for 0 <= x <= 1.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    for _ in 0..1024 {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if z == before {
            break;
        }
    }
    z / 3.0
}

// ------------------------------------------------------------ merging

/// Plain one-byte-per-register maxima: what PFCOUNT of several keys and
/// PFMERGE accumulate their inputs into.
pub struct Registers(Vec<u8>);

impl Default for Registers {
    fn default() -> Self {
        Registers(vec![0; REGISTERS])
    }
}

impl Registers {
    /// Takes, register by register, the maximum with a checked value.
    pub fn merge(&mut self, bytes: &[u8]) -> Result<(), HllError> {
        match bytes.get(ENCODING_AT) {
            Some(&DENSE) => {
                for (i, r) in self.0.iter_mut().enumerate() {
                    *r = (*r).max(dense_get(bytes, i));
                }
                Ok(())
            }
            Some(&SPARSE) => {
                let regs = &mut self.0;
                walk_sparse(bytes, |first, op| {
                    if let Op::Val { value, len } = op {
                        for r in regs.get_mut(first..first + len).unwrap_or_default() {
                            *r = (*r).max(value);
                        }
                    }
                })
            }
            _ => Err(HllError::Corrupt),
        }
    }

    pub fn estimate(&self) -> u64 {
        let mut hist = [0u64; 64];
        for &r in &self.0 {
            if let Some(n) = hist.get_mut(usize::from(r)) {
                *n += 1;
            }
        }
        estimate(&hist)
    }

    /// Raises `bytes`' registers to these maxima, register by register in
    /// its current encoding (sparse may turn dense on the way), then marks
    /// the cache stale.
    pub fn raise(&self, bytes: &mut Vec<u8>, sparse_max: usize) -> Result<(), HllError> {
        for (i, &r) in self.0.iter().enumerate() {
            if r > 0 {
                set_register(bytes, i, r, sparse_max)?;
            }
        }
        invalidate(bytes);
        Ok(())
    }
}

// ---------------------------------------------------------- debugging

/// Every register of a dense value (PFDEBUG GETREG).
pub fn dense_registers(bytes: &[u8]) -> Vec<u8> {
    (0..REGISTERS).map(|i| dense_get(bytes, i)).collect()
}

/// The opcodes of a sparse value as text (`z:N`, `Z:N`, `v:VALUE,N`), as
/// PFDEBUG DECODE prints them. Never fails: damaged values decode too.
pub fn decode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (_, op) in ops(bytes) {
        if !out.is_empty() {
            out.push(' ');
        }
        // Writing to a String cannot fail.
        let _ = match op {
            Op::Zero(n) => write!(out, "z:{n}"),
            Op::XZero(n) => write!(out, "Z:{n}"),
            Op::Val { value, len } => write!(out, "v:{value},{len}"),
        };
    }
    out
}

// ---------------------------------------------------------- self test

/// PFSELFTEST's checks: dense registers round-trip every value at every
/// position; a sketch kept sparse and one kept dense, fed the same
/// elements, hold the same registers and estimates; the estimate stays
/// within a few standard errors of the truth; merging equals adding.
pub fn self_test() -> Result<(), String> {
    const SPARSE_PHASE: u64 = 5_000;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        // xorshift64: any cheap deterministic sequence will do here.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };

    let mut dense = empty();
    to_dense(&mut dense).map_err(|_| "conversion of an empty sketch failed".to_string())?;
    let expected: Vec<u8> = (0..REGISTERS)
        .map(|_| low_byte(usize::try_from(next() % 64).unwrap_or(0)))
        .collect();
    for (i, &v) in expected.iter().enumerate() {
        dense_put(&mut dense, i, v);
    }
    if dense_registers(&dense) != expected {
        return Err("dense register round trip failed".to_string());
    }

    // Sparse (never promoted for size) and dense side by side; a sparse
    // sketch costs a scan per add, so this phase stays small.
    let mut sparse = empty();
    let mut dense = empty();
    to_dense(&mut dense).map_err(|_| "conversion of an empty sketch failed".to_string())?;
    let std_error = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint = 1u64;
    for n in 1..=200_000u64 {
        let element = n.to_le_bytes();
        let grew = add(&mut dense, &element, usize::MAX).map_err(|_| "dense add failed")?;
        if n <= SPARSE_PHASE {
            let same = add(&mut sparse, &element, usize::MAX).map_err(|_| "sparse add failed")?;
            if same != grew {
                return Err(format!("sparse and dense disagree on element {n}"));
            }
        }
        if n != checkpoint && n != SPARSE_PHASE {
            continue;
        }
        if n == checkpoint {
            checkpoint *= 10;
        }
        let estimate = count(&dense).map_err(|_| "dense count failed")?;
        if n <= SPARSE_PHASE {
            let mut as_dense = sparse.clone();
            to_dense(&mut as_dense).map_err(|_| "sparse to dense failed")?;
            if dense_registers(&as_dense) != dense_registers(&dense) {
                return Err(format!("registers differ after {n} elements"));
            }
            if count(&sparse) != Ok(estimate) {
                return Err(format!("estimates differ after {n} elements"));
            }
        }
        let allowed = (6.0 * std_error * n as f64).ceil() + 1.0;
        if (estimate as f64 - n as f64).abs() > allowed {
            return Err(format!("estimate {estimate} for {n} elements is too far"));
        }
    }

    let mut merged = Registers::default();
    // The dense sketch saw every element the sparse one did, so the union
    // is the dense sketch.
    merged
        .merge(&sparse)
        .map_err(|_| "merge of sparse failed")?;
    merged.merge(&dense).map_err(|_| "merge of dense failed")?;
    if Ok(merged.estimate()) != count(&dense) {
        return Err("merged estimate differs".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// (element, register, count) as Redis 7.0.15 reported them through
    /// PFADD on an empty key and PFDEBUG DECODE: they pin down the low 14
    /// bits of the hash and the run of zeros above them.
    const PATTERNS: &[(&[u8], usize, u8)] = &[
        (b"", 5938, 2),
        (b"a", 12711, 2),
        (b"foo", 7348, 5),
        (b"hello world", 9399, 4),
        (b"12345678", 10579, 3),
        (b"123456789", 9293, 2),
        (b"abcdefghijklmnopq", 4271, 1),
        (b"\x00\xff\x80", 16255, 2),
        (b"The quick brown fox jumps over the lazy dog", 6862, 4),
    ];

    #[test]
    fn hash_patterns_match_redis() {
        for &(element, index, count) in PATTERNS {
            assert_eq!(pattern(element), (index, count), "{element:?}");
        }
    }

    #[test]
    fn empty_sketch_is_redis_bytes() {
        let e = empty();
        assert_eq!(&e[..], b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        assert_eq!(check(&e), Ok(Encoding::Sparse));
        assert_eq!(count(&e), Ok(0));
        assert_eq!(decode(&e), "Z:16384");
    }

    #[test]
    fn add_splits_and_decodes_like_redis() {
        let mut h = empty();
        for e in [&b"a"[..], b"b", b"c"] {
            assert_eq!(add(&mut h, e, 3000), Ok(true));
        }
        assert_eq!(add(&mut h, b"a", 3000), Ok(false));
        assert_eq!(decode(&h), "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
        assert_eq!(cached_count(&h), None);
        assert_eq!(count(&h), Ok(3));
    }

    #[test]
    fn checks_reject_what_redis_rejects() {
        assert_eq!(check(b"HYLLgarbage"), Err(HllError::NotHll));
        assert_eq!(check(b"hello"), Err(HllError::NotHll));
        let mut dense = empty();
        assert_eq!(to_dense(&mut dense), Ok(true));
        assert_eq!(check(&dense), Ok(Encoding::Dense));
        assert_eq!(check(&dense[..DENSE_LEN - 1]), Err(HllError::NotHll));
        let mut bad = dense.clone();
        bad[ENCODING_AT] = 2;
        assert_eq!(check(&bad), Err(HllError::NotHll));
    }

    #[test]
    fn damaged_sparse_values_are_corrupt_not_panics() {
        let header = &empty()[..HEADER_LEN];
        let short = [header, b"\x7f\xfe"].concat();
        assert_eq!(count(&short), Err(HllError::Corrupt));
        let long = [header, b"\x7f\xff\x80"].concat();
        assert_eq!(count(&long), Err(HllError::Corrupt));
        assert_eq!(Registers::default().merge(&long), Err(HllError::Corrupt));
        let truncated = [header, b"\x7f"].concat();
        assert_eq!(decode(&truncated), "Z:16129");
        let mut edited = truncated.clone();
        assert_eq!(add(&mut edited, b"a", 3000), Ok(true));
        let mut nothing = header.to_vec();
        assert_eq!(add(&mut nothing, b"a", 3000), Err(HllError::Corrupt));
        assert_eq!(decode(&nothing), "");
    }

    #[test]
    fn estimator_counts_small_sets_exactly() {
        let mut h = empty();
        for n in 0..100u32 {
            add(&mut h, format!("e{n}").as_bytes(), 3000).ok();
        }
        assert_eq!(count(&h), Ok(100));
    }

    #[test]
    fn sparse_limit_promotes_to_dense() {
        let mut h = empty();
        for n in 0..2000u32 {
            add(&mut h, &n.to_le_bytes(), 300).ok();
        }
        assert_eq!(check(&h), Ok(Encoding::Dense));
        assert_eq!(h.len(), DENSE_LEN);
    }

    #[test]
    fn self_test_passes() {
        assert_eq!(self_test(), Ok(()));
    }
}
