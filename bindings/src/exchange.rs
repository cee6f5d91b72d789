//! The two buffers a command crosses the JS/wasm boundary through, so that
//! running one costs one call instead of one per argument and per reply
//! element (each crossing costs about as much as a simple command).
//!
//! JS writes the arguments straight into `input`, at `ARGS`, as a u32
//! little-endian length then the bytes, for each argument (a pipeline:
//! each command's argument count, u32 LE, before its arguments). The engine
//! writes its reply into `output` (`encode`) and puts where that lies
//! (pointer, then length, u32 LE) at the start of `input`, where JS reads
//! it without another call. `input` is kept at its full length (zeros
//! beyond what JS wrote) so reading it is plain safe slicing.

/// Where the arguments start: the reply's pointer and length come first.
pub const ARGS: usize = 8;

/// Largest command the buffer grows for, well below wasm32's 4 GB so a
/// runaway caller gets an error rather than an aborted instance (Redis's
/// own query buffer limit is 1 GB).
const MAX_INPUT: usize = 512 * 1024 * 1024;

pub struct Exchange {
    input: Vec<u8>,
    pub output: Vec<u8>,
}

impl Exchange {
    pub fn new() -> Exchange {
        Exchange {
            input: Vec::new(),
            output: Vec::new(),
        }
    }

    /// Makes room for `bytes` of arguments and returns the buffer's address
    /// (it moves when it grows), or 0 if it cannot grow that far.
    pub fn reserve(&mut self, bytes: usize) -> usize {
        let wanted = ARGS.saturating_add(bytes);
        if wanted > self.input.len() {
            let extra = wanted
                .max(self.input.len().saturating_mul(2))
                .min(MAX_INPUT)
                - self.input.len();
            if wanted > MAX_INPUT || self.input.try_reserve_exact(extra).is_err() {
                return 0;
            }
            self.input.resize(self.input.len() + extra, 0);
        }
        self.input.as_mut_ptr() as usize
    }

    /// The `argc` arguments JS wrote; `None` if they overrun the buffer
    /// (a wrapper bug, answered with an error rather than a panic).
    pub fn args(&self, argc: usize) -> Option<Vec<&[u8]>> {
        split_args(self.input.get(ARGS..)?, argc).map(|(args, _)| args)
    }

    /// The `count` commands of a pipeline JS wrote: each an argument count
    /// (u32 LE) then its arguments as `args` reads them. `None` if they
    /// overrun the buffer.
    pub fn commands(&self, count: usize) -> Option<Vec<Vec<&[u8]>>> {
        let mut rest = self.input.get(ARGS..)?;
        let mut commands = Vec::with_capacity(count.min(rest.len() / 4));
        for _ in 0..count {
            let (argc, tail) = rest.split_first_chunk::<4>()?;
            let argc = u32::from_le_bytes(*argc) as usize;
            let (args, tail) = split_args(tail, argc)?;
            commands.push(args);
            rest = tail;
        }
        Some(commands)
    }

    /// Tells JS where the reply is: `output`'s address and length.
    pub fn publish(&mut self) {
        let place = [self.output.as_ptr() as usize, self.output.len()];
        for (slot, value) in self.input.chunks_exact_mut(4).zip(place) {
            slot.copy_from_slice(&(value as u32).to_le_bytes());
        }
    }
}

/// `argc` length-prefixed arguments from the start of `bytes`, and what
/// follows them.
fn split_args(mut bytes: &[u8], argc: usize) -> Option<(Vec<&[u8]>, &[u8])> {
    let mut args = Vec::with_capacity(argc.min(bytes.len() / 4));
    for _ in 0..argc {
        let (len, tail) = bytes.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        args.push(tail.get(..len)?);
        bytes = tail.get(len..)?;
    }
    Some((args, bytes))
}
