//! Compiles the resolved AST ([`crate::ast`]) into register bytecode close
//! to Lua 5.1's: locals live in the registers the parser assigned them,
//! temporaries go above the locals active at each point, and every
//! instruction keeps its source line for error positions.
//!
//! Where 5.1 derives a variable's name for an error message ("global 'x'",
//! "field 'y'") by reading back the bytecode, this compiler records the
//! name directly: [`Proto::hints`] says, for an instruction and one of its
//! operand registers, what source expression the register holds.

use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{
    BinOp, Block, Expr, ExprKind, Function, Stat, StatKind, Suffix, TableItem, UnOp, UpvalueSource,
    Var,
};
use crate::heap::{self, Heap, Trace};
use crate::lex::{chunk_id, SYNTAX_ID_SIZE};
use crate::table::ctor_size;
use crate::value::{StrRef, Value};

/// A register index within a frame.
pub type Reg = u16;

/// 5.1's limit on registers per function (`MAXSTACK`).
const MAX_REGS: usize = 250;
/// List items stored per `SetList` (`LFIELDS_PER_FLUSH`).
const FIELDS_PER_FLUSH: usize = 50;
/// A count operand meaning "up to the stack top" (multiple results).
pub const MULTI: u16 = 0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
}

/// One instruction. Counts written `n + 1` use [`MULTI`] (0) for "all
/// values up to the top set by the previous multiple-result instruction".
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Move(Reg, Reg),
    LoadK(Reg, u32),
    /// Sets `count` registers from the first to nil.
    LoadNil(Reg, u16),
    LoadBool(Reg, bool),
    GetUpval(Reg, u16),
    /// `upvalue[u] = R(a)`.
    SetUpval(Reg, u16),
    GetGlobal(Reg, u32),
    SetGlobal(Reg, u32),
    /// `R(a) = R(b)[R(c)]`.
    GetTable(Reg, Reg, Reg),
    /// `R(a) = R(b)[K]`.
    GetField(Reg, Reg, u32),
    /// `R(a)[R(b)] = R(c)`.
    SetTable(Reg, Reg, Reg),
    /// `R(a)[K] = R(c)`.
    SetField(Reg, u32, Reg),
    /// Array and hash sizes as 5.1's constructor presizes them.
    NewTable(Reg, u32, u32),
    /// `R(a+1) = R(b); R(a) = R(b)[K]`.
    SelfOp(Reg, Reg, u32),
    Arith(Arith, Reg, Reg, Reg),
    Unm(Reg, Reg),
    Not(Reg, Reg),
    Len(Reg, Reg),
    /// `R(a) = R(b) .. R(c)`.
    Concat(Reg, Reg, Reg),
    /// `R(a) = R(b) op R(c)` as a boolean.
    Compare(Cmp, Reg, Reg, Reg),
    Jmp(i32),
    /// Jumps when `R(a)`'s truth equals the flag.
    Test(Reg, bool, i32),
    /// Calls `R(a)` with `nargs + 1` arguments from `R(a+1)`, storing
    /// `nresults + 1` results from `R(a)`.
    Call(Reg, u16, u16),
    /// `return R(a)(args)`; followed by `Return(a, MULTI)` for callees that
    /// are not Lua functions.
    TailCall(Reg, u16),
    /// Returns `n + 1` values from `R(a)`.
    Return(Reg, u16),
    ForPrep(Reg, i32),
    ForLoop(Reg, i32),
    /// Calls the generator `R(a)(R(a+1), R(a+2))` into `n` vars at `R(a+3)`.
    TForCall(Reg, u16),
    /// If `R(a+3)` is not nil, `R(a+2) = R(a+3)` and jump.
    TForLoop(Reg, i32),
    Closure(Reg, u32),
    /// Closes the open upvalues at or above `R(a)`.
    Close(Reg),
    VarArg(Reg, u16),
    /// Stores `n + 1` values from `R(a+1)` into the table `R(a)` from
    /// index `start`.
    SetList(Reg, u16, u32),
}

/// What a register holds, for naming it in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Global,
    Local,
    Upvalue,
    Field,
    Method,
}

