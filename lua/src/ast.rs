//! The syntax tree `parse` builds, shaped for a 5.1-style register compiler.
//!
//! Names are already resolved: every variable is a register slot of the
//! function it is used in, an upvalue index, or a global name, and each
//! [`Function`] carries its locals and upvalue list, so the compiler never
//! keeps scopes of its own.
//!
//! Two shapes follow Lua 5.1's parser loops instead of a binary tree, so
//! that no walk of the tree recurses deeper than the source's syntactic
//! nesting (which the parser caps at 200 levels): a suffix chain such as
//! `a.b[c](d):e()` is one [`ExprKind::Suffixed`] node with a list of
//! suffixes, and a run of binary operators is one [`ExprKind::Binary`] node
//! folded left to right. A 100,000-long `a.b.c...` or `1 + 1 + ...` is then
//! a flat list, not 100,000 nested boxes.
//!
//! Lines: `Expr::line` is the line of the expression's last token, which is
//! the line 5.1 attributes to the instruction that completes it (its
//! `lastline` at that point). Calls, operators, functions and statements
//! carry the other lines 5.1 uses; each is documented where it appears.

/// Index into [`Function::locals`].
pub type LocalId = u16;

/// A parsed chunk: the main function (line 0, vararg, no parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// The chunk name as given to the parser (`@user_script`, `=stdin`,
    /// or source text); the compiler stores it for error positions.
    pub source: Vec<u8>,
    pub main: Function,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// The line 5.1 records as `linedefined`: the `function` keyword of a
    /// `function name()` statement, otherwise the line of the `(` opening
    /// the parameters; 0 for the main chunk.
    pub line: u32,
    /// The line of the closing `end` (`lastlinedefined`); 0 for the main
    /// chunk.
    pub end_line: u32,
    /// Fixed parameters, including the implicit `self` of a method. They
    /// are `locals[0..num_params]`, in slots `0..num_params`.
    pub num_params: u8,
    pub is_vararg: bool,
    /// 5.1's `LUA_COMPAT_VARARG`: every vararg function other than the
    /// main chunk has an implicit local `arg` right after its parameters
    /// (`locals[num_params]`, slot `num_params`).
    pub has_arg: bool,
    /// The body never uses `...`, so a call must fill `arg` with a table of
    /// the extra arguments and their count in field `n`; otherwise `arg`
    /// starts as nil.
    pub needs_arg: bool,
    /// Every local the function declares, in declaration order: the
    /// parameters, then `arg`, then each declaration as the parser meets
    /// it, including the three hidden control variables of each `for`
    /// (named `(for index)`, `(for limit)`, `(for step)` or
    /// `(for generator)`, `(for state)`, `(for control)`, as 5.1 names
    /// them in debug information).
    pub locals: Vec<LocalVar>,
    /// What each upvalue captures, in index order (the order of first use,
    /// as 5.1 numbers them).
    pub upvalues: Vec<Upvalue>,
    /// The most locals active at once: registers `0..max_locals` hold
    /// locals; temporaries go above the locals active at each point.
    pub max_locals: u8,
    pub body: Block,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LocalVar {
    pub name: Vec<u8>,
    /// The register the local lives in: the number of locals active when
    /// it was declared. Slots are reused once a block ends.
    pub slot: u8,
    /// An inner function captures it as an upvalue, so leaving its scope
    /// (or a `break` out of it) must close it.
    pub captured: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpvalueSource {
    /// A local of the directly enclosing function, active when this
    /// function's `function` expression is evaluated.
    Local { slot: u8, id: LocalId },
    /// An upvalue of the directly enclosing function.
    Upvalue(u8),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Upvalue {
    /// The variable's name, for "upvalue 'x'" in error messages.
    pub name: Vec<u8>,
    pub source: UpvalueSource,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub stats: Vec<Stat>,
    /// Some local declared directly in this block is captured by a
    /// closure: 5.1 closes upvalues when such a block ends. A function's
    /// outermost block needs no close (returning closes everything); a
    /// `repeat` body's flag also covers captures in its `until` condition,
    /// which sees the body's locals.
    pub captured: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub kind: StatKind,
    /// The line of the statement's first token.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatKind {
    /// `local a, b = e1, e2`: the values are evaluated before the new
    /// locals become active, then assigned with 5.1's adjustment (extra
    /// values dropped, missing ones nil, a final call or `...` expanded).
    Local {
        locals: Vec<LocalId>,
        values: Vec<Expr>,
    },
    /// `local function f`: `f` is active inside its own body.
    LocalFunction {
        local: LocalId,
        func: Box<Function>,
    },
    /// `function a.b.c:m()`: `target` is what is assigned, as in
    /// [`StatKind::Assign`] (a variable, or a suffix chain of `Field`s whose
    /// last field is the name being defined). With `is_method`, `func`'s
    /// first parameter is the implicit `self`.
    Function {
        target: Expr,
        is_method: bool,
        func: Box<Function>,
    },
    /// Each target is an [`ExprKind::Var`] or an [`ExprKind::Suffixed`]
    /// whose last suffix is a `Field` or `Index`.
    Assign {
        targets: Vec<Expr>,
        values: Vec<Expr>,
    },
    /// A call statement: an [`ExprKind::Suffixed`] whose last suffix is a
    /// `Call` or `Method`; its results are discarded.
    Call(Expr),
    Do(Block),
    While {
        cond: Expr,
        body: Block,
    },
    /// The condition is evaluated inside the body's scope.
    Repeat {
        body: Block,
        cond: Expr,
    },
    If {
        clauses: Vec<IfClause>,
        else_body: Option<Block>,
    },
    /// `for v = start, limit, step do body end`. `control` is the first of
    /// the three hidden locals, which take the three slots below `var`'s;
    /// `var` is active only in the body. The statement's line is the line
    /// 5.1 gives the loop instructions.
    NumericFor {
        control: LocalId,
        var: LocalId,
        start: Expr,
        limit: Expr,
        step: Option<Expr>,
        body: Block,
    },
    /// `for a, b in exprs do body end`: `control` is the first of the three
    /// hidden locals (generator, state, control), followed by `vars`.
    /// `call_line` is the line of the first token after `in`, which 5.1
    /// gives the iterator call.
    GenericFor {
        control: LocalId,
        vars: Vec<LocalId>,
        exprs: Vec<Expr>,
        body: Block,
        call_line: u32,
    },
    Return(Vec<Expr>),
    Break,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IfClause {
    pub cond: Expr,
    pub body: Block,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// The line of the expression's last token.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Nil,
    True,
    False,
    /// `...`: all the extra arguments, or the first when one value is
    /// wanted.
    Vararg,
    Number(f64),
    String(Vec<u8>),
    Var(Var),
    Function(Box<Function>),
    Table(Vec<TableItem>),
    /// `(e)`: one value, even when `e` is a call or `...`; a parenthesised
    /// variable is not assignable.
    Paren(Box<Expr>),
    /// `base` (a `Var` or a `Paren`) followed by one or more suffixes,
    /// applied left to right.
    Suffixed {
        base: Box<Expr>,
        suffixes: Vec<Suffix>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    /// `first op1 rhs1 op2 rhs2 ...` evaluated as `((first op1 rhs1) op2
    /// rhs2) ...`: one pass of 5.1's operator-precedence loop. Every `rhs`
    /// binds tighter than its operator (or is a right-associative `..`/`^`
    /// chain), so this is exactly 5.1's tree; at least one tail.
    Binary {
        first: Box<Expr>,
        rest: Vec<BinTail>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Var {
    /// A local of the function the expression is in; `slot` is its
    /// register and `id` indexes [`Function::locals`].
    Local {
        slot: u8,
        id: LocalId,
    },
    /// Index into the current function's [`Function::upvalues`].
    Upvalue(u8),
    Global(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Suffix {
    /// `.name` (also the `name` of `function a.name()`); `line` is the
    /// name's line.
    Field { name: Vec<u8>, line: u32 },
    /// `[key]`; `line` is the line of `]`.
    Index { key: Expr, line: u32 },
    /// `(args)`, `{...}` or `"string"`. `line` is the line of the token
    /// opening the arguments, where 5.1 places the call instruction;
    /// `end_line` is the line of the arguments' last token.
    Call {
        args: Vec<Expr>,
        line: u32,
        end_line: u32,
    },
    /// `:name(args)`, with lines as for `Call`.
    Method {
        name: Vec<u8>,
        args: Vec<Expr>,
        line: u32,
        end_line: u32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct BinTail {
    pub op: BinOp,
    /// The operator's line: 5.1 emits the left operand's pending code (and
    /// the jumps of `and`/`or`) there; the operation itself goes on the
    /// line of `rhs`'s last token, `rhs.line`.
    pub op_line: u32,
    pub rhs: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TableItem {
    /// `value`: stored at the next array index; a final call or `...`
    /// contributes all its values.
    Positional(Expr),
    /// `name = value`.
    Named { name: Vec<u8>, value: Expr },
    /// `[key] = value`.
    Keyed { key: Expr, value: Expr },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    Len,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    /// Lua 5.1's (left, right) binding priorities: an operator continues
    /// an expression whose limit is below its left priority, and its
    /// right operand is parsed with its right priority as the limit, so
    /// `..` and `^` (right lower than left) associate to the right.
    pub fn priority(self) -> (u8, u8) {
        match self {
            BinOp::Or => (1, 1),
            BinOp::And => (2, 2),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => (3, 3),
            BinOp::Concat => (5, 4),
            BinOp::Add | BinOp::Sub => (6, 6),
            BinOp::Mul | BinOp::Div | BinOp::Mod => (7, 7),
            BinOp::Pow => (10, 9),
        }
    }

    /// The operator as written in Lua source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Concat => "..",
            BinOp::Eq => "==",
            BinOp::Ne => "~=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

impl UnOp {
    /// Unary operators bind tighter than everything but `^`.
    pub const PRIORITY: u8 = 8;

    /// The operator as written in Lua source.
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Not => "not",
            UnOp::Len => "#",
        }
    }
}