impl NameKind {
    pub fn word(self) -> &'static str {
        match self {
            NameKind::Global => "global",
            NameKind::Local => "local",
            NameKind::Upvalue => "upvalue",
            NameKind::Field => "field",
            NameKind::Method => "method",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hint {
    pub pc: u32,
    pub reg: Reg,
    pub kind: NameKind,
    pub name: Rc<[u8]>,
}

/// A compiled function.
#[derive(Debug)]
pub struct Proto {
    pub code: Vec<Op>,
    /// The source line of each instruction.
    pub lines: Vec<u32>,
    pub consts: Vec<Value>,
    pub protos: Vec<Rc<Proto>>,
    pub upvals: Vec<UpvalueSource>,
    pub num_params: u8,
    pub is_vararg: bool,
    pub needs_arg: bool,
    /// Registers the frame needs.
    pub max_stack: u16,
    /// The chunk name as error positions show it (`user_script`).
    pub chunk: Rc<[u8]>,
    /// Operand names by instruction, in `pc` order.
    pub hints: Vec<Hint>,
}

impl Proto {
    /// The name recorded for register `reg` as an operand of instruction
    /// `pc`.
    pub fn hint(&self, pc: usize, reg: Reg) -> Option<&Hint> {
        let pc = u32::try_from(pc).ok()?;
        let start = self.hints.partition_point(|h| h.pc < pc);
        self.hints
            .get(start..)?
            .iter()
            .take_while(|h| h.pc == pc)
            .find(|h| h.reg == reg)
    }
}

impl Trace for Proto {
    fn trace(&self, mark: &mut dyn FnMut(Value)) {
        // Nested prototypes form a tree of bounded depth (the parser's
        // nesting limit), so recursion here is shallow.
        for &k in &self.consts {
            mark(k);
        }
        for p in &self.protos {
            p.trace(mark);
        }
    }
}

/// A compile failure: the memory cap, or a function needing more than 250
/// registers (5.1's "function or expression too complex").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    Heap(heap::Error),
    /// The error message, with its position.
    Message(Vec<u8>),
}

/// A failure inside the compiler, before it has a message.
enum Fail {
    Heap(heap::Error),
    /// More than 250 registers needed at this line.
    TooComplex(u32),
}

impl From<heap::Error> for Fail {
    fn from(e: heap::Error) -> Self {
        Fail::Heap(e)
    }
}

type Result<T> = std::result::Result<T, Fail>;

/// What names a register in error messages, if anything does.
type Name = Option<(NameKind, Rc<[u8]>)>;

/// Compiles a parsed chunk's main function.
pub fn compile(
    chunk: &crate::ast::Chunk,
    heap: &mut Heap<Proto>,
) -> std::result::Result<Rc<Proto>, CompileError> {
    let name: Rc<[u8]> = chunk_id(&chunk.source, 60).into();
    FnState::compile(&chunk.main, &name, heap).map_err(|e| match e {
        // Raised as a syntax error in 5.1, so named as the parser names
        // the chunk. 5.1 also ends it with "near" the token it was
        // reading, which the tree does not keep.
        Fail::TooComplex(line) => {
            let mut msg = chunk_id(&chunk.source, SYNTAX_ID_SIZE);
            msg.extend_from_slice(
                format!(":{line}: function or expression too complex").as_bytes(),
            );
            CompileError::Message(msg)
        }
        Fail::Heap(e) => CompileError::Heap(e),
    })
}

/// A constant as the dedup map sees it: numbers by value (bits, with -0
/// as 0), strings by handle.
#[derive(PartialEq, Eq, Hash)]
enum ConstKey {
    Num(u64),
    Str(StrRef),
}

/// A loop being compiled: where its `break` jumps wait to be patched.
struct Loop {
    /// Index into `FnState::blocks` of the loop's body scope.
    block: usize,
    breaks: Vec<usize>,
}

struct BlockInfo {
    /// Locals active when the block started: the first register to close.
    nactive: Reg,
    captured: bool,
}

struct FnState<'a> {
    func: &'a Function,
    heap: &'a mut Heap<Proto>,
    chunk: Rc<[u8]>,
    code: Vec<Op>,
    lines: Vec<u32>,
    consts: Vec<Value>,
    const_index: HashMap<ConstKey, u32>,
    protos: Vec<Rc<Proto>>,
    hints: Vec<Hint>,
    nactive: Reg,
    free: Reg,
    max_stack: Reg,
    blocks: Vec<BlockInfo>,
    loops: Vec<Loop>,
    line: u32,
}

/// How many values an expression list must produce.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Exactly(usize),
    /// All of them, the last call or `...` expanded (its results end at
    /// the top).
    All,
}

fn is_multi(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Vararg => true,
        ExprKind::Suffixed { suffixes, .. } => matches!(
            suffixes.last(),
            Some(Suffix::Call { .. } | Suffix::Method { .. })
        ),
        _ => false,
    }
}

impl<'a> FnState<'a> {
    fn compile(
        func: &'a Function,
        chunk: &Rc<[u8]>,
        heap: &'a mut Heap<Proto>,
    ) -> Result<Rc<Proto>> {
        let mut fs = FnState {
            func,
            heap,
            chunk: chunk.clone(),
            code: Vec::new(),
            lines: Vec::new(),
            consts: Vec::new(),
            const_index: HashMap::new(),
            protos: Vec::new(),
            hints: Vec::new(),
            nactive: Reg::from(func.num_params) + Reg::from(func.has_arg),
            free: 0,
            max_stack: Reg::from(func.max_locals).max(2),
            blocks: Vec::new(),
            loops: Vec::new(),
            line: func.line,
        };
        fs.free = fs.nactive;
        fs.block_stats(&func.body)?;
        fs.line = func.end_line;
        fs.emit(Op::Return(0, 1));
        Ok(Rc::new(Proto {
            code: fs.code,
            lines: fs.lines,
            consts: fs.consts,
            protos: fs.protos,
            upvals: func.upvalues.iter().map(|u| u.source).collect(),
            num_params: func.num_params,
            is_vararg: func.is_vararg,
            needs_arg: func.needs_arg,
            max_stack: fs.max_stack,
            chunk: fs.chunk,
            hints: fs.hints,
        }))
    }

    // ---- emission ----

    fn emit(&mut self, op: Op) -> usize {
        self.code.push(op);
        self.lines.push(self.line);
        self.code.len() - 1
    }

    fn pc(&self) -> usize {
        self.code.len()
    }

    /// Points the jump at `at` to `target`.
    fn patch(&mut self, at: usize, target: usize) {
        let off = target as i64 - (at as i64 + 1);
        let off = i32::try_from(off).unwrap_or(i32::MAX);
        if let Some(
            Op::Jmp(o)
            | Op::Test(_, _, o)
            | Op::ForPrep(_, o)
            | Op::ForLoop(_, o)
            | Op::TForLoop(_, o),
        ) = self.code.get_mut(at)
        {
            *o = off;
        }
    }

    fn patch_here(&mut self, at: usize) {
        let here = self.pc();
        self.patch(at, here);
    }

    fn alloc(&mut self, n: usize) -> Result<Reg> {
        let r = self.free;
        let top = usize::from(r) + n;
        if top > MAX_REGS {
            return Err(Fail::TooComplex(self.line));
        }
        self.free = top as Reg;
        self.max_stack = self.max_stack.max(self.free);
        Ok(r)
    }

    fn konst(&mut self, v: Value) -> u32 {
        // Equal constants share a slot, as in 5.1 (so -0 shares 0's); a
        // map keeps this linear for chunks with very many constants.
        let key = match v {
            // Matches -0 too.
            Value::Num(0.0) => Some(ConstKey::Num(0)),
            Value::Num(x) if !x.is_nan() => Some(ConstKey::Num(x.to_bits())),
            Value::Str(s) => Some(ConstKey::Str(s)),
            _ => None,
        };
        if let Some(&i) = key.as_ref().and_then(|k| self.const_index.get(k)) {
            return i;
        }
        let i = u32::try_from(self.consts.len()).unwrap_or(u32::MAX);
        self.consts.push(v);
        if let Some(k) = key {
            self.const_index.insert(k, i);
        }
        i
    }

    fn str_const(&mut self, s: &[u8]) -> Result<u32> {
        let s = self.heap.intern(s)?;
        Ok(self.konst(Value::Str(s)))
    }

    fn hint(&mut self, pc: usize, reg: Reg, name: Name) {
        if let Some((kind, name)) = name {
            self.hints.push(Hint {
                pc: u32::try_from(pc).unwrap_or(u32::MAX),
                reg,
                kind,
                name,
            });
        }
    }

    /// The name 5.1's debug information would give the value of `e`.
    fn name_of(&self, e: &Expr) -> Name {
        match &e.kind {
            ExprKind::Var(v) => Some(self.var_name(v)),
            ExprKind::Suffixed { suffixes, .. } => match suffixes.last()? {
                Suffix::Field { name, .. } => Some((NameKind::Field, name.as_slice().into())),
                Suffix::Index { key, .. } => match &key.kind {
                    ExprKind::String(s) => Some((NameKind::Field, s.as_slice().into())),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    fn var_name(&self, v: &Var) -> (NameKind, Rc<[u8]>) {
        match v {
            Var::Local { id, .. } => {
                let name = self
                    .func
                    .locals
                    .get(usize::from(*id))
                    .map(|l| l.name.as_slice())
                    .unwrap_or(b"?");
                (NameKind::Local, name.into())
            }
            Var::Upvalue(i) => {
                let name = self
                    .func
                    .upvalues
                    .get(usize::from(*i))
                    .map(|u| u.name.as_slice())
                    .unwrap_or(b"?");
                (NameKind::Upvalue, name.into())
            }
            Var::Global(name) => (NameKind::Global, name.as_slice().into()),
        }
    }

    // ---- blocks and statements ----

    fn block_stats(&mut self, b: &Block) -> Result<()> {
        for s in &b.stats {
            self.stat(s)?;
            self.free = self.nactive;
        }
        Ok(())
    }

    /// A nested block: its locals go out of scope (and are closed if
    /// captured) at its end.
    fn block(&mut self, b: &Block) -> Result<()> {
        self.enter(b.captured);
        self.block_stats(b)?;
        self.leave();
        Ok(())
    }

    fn enter(&mut self, captured: bool) {
        self.enter_at(captured, self.nactive);
    }

    /// A scope whose first local is in register `level` (a loop's
    /// variables, declared after its hidden control registers).
    fn enter_at(&mut self, captured: bool, level: Reg) {
        self.blocks.push(BlockInfo {
            nactive: level,
            captured,
        });
    }

    fn leave(&mut self) {
        if let Some(b) = self.blocks.pop() {
            if b.captured {
                self.emit(Op::Close(b.nactive));
            }
            self.nactive = b.nactive;
            self.free = b.nactive;
        }
    }

    fn stat(&mut self, s: &Stat) -> Result<()> {
        self.line = s.line;
        match &s.kind {
            StatKind::Local { locals, values } => {
                let base = self.free;
                self.explist(values, base, Want::Exactly(locals.len()))?;
                self.nactive = base + locals.len() as Reg;
                self.free = self.nactive;
            }
            StatKind::LocalFunction { local, func } => {
                let slot = self.local_slot(*local);
                self.nactive = slot + 1;
                self.free = self.nactive;
                self.max_stack = self.max_stack.max(self.free);
                self.closure(func, slot)?;
            }
            StatKind::Function { target, func, .. } => {
                let r = self.alloc(1)?;
                self.closure(func, r)?;
                self.assign(std::slice::from_ref(target), &[], Some(r))?;
            }
            StatKind::Assign { targets, values } => self.assign(targets, values, None)?,
            StatKind::Call(e) => {
                let base = self.free;
                self.expr_multi(e, base, 1)?;
            }
            StatKind::Do(b) => self.block(b)?,
            StatKind::While { cond, body } => {
                let start = self.pc();
                let exit = self.cond_jump(cond, false)?;
                self.loop_body(body, |fs| {
                    let j = fs.emit(Op::Jmp(0));
                    fs.patch(j, start);
                    Ok(())
                })?;
                self.patch_here(exit);
                self.patch_breaks();
            }
            StatKind::Repeat { body, cond } => self.repeat(body, cond)?,
            StatKind::If { clauses, else_body } => {
                let mut ends = Vec::new();
                for (i, c) in clauses.iter().enumerate() {
                    let next = self.cond_jump(&c.cond, false)?;
                    self.block(&c.body)?;
                    if i + 1 < clauses.len() || else_body.is_some() {
                        ends.push(self.emit(Op::Jmp(0)));
                    }
                    self.patch_here(next);
                }
                if let Some(b) = else_body {
                    self.block(b)?;
                }
                for j in ends {
                    self.patch_here(j);
                }
            }
            StatKind::NumericFor {
                control,
                start,
                limit,
                step,
                body,
                var,
            } => {
                let base = self.local_slot(*control);
                self.alloc(3)?;
                self.expr(start, base)?;
                self.expr(limit, base + 1)?;
                match step {
                    Some(e) => self.expr(e, base + 2)?,
                    None => {
                        let k = self.konst(Value::Num(1.0));
                        self.emit(Op::LoadK(base + 2, k));
                    }
                }
                // 5.1 puts the preparation on the line of `do`; the last
                // control expression ends on it or just before.
                self.line = step.as_ref().unwrap_or(limit).line;
                self.nactive = base + 3;
                let prep = self.emit(Op::ForPrep(base, 0));
                let body_start = self.pc();
                let captured = body.captured || self.local_captured(*var);
                self.nactive = base + 4;
                self.free = self.nactive;
                self.max_stack = self.max_stack.max(self.free);
                self.loops.push(Loop {
                    block: self.blocks.len(),
                    breaks: Vec::new(),
                });
                self.enter_at(captured, base + 3);
                self.block_stats(body)?;
                self.leave();
                self.line = s.line;
                self.patch_here(prep);
                let l = self.emit(Op::ForLoop(base, 0));
                self.patch(l, body_start);
                self.patch_breaks();
                self.nactive = base;
                self.free = base;
            }
            StatKind::GenericFor {
                control,
                vars,
                exprs,
                body,
                call_line,
            } => {
                let base = self.local_slot(*control);
                self.explist(exprs, base, Want::Exactly(3))?;
                self.nactive = base + 3;
                let to_call = self.emit(Op::Jmp(0));
                let body_start = self.pc();
                let captured = body.captured || vars.iter().any(|&v| self.local_captured(v));
                self.nactive = base + 3 + vars.len() as Reg;
                self.free = self.nactive;
                // The call copies the three control values above the vars.
                self.alloc(3)?;
                self.free = self.nactive;
                self.loops.push(Loop {
                    block: self.blocks.len(),
                    breaks: Vec::new(),
                });
                self.enter_at(captured, base + 3);
                self.block_stats(body)?;
                self.leave();
                self.line = *call_line;
                self.patch_here(to_call);
                self.emit(Op::TForCall(base, vars.len() as u16));
                let l = self.emit(Op::TForLoop(base, 0));
                self.patch(l, body_start);
                self.patch_breaks();
                self.nactive = base;
                self.free = base;
            }
            StatKind::Return(values) => self.ret(values)?,
            StatKind::Break => {
                let Some(lp) = self.loops.last() else {
                    return Ok(());
                };
                let from = lp.block;
                let close = self
                    .blocks
                    .get(from..)
                    .unwrap_or(&[])
                    .iter()
                    .any(|b| b.captured);
                if close {
                    let level = self.blocks.get(from).map_or(0, |b| b.nactive);
                    self.emit(Op::Close(level));
                }
                let j = self.emit(Op::Jmp(0));
                if let Some(lp) = self.loops.last_mut() {
                    lp.breaks.push(j);
                }
            }
        }
        Ok(())
    }

    /// Evaluates `e` and emits a jump taken when its truth is `when`;
    /// returns the jump to patch.
    fn cond_jump(&mut self, e: &Expr, when: bool) -> Result<usize> {
        let saved = self.free;
        let r = self.expr_any(e)?;
        let j = self.emit(Op::Test(r, when, 0));
        self.free = saved;
        Ok(j)
    }

    fn local_slot(&self, id: u16) -> Reg {
        self.func
            .locals
            .get(usize::from(id))
            .map_or(self.nactive, |l| Reg::from(l.slot))
    }

    fn local_captured(&self, id: u16) -> bool {
        self.func
            .locals
            .get(usize::from(id))
            .is_some_and(|l| l.captured)
    }

    /// A `while` body: a loop scope whose end runs `back` (the jump back).
    fn loop_body(
        &mut self,
        body: &Block,
        back: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        self.loops.push(Loop {
            block: self.blocks.len(),
            breaks: Vec::new(),
        });
        self.block(body)?;
        back(self)
    }

    fn patch_breaks(&mut self) {
        if let Some(lp) = self.loops.pop() {
            for j in lp.breaks {
                self.patch_here(j);
            }
        }
    }

    fn repeat(&mut self, body: &Block, cond: &Expr) -> Result<()> {
        let start = self.pc();
        self.loops.push(Loop {
            block: self.blocks.len(),
            breaks: Vec::new(),
        });
        self.enter(body.captured);
        let level = self.nactive;
        self.block_stats(body)?;
        if body.captured {
            // Close the body's upvalues on both ways out of the condition.
            let r = self.expr_any(cond)?;
            let exit = self.emit(Op::Test(r, true, 0));
            self.emit(Op::Close(level));
            let j = self.emit(Op::Jmp(0));
            self.patch(j, start);
            self.patch_here(exit);
        } else {
            let r = self.expr_any(cond)?;
            let j = self.emit(Op::Test(r, false, 0));
            self.patch(j, start);
        }
        self.leave();
        self.patch_breaks();
        Ok(())
    }

    fn ret(&mut self, values: &[Expr]) -> Result<()> {
        let base = self.free;
        if let [e] = values {
            if let ExprKind::Suffixed { base: b, suffixes } = &e.kind {
                if matches!(
                    suffixes.last(),
                    Some(Suffix::Call { .. } | Suffix::Method { .. })
                ) {
                    self.suffixed_call(b, suffixes, base, MULTI, true)?;
                    self.emit(Op::Return(base, MULTI));
                    return Ok(());
                }
            }
        }
        let multi = self.explist(values, base, Want::All)?;
        let n = if multi {
            MULTI
        } else {
            values.len() as u16 + 1
        };
        self.emit(Op::Return(base, n));
        Ok(())
    }

    /// Assigns to `targets` the values of `values` (or the single register
    /// `value`), evaluating table and key operands first and storing
    /// right to left, as 5.1 does.
    fn assign(&mut self, targets: &[Expr], values: &[Expr], value: Option<Reg>) -> Result<()> {
        enum Place {
            Local(Reg),
            Upvalue(u16),
            Global(u32),
            Index(Reg, Reg, Name),
            Field(Reg, u32, Name),
        }
        let mut places = Vec::with_capacity(targets.len());
        for t in targets {
            let place = match &t.kind {
                ExprKind::Var(Var::Local { slot, .. }) => Place::Local(Reg::from(*slot)),
                ExprKind::Var(Var::Upvalue(i)) => Place::Upvalue(u16::from(*i)),
                ExprKind::Var(Var::Global(name)) => Place::Global(self.str_const(name)?),
                ExprKind::Suffixed { base, suffixes } => {
                    let (last, init) = match suffixes.split_last() {
                        Some(x) => x,
                        None => continue,
                    };
                    let obj = self.alloc(1)?;
                    let name = self.prefix(base, init, obj)?;
                    match last {
                        Suffix::Field { name: f, .. } => {
                            let k = self.str_const(f)?;
                            Place::Field(obj, k, name)
                        }
                        Suffix::Index { key, .. } => {
                            let k = self.alloc(1)?;
                            self.expr(key, k)?;
                            Place::Index(obj, k, name)
                        }
                        _ => continue,
                    }
                }
                _ => continue,
            };
            places.push(place);
        }
        let base = match value {
            Some(r) => r,
            None => {
                let base = self.free;
                self.explist(values, base, Want::Exactly(targets.len()))?;
                base
            }
        };
        for (i, place) in places.iter().enumerate().rev() {
            let v = base + i as Reg;
            match place {
                Place::Local(r) => {
                    self.emit(Op::Move(*r, v));
                }
                Place::Upvalue(u) => {
                    self.emit(Op::SetUpval(v, *u));
                }
                Place::Global(k) => {
                    self.emit(Op::SetGlobal(v, *k));
                }
                Place::Index(o, k, name) => {
                    let pc = self.emit(Op::SetTable(*o, *k, v));
                    self.hint(pc, *o, name.clone());
                }
                Place::Field(o, k, name) => {
                    let pc = self.emit(Op::SetField(*o, *k, v));
                    self.hint(pc, *o, name.clone());
                }
            }
        }
        Ok(())
    }

    fn closure(&mut self, func: &Function, dst: Reg) -> Result<()> {
        let p = FnState::compile(func, &self.chunk, self.heap)?;
        self.protos.push(p);
        let idx = u32::try_from(self.protos.len() - 1).unwrap_or(u32::MAX);
        self.emit(Op::Closure(dst, idx));
        Ok(())
    }

    // ---- expressions ----

    /// Evaluates `exprs` into consecutive registers from `base`, adjusted
    /// to `want`. Returns whether the values end at the top (a final call
    /// or `...` expanded under [`Want::All`]).
    fn explist(&mut self, exprs: &[Expr], base: Reg, want: Want) -> Result<bool> {
        let n = exprs.len();
        for (i, e) in exprs.iter().enumerate() {
            let r = base + i as Reg;
            if self.free <= r {
                self.alloc(usize::from(r - self.free) + 1)?;
            }
            if i + 1 == n && is_multi(e) {
                match want {
                    Want::All => {
                        self.expr_multi(e, r, MULTI)?;
                        return Ok(true);
                    }
                    Want::Exactly(w) => {
                        let need = w.saturating_sub(i);
                        self.expr_multi(e, r, need as u16 + 1)?;
                        if need > 0 {
                            let top = usize::from(r) + need;
                            if usize::from(self.free) < top {
                                self.alloc(top - usize::from(self.free))?;
                            }
                        }
                        return Ok(false);
                    }
                }
            }
            self.expr(e, r)?;
        }
        if let Want::Exactly(w) = want {
            if w > n {
                let r = base + n as Reg;
                let top = usize::from(base) + w;
                if usize::from(self.free) < top {
                    self.alloc(top - usize::from(self.free))?;
                }
                self.emit(Op::LoadNil(r, (w - n) as u16));
            }
        }
        Ok(false)
    }

    /// A call or `...` producing `nresults + 1` values (or [`MULTI`]) from
    /// `base`.
    fn expr_multi(&mut self, e: &Expr, base: Reg, nresults: u16) -> Result<()> {
        match &e.kind {
            ExprKind::Vararg => {
                self.line = e.line;
                self.emit(Op::VarArg(base, nresults));
                Ok(())
            }
            ExprKind::Suffixed { base: b, suffixes } => {
                self.suffixed_call(b, suffixes, base, nresults, false)
            }
            _ => self.expr(e, base),
        }
    }

    /// The register holding `e`: a local's own register, else a new
    /// temporary.
    fn expr_any(&mut self, e: &Expr) -> Result<Reg> {
        if let ExprKind::Var(Var::Local { slot, .. }) = e.kind {
            return Ok(Reg::from(slot));
        }
        let r = self.alloc(1)?;
        self.expr(e, r)?;
        Ok(r)
    }

    /// Evaluates `e` (one value) into `dst`, a register at or above the
    /// active locals. Temporaries above `dst` are freed afterwards.
    fn expr(&mut self, e: &Expr, dst: Reg) -> Result<()> {
        let saved = self.free;
        if self.free <= dst {
            self.alloc(usize::from(dst - self.free) + 1)?;
        }
        self.expr_inner(e, dst)?;
        self.free = saved.max(dst + 1);
        Ok(())
    }

    fn expr_inner(&mut self, e: &Expr, dst: Reg) -> Result<()> {
        match &e.kind {
            ExprKind::Nil => {
                self.emit(Op::LoadNil(dst, 1));
            }
            ExprKind::True => {
                self.emit(Op::LoadBool(dst, true));
            }
            ExprKind::False => {
                self.emit(Op::LoadBool(dst, false));
            }
            ExprKind::Number(x) => {
                let k = self.konst(Value::Num(*x));
                self.emit(Op::LoadK(dst, k));
            }
            ExprKind::String(s) => {
                let k = self.str_const(s)?;
                self.emit(Op::LoadK(dst, k));
            }
            ExprKind::Vararg => {
                self.line = e.line;
                self.emit(Op::VarArg(dst, 2));
            }
            ExprKind::Var(v) => self.var(v, dst, e.line)?,
            ExprKind::Function(f) => {
                self.line = f.end_line;
                self.closure(f, dst)?;
            }
            ExprKind::Table(items) => self.table(items, dst, e.line)?,
            ExprKind::Paren(inner) => self.expr(inner, dst)?,
            ExprKind::Suffixed { base, suffixes } => {
                if matches!(
                    suffixes.last(),
                    Some(Suffix::Call { .. } | Suffix::Method { .. })
                ) {
                    self.suffixed_call(base, suffixes, dst, 2, false)?;
                } else {
                    self.suffixed(base, suffixes, dst)?;
                }
            }
            // 5.1 folds a negated numeric literal into one constant,
            // which then shares its slot with an equal one (-0 with 0).
            ExprKind::Unary {
                op: UnOp::Neg,
                operand,
            } if matches!(operand.kind, ExprKind::Number(_)) => {
                if let ExprKind::Number(x) = operand.kind {
                    let k = self.konst(Value::Num(-x));
                    self.emit(Op::LoadK(dst, k));
                }
            }
            ExprKind::Unary { op, operand } => {
                let r = self.expr_any(operand)?;
                self.line = e.line;
                let pc = self.emit(match op {
                    UnOp::Neg => Op::Unm(dst, r),
                    UnOp::Not => Op::Not(dst, r),
                    UnOp::Len => Op::Len(dst, r),
                });
                let name = self.name_of(operand);
                self.hint(pc, r, name);
            }
            ExprKind::Binary { first, rest } => self.binary(first, rest, dst)?,
        }
        Ok(())
    }

    fn var(&mut self, v: &Var, dst: Reg, line: u32) -> Result<()> {
        self.line = line;
        match v {
            Var::Local { slot, .. } => {
                if Reg::from(*slot) != dst {
                    self.emit(Op::Move(dst, Reg::from(*slot)));
                }
            }
            Var::Upvalue(i) => {
                self.emit(Op::GetUpval(dst, u16::from(*i)));
            }
            Var::Global(name) => {
                let k = self.str_const(name)?;
                self.emit(Op::GetGlobal(dst, k));
            }
        }
        Ok(())
    }

    fn binary(&mut self, first: &Expr, rest: &[crate::ast::BinTail], dst: Reg) -> Result<()> {
        // The running value: the first operand's own register while it is
        // a local that no tail has replaced, so errors can name it.
        let mut acc = match first.kind {
            ExprKind::Var(Var::Local { slot, .. })
                if !matches!(rest.first().map(|t| t.op), Some(BinOp::And | BinOp::Or)) =>
            {
                Reg::from(slot)
            }
            _ => {
                self.expr(first, dst)?;
                dst
            }
        };
        let mut acc_name = self.name_of(first);
        for tail in rest {
            let saved = self.free;
            match tail.op {
                BinOp::And | BinOp::Or => {
                    if acc != dst {
                        self.emit(Op::Move(dst, acc));
                        acc = dst;
                    }
                    self.line = tail.op_line;
                    let j = self.emit(Op::Test(dst, tail.op == BinOp::Or, 0));
                    self.expr(&tail.rhs, dst)?;
                    self.patch_here(j);
                }
                op => {
                    let r = self.expr_any(&tail.rhs)?;
                    self.line = tail.rhs.line;
                    let (a, b) = (acc, r);
                    let instr = match op {
                        BinOp::Add => Op::Arith(Arith::Add, dst, a, b),
                        BinOp::Sub => Op::Arith(Arith::Sub, dst, a, b),
                        BinOp::Mul => Op::Arith(Arith::Mul, dst, a, b),
                        BinOp::Div => Op::Arith(Arith::Div, dst, a, b),
                        BinOp::Mod => Op::Arith(Arith::Mod, dst, a, b),
                        BinOp::Pow => Op::Arith(Arith::Pow, dst, a, b),
                        BinOp::Concat => Op::Concat(dst, a, b),
                        BinOp::Eq => Op::Compare(Cmp::Eq, dst, a, b),
                        BinOp::Ne => Op::Compare(Cmp::Ne, dst, a, b),
                        BinOp::Lt => Op::Compare(Cmp::Lt, dst, a, b),
                        BinOp::Le => Op::Compare(Cmp::Le, dst, a, b),
                        // 5.1 turns `a > b` into `b < a`, which shows in
                        // the order of "attempt to compare" messages.
                        BinOp::Gt => Op::Compare(Cmp::Lt, dst, b, a),
                        BinOp::Ge => Op::Compare(Cmp::Le, dst, b, a),
                        BinOp::And | BinOp::Or => Op::Jmp(0),
                    };
                    let pc = self.emit(instr);
                    if a != b {
                        self.hint(pc, a, acc_name.take());
                    }
                    let rname = self.name_of(&tail.rhs);
                    self.hint(pc, b, rname);
                    acc = dst;
                }
            }
            acc_name = None;
            self.free = saved;
        }
        if acc != dst {
            self.emit(Op::Move(dst, acc));
        }
        Ok(())
    }

    fn table(&mut self, items: &[TableItem], dst: Reg, line: u32) -> Result<()> {
        let last_multi = matches!(items.last(), Some(TableItem::Positional(e)) if is_multi(e));
        let npos = items
            .iter()
            .filter(|i| matches!(i, TableItem::Positional(_)))
            .count()
            - usize::from(last_multi);
        let nhash = items.len() - npos - usize::from(last_multi);
        let t = if dst >= self.nactive {
            dst
        } else {
            self.alloc(1)?
        };
        self.line = line;
        self.emit(Op::NewTable(
            t,
            ctor_size(npos) as u32,
            ctor_size(nhash) as u32,
        ));
        let mut pending = 0usize;
        let mut stored = 0usize;
        for (i, item) in items.iter().enumerate() {
            if pending == FIELDS_PER_FLUSH {
                self.line = line;
                self.emit(Op::SetList(t, pending as u16 + 1, (stored + 1) as u32));
                stored += pending;
                pending = 0;
                self.free = t + 1;
            }
            match item {
                TableItem::Positional(e) => {
                    let r = t + 1 + pending as Reg;
                    if i + 1 == items.len() && last_multi {
                        if self.free <= r {
                            self.alloc(usize::from(r - self.free) + 1)?;
                        }
                        self.expr_multi(e, r, MULTI)?;
                        self.line = line;
                        self.emit(Op::SetList(t, MULTI, (stored + 1) as u32));
                        pending = 0;
                        break;
                    }
                    self.expr(e, r)?;
                    pending += 1;
                }
                TableItem::Named { name, value } => {
                    let saved = self.free;
                    let k = self.str_const(name)?;
                    let v = self.expr_any(value)?;
                    self.emit(Op::SetField(t, k, v));
                    self.free = saved;
                }
                TableItem::Keyed { key, value } => {
                    let saved = self.free;
                    let k = self.expr_any(key)?;
                    let v = self.expr_any(value)?;
                    self.emit(Op::SetTable(t, k, v));
                    self.free = saved;
                }
            }
        }
        if pending > 0 {
            self.line = line;
            self.emit(Op::SetList(t, pending as u16 + 1, (stored + 1) as u32));
        }
        if t != dst {
            self.emit(Op::Move(dst, t));
        }
        Ok(())
    }

    /// Evaluates `base` and all `suffixes` but the ones that follow into
    /// `obj`, returning the name of the value left there.
    fn prefix(&mut self, base: &Expr, suffixes: &[Suffix], obj: Reg) -> Result<Name> {
        self.expr(base, obj)?;
        let mut name = self.name_of(base);
        for s in suffixes {
            name = self.suffix(s, obj, obj, name, 2)?;
        }
        Ok(name)
    }

    /// Applies one suffix to the value in `obj`, leaving the result in
    /// `dst` (calls: from `dst`, `nresults + 1` values). Returns the
    /// result's name.
    fn suffix(
        &mut self,
        s: &Suffix,
        obj: Reg,
        dst: Reg,
        name: Name,
        nresults: u16,
    ) -> Result<Name> {
        let saved = self.free;
        let out = match s {
            Suffix::Field { name: f, line } => {
                let k = self.str_const(f)?;
                self.line = *line;
                let pc = self.emit(Op::GetField(dst, obj, k));
                self.hint(pc, obj, name);
                Some((NameKind::Field, f.as_slice().into()))
            }
            Suffix::Index { key, line } => {
                let k = self.expr_any(key)?;
                self.line = *line;
                let pc = self.emit(Op::GetTable(dst, obj, k));
                self.hint(pc, obj, name);
                match &key.kind {
                    ExprKind::String(s) => Some((NameKind::Field, s.as_slice().into())),
                    _ => None,
                }
            }
            Suffix::Call { args, line, .. } => {
                if obj != dst {
                    self.emit(Op::Move(dst, obj));
                }
                self.free = dst + 1;
                let multi = self.explist(args, dst + 1, Want::All)?;
                let nargs = if multi { MULTI } else { args.len() as u16 + 1 };
                self.line = *line;
                let pc = self.emit(Op::Call(dst, nargs, nresults));
                self.hint(pc, dst, name);
                None
            }
            Suffix::Method {
                name: m,
                args,
                line,
                ..
            } => {
                let k = self.str_const(m)?;
                self.free = dst;
                self.alloc(2)?;
                self.line = *line;
                let pc = self.emit(Op::SelfOp(dst, obj, k));
                self.hint(pc, obj, name);
                let multi = self.explist(args, dst + 2, Want::All)?;
                let nargs = if multi { MULTI } else { args.len() as u16 + 2 };
                self.line = *line;
                let pc = self.emit(Op::Call(dst, nargs, nresults));
                self.hint(pc, dst, Some((NameKind::Method, m.as_slice().into())));
                None
            }
        };
        self.free = saved.max(dst + 1);
        Ok(out)
    }

    /// A suffix chain ending in an index.
    fn suffixed(&mut self, base: &Expr, suffixes: &[Suffix], dst: Reg) -> Result<()> {
        let Some((last, init)) = suffixes.split_last() else {
            return self.expr(base, dst);
        };
        let (obj, name) = self.chain(base, init, dst)?;
        self.suffix(last, obj, dst, name, 2)?;
        Ok(())
    }

    /// Evaluates a chain up to its last suffix; returns the register with
    /// the object (a local's own register when the chain is just a local)
    /// and its name.
    fn chain(&mut self, base: &Expr, init: &[Suffix], dst: Reg) -> Result<(Reg, Name)> {
        if init.is_empty() {
            if let ExprKind::Var(Var::Local { slot, .. }) = base.kind {
                return Ok((Reg::from(slot), self.name_of(base)));
            }
        }
        let name = self.prefix(base, init, dst)?;
        Ok((dst, name))
    }

    fn suffixed_call(
        &mut self,
        base: &Expr,
        suffixes: &[Suffix],
        dst: Reg,
        nresults: u16,
        tail: bool,
    ) -> Result<()> {
        let Some((last, init)) = suffixes.split_last() else {
            return self.expr(base, dst);
        };
        // A call's function and arguments must be the top registers.
        let call_base = if dst + 1 >= self.free {
            dst
        } else {
            self.alloc(1)?
        };
        if self.free <= call_base {
            self.alloc(usize::from(call_base - self.free) + 1)?;
        }
        let (obj, name) = self.chain(base, init, call_base)?;
        self.suffix(last, obj, call_base, name, nresults)?;
        if tail {
            if let Some(Op::Call(a, b, _)) = self.code.last().copied() {
                let pc = self.code.len() - 1;
                if let Some(op) = self.code.get_mut(pc) {
                    *op = Op::TailCall(a, b);
                }
            }
        }
        if call_base != dst && nresults == 2 {
            // A temporary call base only arises for single results.
            self.emit(Op::Move(dst, call_base));
        }
        Ok(())
    }
}
