//! Lua 5.1's parser: recursive descent from tokens to the [`crate::ast`]
//! tree, resolving every name to a local slot, an upvalue or a global as
//! it goes, and enforcing 5.1's limits with its messages.
//!
//! The grammar, the order of its checks and the places that read the
//! lexer's line follow the reference parser, so that what it accepts and
//! the exact error it reports for what it rejects (including which token
//! is "near") match `loadstring` in Lua 5.1.5. Recursion only happens
//! through [`Parser::chunk`] and [`Parser::subexpr`], each counting one
//! syntax level against 5.1's limit of 200, so hostile nesting ends in
//! "chunk has too many syntax levels" long before the Rust stack is at
//! risk; operator chains and suffix chains are loops.

use crate::ast::{
    BinOp, BinTail, Block, Chunk, Expr, ExprKind, Function, IfClause, LocalId, LocalVar, Stat,
    StatKind, Suffix, TableItem, UnOp, Upvalue, UpvalueSource, Var,
};
pub use crate::lex::SyntaxError;
use crate::lex::{Lexer, Token};

/// C calls plus syntax levels allowed (`LUAI_MAXCCALLS`).
const MAX_LEVELS: u32 = 200;
/// Locals active at once in one function (`LUAI_MAXVARS`).
const MAX_ACTIVE_LOCALS: usize = 200;
/// Upvalues of one function (`LUAI_MAXUPVALUES`).
const MAX_UPVALUES: usize = 60;
/// Local declarations in one function: 5.1 keeps their debug records in
/// an array limited to `SHRT_MAX` entries.
const MAX_LOCAL_RECORDS: usize = 32767;
/// Functions nested directly in one function (`MAXARG_Bx`).
const MAX_CLOSURES: usize = 262143;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses a chunk as Redis loads a script (`luaL_loadbuffer` called from
/// C, outside any Lua call). `chunk_name` is 5.1's chunk name:
/// `@user_script` for scripts, `=name`, or the source text itself as
/// `loadstring(s)` uses it.
pub fn parse(source: &[u8], chunk_name: &[u8]) -> std::result::Result<Chunk, SyntaxError> {
    parse_nested(source, chunk_name, 0)
}

/// Parses a chunk from inside `c_calls` nested C calls. 5.1 counts those
/// against the same limit as syntax levels, so `loadstring` called from a
/// running script (one call deep) accepts one level less nesting than a
/// script loaded by Redis; `lua5.1` running a file calls `loadstring` two
/// deep, and from inside a coroutine three deep.
pub fn parse_nested(
    source: &[u8],
    chunk_name: &[u8],
    c_calls: u32,
) -> std::result::Result<Chunk, SyntaxError> {
    let mut parser = Parser {
        lex: Lexer::new(source, chunk_name),
        fs: Box::new(FuncState::new(0, true)),
        enclosing: Vec::new(),
        level: c_calls,
    };
    parser.lex.advance()?;
    let stats = parser.chunk()?;
    parser.check(&Token::Eof)?;
    let main = parser.fs.finish(stats, 0);
    Ok(Chunk {
        source: chunk_name.to_vec(),
        main,
    })
}

/// A block scope (5.1's `BlockCnt`).
struct Scope {
    /// Locals active when the scope began; its own locals are above.
    active_before: usize,
    is_loop: bool,
    /// One of the scope's own locals has been captured.
    captured: bool,
}

/// A function being parsed.
struct FuncState {
    line: u32,
    locals: Vec<LocalVar>,
    /// Active locals by slot, followed by locals declared but not yet
    /// active (`local a = a` reads the outer `a`).
    slots: Vec<LocalId>,
    active: usize,
    max_active: usize,
    upvalues: Vec<Upvalue>,
    scopes: Vec<Scope>,
    num_params: u8,
    is_vararg: bool,
    has_arg: bool,
    needs_arg: bool,
    /// Functions defined directly inside this one.
    closures: usize,
}

impl FuncState {
    fn new(line: u32, is_vararg: bool) -> Self {
        FuncState {
            line,
            locals: Vec::new(),
            slots: Vec::new(),
            active: 0,
            max_active: 0,
            upvalues: Vec::new(),
            // The function's own outermost scope.
            scopes: vec![Scope {
                active_before: 0,
                is_loop: false,
                captured: false,
            }],
            num_params: 0,
            is_vararg,
            has_arg: false,
            needs_arg: false,
            closures: 0,
        }
    }

    fn finish(self, stats: Vec<Stat>, end_line: u32) -> Function {
        let captured = self.scopes.first().is_some_and(|scope| scope.captured);
        Function {
            line: self.line,
            end_line,
            num_params: self.num_params,
            is_vararg: self.is_vararg,
            has_arg: self.has_arg,
            needs_arg: self.has_arg && self.needs_arg,
            locals: self.locals,
            upvalues: self.upvalues,
            max_locals: u8::try_from(self.max_active).unwrap_or(u8::MAX),
            body: Block { stats, captured },
        }
    }

    /// The slot of the innermost active local called `name`.
    fn find_active(&self, name: &[u8]) -> Option<usize> {
        let active = self.slots.get(..self.active)?;
        active.iter().rposition(|&id| {
            self.locals
                .get(usize::from(id))
                .is_some_and(|local| local.name == name)
        })
    }

    /// Records that an inner function captures the local in `slot`.
    fn capture(&mut self, slot: usize) {
        if let Some(local) = self
            .slots
            .get(slot)
            .and_then(|&id| self.locals.get_mut(usize::from(id)))
        {
            local.captured = true;
        }
        if let Some(scope) = self
            .scopes
            .iter_mut()
            .rev()
            .find(|scope| scope.active_before <= slot)
        {
            scope.captured = true;
        }
    }

    fn activate(&mut self, count: usize) {
        self.active = (self.active + count).min(self.slots.len());
        self.max_active = self.max_active.max(self.active);
    }
}

struct Parser<'a> {
    lex: Lexer<'a>,
    /// The function being parsed (boxed, like the others, so that entering
    /// and leaving a function moves pointers, not whole states).
    fs: Box<FuncState>,
    /// The functions it is nested in, outermost first.
    #[allow(
        clippy::vec_box,
        reason = "moving states in and out stays a pointer move"
    )]
    enclosing: Vec<Box<FuncState>>,
    /// 5.1's `nCcalls`: C calls the parse started under, plus the chunks
    /// and subexpressions being parsed.
    level: u32,
}

/// Parses a statement after its first token has been seen, given the
/// statement's line.
type StatParser<'a> = fn(&mut Parser<'a>, u32) -> Result<StatKind>;

fn block_follow(token: &Token) -> bool {
    matches!(
        token,
        Token::Else | Token::Elseif | Token::End | Token::Until | Token::Eof
    )
}

fn unary_op(token: &Token) -> Option<UnOp> {
    match token {
        Token::Not => Some(UnOp::Not),
        Token::Char(b'-') => Some(UnOp::Neg),
        Token::Char(b'#') => Some(UnOp::Len),
        _ => None,
    }
}

fn binary_op(token: &Token) -> Option<BinOp> {
    Some(match token {
        Token::Char(b'+') => BinOp::Add,
        Token::Char(b'-') => BinOp::Sub,
        Token::Char(b'*') => BinOp::Mul,
        Token::Char(b'/') => BinOp::Div,
        Token::Char(b'%') => BinOp::Mod,
        Token::Char(b'^') => BinOp::Pow,
        Token::Concat => BinOp::Concat,
        Token::Ne => BinOp::Ne,
        Token::Eq => BinOp::Eq,
        Token::Char(b'<') => BinOp::Lt,
        Token::Le => BinOp::Le,
        Token::Char(b'>') => BinOp::Gt,
        Token::Ge => BinOp::Ge,
        Token::And => BinOp::And,
        Token::Or => BinOp::Or,
        _ => return None,
    })
}

fn is_call(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Suffixed { suffixes, .. } => {
            matches!(
                suffixes.last(),
                Some(Suffix::Call { .. } | Suffix::Method { .. })
            )
        }
        _ => false,
    }
}

fn is_assignable(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Var(_) => true,
        ExprKind::Suffixed { suffixes, .. } => {
            matches!(
                suffixes.last(),
                Some(Suffix::Field { .. } | Suffix::Index { .. })
            )
        }
        _ => false,
    }
}

impl<'a> Parser<'a> {
    fn expr_here(&self, kind: ExprKind) -> Expr {
        Expr {
            kind,
            line: self.lex.last_line(),
        }
    }

    fn at(&self, c: u8) -> bool {
        *self.lex.token() == Token::Char(c)
    }

    fn test_next(&mut self, token: &Token) -> Result<bool> {
        if self.lex.token() == token {
            self.lex.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn test_next_char(&mut self, c: u8) -> Result<bool> {
        self.test_next(&Token::Char(c))
    }

    fn error_expected(&self, token: &Token) -> SyntaxError {
        let mut msg = b"'".to_vec();
        msg.extend_from_slice(&token.spelling());
        msg.extend_from_slice(b"' expected");
        self.lex.syntax_error(&msg)
    }

    fn check(&self, token: &Token) -> Result<()> {
        if self.lex.token() == token {
            Ok(())
        } else {
            Err(self.error_expected(token))
        }
    }

    fn check_next(&mut self, token: &Token) -> Result<()> {
        self.check(token)?;
        self.lex.advance()
    }

    fn check_next_char(&mut self, c: u8) -> Result<()> {
        self.check_next(&Token::Char(c))
    }

    /// Expects `what` closing the `who` opened at `line`; the message names
    /// the opener only when it is on another line.
    fn check_match(&mut self, what: &Token, who: &Token, line: u32) -> Result<()> {
        if self.test_next(what)? {
            return Ok(());
        }
        if line == self.lex.line() {
            return Err(self.error_expected(what));
        }
        let mut msg = b"'".to_vec();
        msg.extend_from_slice(&what.spelling());
        msg.extend_from_slice(b"' expected (to close '");
        msg.extend_from_slice(&who.spelling());
        msg.extend_from_slice(format!("' at line {line})").as_bytes());
        Err(self.lex.syntax_error(&msg))
    }

    fn check_name(&mut self) -> Result<Vec<u8>> {
        match self.lex.take_name()? {
            Some(name) => Ok(name),
            None => Err(self.error_expected(&Token::Name(Vec::new()))),
        }
    }

    fn enter_level(&mut self) -> Result<()> {
        self.level = self.level.saturating_add(1);
        if self.level > MAX_LEVELS {
            return Err(self.lex.error(b"chunk has too many syntax levels"));
        }
        Ok(())
    }

    fn leave_level(&mut self) {
        self.level = self.level.saturating_sub(1);
    }

    /// 5.1's message for a per-function limit, placed at the current line.
    fn limit_error(&self, function_line: u32, limit: usize, what: &str) -> SyntaxError {
        let msg = if function_line == 0 {
            format!("main function has more than {limit} {what}")
        } else {
            format!("function at line {function_line} has more than {limit} {what}")
        };
        self.lex.error(msg.as_bytes())
    }

    // Scopes and names.

    fn enter_scope(&mut self, is_loop: bool) {
        self.fs.scopes.push(Scope {
            active_before: self.fs.active,
            is_loop,
            captured: false,
        });
    }

    /// Ends the innermost scope, returning whether any of its locals was
    /// captured.
    fn leave_scope(&mut self) -> bool {
        let Some(scope) = self.fs.scopes.pop() else {
            return false;
        };
        self.fs.active = scope.active_before;
        self.fs.slots.truncate(scope.active_before);
        scope.captured
    }

    /// Declares a local, not yet active: it takes the next slot once the
    /// statement activates it.
    fn new_local(&mut self, name: Vec<u8>) -> Result<LocalId> {
        if self.fs.slots.len() + 1 > MAX_ACTIVE_LOCALS {
            return Err(self.limit_error(self.fs.line, MAX_ACTIVE_LOCALS, "local variables"));
        }
        if self.fs.locals.len() >= MAX_LOCAL_RECORDS {
            // 5.1 raises this as a plain runtime error: no position.
            return Err(SyntaxError::new(b"too many local variables".to_vec()));
        }
        let fs = &mut self.fs;
        let id = LocalId::try_from(fs.locals.len()).unwrap_or(LocalId::MAX);
        fs.locals.push(LocalVar {
            name,
            slot: u8::try_from(fs.slots.len()).unwrap_or(u8::MAX),
            captured: false,
        });
        fs.slots.push(id);
        Ok(id)
    }

    /// Resolves a name: a local of this function, else an upvalue through
    /// every function between this one and the one declaring it, else a
    /// global.
    fn single_var(&mut self, name: Vec<u8>) -> Result<Var> {
        if let Some(slot) = self.fs.find_active(&name) {
            return Ok(Var::Local {
                slot: u8::try_from(slot).unwrap_or(u8::MAX),
                id: self.fs.slots.get(slot).copied().unwrap_or_default(),
            });
        }
        let found = self
            .enclosing
            .iter_mut()
            .enumerate()
            .rev()
            .find_map(|(depth, fs)| Some((depth, fs.find_active(&name)?, fs)));
        let Some((depth, slot, owner)) = found else {
            return Ok(Var::Global(name));
        };
        owner.capture(slot);
        let mut source = UpvalueSource::Local {
            slot: u8::try_from(slot).unwrap_or(u8::MAX),
            id: owner.slots.get(slot).copied().unwrap_or_default(),
        };
        // Outermost first, as 5.1 adds them (and so reports the first
        // function over the limit).
        let mut index = 0;
        for level in depth + 1..=self.enclosing.len() {
            index = self.upvalue_index(level, &name, source)?;
            source = UpvalueSource::Upvalue(index);
        }
        Ok(Var::Upvalue(index))
    }

    /// The index of the upvalue for `source` in the function at nesting
    /// `level` (the current function is `enclosing.len()`), added if new.
    fn upvalue_index(&mut self, level: usize, name: &[u8], source: UpvalueSource) -> Result<u8> {
        let fs = match self.enclosing.get_mut(level) {
            Some(fs) => fs,
            None => &mut self.fs,
        };
        // 5.1 compares registers, not variables: while an inner function
        // is parsed, each register of the functions around it holds one
        // local.
        let same = |other: &UpvalueSource| match (*other, source) {
            (UpvalueSource::Local { slot: a, .. }, UpvalueSource::Local { slot: b, .. }) => a == b,
            (UpvalueSource::Upvalue(a), UpvalueSource::Upvalue(b)) => a == b,
            _ => false,
        };
        if let Some(index) = fs.upvalues.iter().position(|up| same(&up.source)) {
            return Ok(u8::try_from(index).unwrap_or(u8::MAX));
        }
        if fs.upvalues.len() + 1 > MAX_UPVALUES {
            let line = fs.line;
            return Err(self.limit_error(line, MAX_UPVALUES, "upvalues"));
        }
        fs.upvalues.push(Upvalue {
            name: name.to_vec(),
            source,
        });
        Ok(u8::try_from(fs.upvalues.len() - 1).unwrap_or(u8::MAX))
    }

    // Statements.

    /// A statement list up to a block end (5.1's `chunk`): one syntax
    /// level.
    fn chunk(&mut self) -> Result<Vec<Stat>> {
        self.enter_level()?;
        let mut stats = Vec::new();
        while !block_follow(self.lex.token()) {
            let is_last = self.statement(&mut stats)?;
            self.test_next_char(b';')?;
            if is_last {
                break;
            }
        }
        self.leave_level();
        Ok(stats)
    }

    fn block(&mut self) -> Result<Block> {
        self.enter_scope(false);
        let stats = self.chunk()?;
        let captured = self.leave_scope();
        Ok(Block { stats, captured })
    }

    /// Parses one statement onto `stats`, and says whether it must be the
    /// block's last (`return`, `break`).
    fn statement(&mut self, stats: &mut Vec<Stat>) -> Result<bool> {
        let line = self.lex.line();
        // One call for every kind: an unoptimised build gives each call
        // returning a statement its own stack slots, and this frame is on
        // the stack once per level of block nesting.
        let (parse, is_last): (StatParser<'a>, bool) = match self.lex.token() {
            Token::If => (Self::if_stat, false),
            Token::While => (Self::while_stat, false),
            Token::Do => (Self::do_stat, false),
            Token::For => (Self::for_stat, false),
            Token::Repeat => (Self::repeat_stat, false),
            Token::Function => (Self::function_stat, false),
            Token::Local => (Self::local_stat, false),
            Token::Return => (Self::return_stat, true),
            Token::Break => (Self::break_stat, true),
            _ => (Self::expr_stat, false),
        };
        let kind = parse(self, line)?;
        stats.push(Stat { kind, line });
        Ok(is_last)
    }

    // Each statement parser starts at the statement's first token and
    // gets the statement's line.

    fn if_stat(&mut self, line: u32) -> Result<StatKind> {
        let mut clauses = vec![self.test_then_block()?];
        while *self.lex.token() == Token::Elseif {
            clauses.push(self.test_then_block()?);
        }
        let else_body = if self.test_next(&Token::Else)? {
            Some(self.block()?)
        } else {
            None
        };
        self.check_match(&Token::End, &Token::If, line)?;
        Ok(StatKind::If { clauses, else_body })
    }

    /// `if`/`elseif` cond `then` block.
    fn test_then_block(&mut self) -> Result<IfClause> {
        self.lex.advance()?;
        let cond = self.expr()?;
        self.check_next(&Token::Then)?;
        let body = self.block()?;
        Ok(IfClause { cond, body })
    }

    fn while_stat(&mut self, line: u32) -> Result<StatKind> {
        self.lex.advance()?;
        let cond = self.expr()?;
        self.enter_scope(true);
        self.check_next(&Token::Do)?;
        let body = self.block()?;
        self.check_match(&Token::End, &Token::While, line)?;
        self.leave_scope();
        Ok(StatKind::While { cond, body })
    }

    fn do_stat(&mut self, line: u32) -> Result<StatKind> {
        self.lex.advance()?;
        let body = self.block()?;
        self.check_match(&Token::End, &Token::Do, line)?;
        Ok(StatKind::Do(body))
    }

    fn repeat_stat(&mut self, line: u32) -> Result<StatKind> {
        self.enter_scope(true);
        self.enter_scope(false);
        self.lex.advance()?;
        let stats = self.chunk()?;
        self.check_match(&Token::Until, &Token::Repeat, line)?;
        let cond = self.expr()?;
        let captured = self.leave_scope();
        self.leave_scope();
        Ok(StatKind::Repeat {
            body: Block { stats, captured },
            cond,
        })
    }

    fn for_stat(&mut self, line: u32) -> Result<StatKind> {
        // The loop scope holds the hidden control locals.
        self.enter_scope(true);
        self.lex.advance()?;
        let name = self.check_name()?;
        let parse: fn(&mut Self, Vec<u8>) -> Result<StatKind> = match self.lex.token() {
            Token::Char(b'=') => Self::numeric_for,
            Token::Char(b',') | Token::In => Self::generic_for,
            _ => return Err(self.lex.syntax_error(b"'=' or 'in' expected")),
        };
        let kind = parse(self, name)?;
        self.check_match(&Token::End, &Token::For, line)?;
        self.leave_scope();
        Ok(kind)
    }

    fn numeric_for(&mut self, name: Vec<u8>) -> Result<StatKind> {
        let control = self.new_local(b"(for index)".to_vec())?;
        self.new_local(b"(for limit)".to_vec())?;
        self.new_local(b"(for step)".to_vec())?;
        let var = self.new_local(name)?;
        let (start, limit, step) = self.numeric_for_range()?;
        let body = self.for_body(1)?;
        Ok(StatKind::NumericFor {
            control,
            var,
            start,
            limit,
            step,
            body,
        })
    }

    /// `= start, limit [, step]`; only the step may be missing.
    fn numeric_for_range(&mut self) -> Result<(Expr, Expr, Option<Expr>)> {
        self.check_next_char(b'=')?;
        let start = self.expr()?;
        self.check_next_char(b',')?;
        let limit = self.expr()?;
        let step = if self.test_next_char(b',')? {
            Some(self.expr()?)
        } else {
            None
        };
        Ok((start, limit, step))
    }

    fn generic_for(&mut self, first: Vec<u8>) -> Result<StatKind> {
        let control = self.new_local(b"(for generator)".to_vec())?;
        self.new_local(b"(for state)".to_vec())?;
        self.new_local(b"(for control)".to_vec())?;
        let mut vars = vec![self.new_local(first)?];
        while self.test_next_char(b',')? {
            let name = self.check_name()?;
            vars.push(self.new_local(name)?);
        }
        self.check_next(&Token::In)?;
        let call_line = self.lex.line();
        let exprs = self.expr_list()?;
        let body = self.for_body(vars.len())?;
        Ok(StatKind::GenericFor {
            control,
            vars,
            exprs,
            body,
            call_line,
        })
    }

    /// `do block` of a `for`: the control locals become active, then the
    /// declared ones in a scope of their own around the body.
    fn for_body(&mut self, declared: usize) -> Result<Block> {
        self.fs.activate(3);
        self.check_next(&Token::Do)?;
        self.enter_scope(false);
        self.fs.activate(declared);
        let body = self.block()?;
        self.leave_scope();
        Ok(body)
    }

    fn function_stat(&mut self, line: u32) -> Result<StatKind> {
        self.lex.advance()?;
        let (target, is_method) = self.function_name()?;
        let func = Box::new(self.body(is_method, line)?);
        Ok(StatKind::Function {
            target,
            is_method,
            func,
        })
    }

    /// `name{.field}[:method]`, as an assignment target, and whether it
    /// ends with a method name.
    fn function_name(&mut self) -> Result<(Expr, bool)> {
        let base = self.name_exp()?;
        let mut suffixes = Vec::new();
        while self.test_next_char(b'.')? {
            suffixes.push(self.field()?);
        }
        let is_method = self.test_next_char(b':')?;
        if is_method {
            suffixes.push(self.field()?);
        }
        if suffixes.is_empty() {
            return Ok((base, false));
        }
        let target = self.expr_here(ExprKind::Suffixed {
            base: Box::new(base),
            suffixes,
        });
        Ok((target, is_method))
    }

    fn local_stat(&mut self, _line: u32) -> Result<StatKind> {
        self.lex.advance()?;
        if self.test_next(&Token::Function)? {
            self.local_function()
        } else {
            self.local_vars()
        }
    }

    fn local_function(&mut self) -> Result<StatKind> {
        let name = self.check_name()?;
        let local = self.new_local(name)?;
        self.fs.activate(1);
        let func = Box::new(self.body(false, self.lex.line())?);
        Ok(StatKind::LocalFunction { local, func })
    }

    fn local_vars(&mut self) -> Result<StatKind> {
        let mut locals = Vec::new();
        loop {
            let name = self.check_name()?;
            locals.push(self.new_local(name)?);
            if !self.test_next_char(b',')? {
                break;
            }
        }
        let values = if self.test_next_char(b'=')? {
            self.expr_list()?
        } else {
            Vec::new()
        };
        self.fs.activate(locals.len());
        Ok(StatKind::Local { locals, values })
    }

    fn return_stat(&mut self, _line: u32) -> Result<StatKind> {
        self.lex.advance()?;
        let values = if block_follow(self.lex.token()) || self.at(b';') {
            Vec::new()
        } else {
            self.expr_list()?
        };
        Ok(StatKind::Return(values))
    }

    fn break_stat(&mut self, _line: u32) -> Result<StatKind> {
        self.lex.advance()?;
        if !self.fs.scopes.iter().any(|scope| scope.is_loop) {
            return Err(self.lex.syntax_error(b"no loop to break"));
        }
        Ok(StatKind::Break)
    }

    /// A call statement or an assignment.
    fn expr_stat(&mut self, _line: u32) -> Result<StatKind> {
        let first = self.primary_exp()?;
        if is_call(&first) {
            return Ok(StatKind::Call(first));
        }
        let mut targets = vec![first];
        loop {
            if !targets.last().is_some_and(is_assignable) {
                return Err(self.lex.syntax_error(b"syntax error"));
            }
            if !self.test_next_char(b',')? {
                break;
            }
            let target = self.primary_exp()?;
            // 5.1 parses each further target one C call deeper, so it
            // bounds them by the levels left.
            let room = MAX_LEVELS.saturating_sub(self.level) as usize;
            if targets.len() > room {
                return Err(self.limit_error(self.fs.line, room, "variables in assignment"));
            }
            targets.push(target);
        }
        self.check_next_char(b'=')?;
        let values = self.expr_list()?;
        Ok(StatKind::Assign { targets, values })
    }

    // Functions.

    /// Parameters and body of a function defined at `line`, up to `end`.
    fn body(&mut self, is_method: bool, line: u32) -> Result<Function> {
        let parent = std::mem::replace(&mut self.fs, Box::new(FuncState::new(line, false)));
        self.enclosing.push(parent);
        self.check_next_char(b'(')?;
        if is_method {
            self.new_local(b"self".to_vec())?;
            self.fs.activate(1);
        }
        self.param_list()?;
        self.check_next_char(b')')?;
        let stats = self.chunk()?;
        let end_line = self.lex.line();
        self.check_match(&Token::End, &Token::Function, line)?;
        // Pushed above; the fallback is never used.
        let parent = self
            .enclosing
            .pop()
            .unwrap_or_else(|| Box::new(FuncState::new(0, true)));
        let func = std::mem::replace(&mut self.fs, parent).finish(stats, end_line);
        if self.fs.closures >= MAX_CLOSURES {
            // A plain runtime error in 5.1, like "too many local variables".
            return Err(SyntaxError::new(b"constant table overflow".to_vec()));
        }
        self.fs.closures += 1;
        Ok(func)
    }

    fn param_list(&mut self) -> Result<()> {
        if !self.at(b')') {
            loop {
                match self.lex.token() {
                    Token::Name(_) => {
                        let name = self.check_name()?;
                        self.new_local(name)?;
                    }
                    Token::Dots => {
                        self.lex.advance()?;
                        // LUA_COMPAT_VARARG: the extra arguments are also
                        // a table in a local named `arg`.
                        self.new_local(b"arg".to_vec())?;
                        self.fs.is_vararg = true;
                        self.fs.has_arg = true;
                        self.fs.needs_arg = true;
                        break;
                    }
                    _ => return Err(self.lex.syntax_error(b"<name> or '...' expected")),
                }
                if !self.test_next_char(b',')? {
                    break;
                }
            }
        }
        let fs = &mut self.fs;
        fs.activate(fs.slots.len().saturating_sub(fs.active));
        let params = fs.active.saturating_sub(usize::from(fs.has_arg));
        fs.num_params = u8::try_from(params).unwrap_or(u8::MAX);
        Ok(())
    }

    // Expressions. Like the statements, the functions on the recursive
    // paths make one call per kind of operand, so that nesting costs
    // little stack even unoptimised.

    fn expr(&mut self) -> Result<Expr> {
        self.subexpr(0)
    }

    fn expr_list(&mut self) -> Result<Vec<Expr>> {
        let mut exprs = vec![self.expr()?];
        while self.test_next_char(b',')? {
            exprs.push(self.expr()?);
        }
        Ok(exprs)
    }

    /// An operand and every binary operator after it that binds more
    /// loosely than `limit` allows: one syntax level, one loop.
    fn subexpr(&mut self, limit: u8) -> Result<Expr> {
        self.enter_level()?;
        let first = match unary_op(self.lex.token()) {
            Some(op) => self.unary_exp(op)?,
            None => self.simple_exp()?,
        };
        let mut rest = Vec::new();
        while let Some(op) = binary_op(self.lex.token()) {
            let (left, right) = op.priority();
            if left <= limit {
                break;
            }
            self.lex.advance()?;
            let op_line = self.lex.last_line();
            let rhs = self.subexpr(right)?;
            rest.push(BinTail { op, op_line, rhs });
        }
        self.leave_level();
        Ok(if rest.is_empty() {
            first
        } else {
            self.expr_here(ExprKind::Binary {
                first: Box::new(first),
                rest,
            })
        })
    }

    /// At a unary operator: it applies to everything binding tighter.
    fn unary_exp(&mut self, op: UnOp) -> Result<Expr> {
        self.lex.advance()?;
        let operand = Box::new(self.subexpr(UnOp::PRIORITY)?);
        Ok(self.expr_here(ExprKind::Unary { op, operand }))
    }

    fn simple_exp(&mut self) -> Result<Expr> {
        match self.lex.token() {
            Token::Number(_)
            | Token::String(..)
            | Token::Nil
            | Token::True
            | Token::False
            | Token::Dots => self.literal(),
            Token::Char(b'{') => self.constructor(),
            Token::Function => self.function_exp(),
            _ => self.primary_exp(),
        }
    }

    fn literal(&mut self) -> Result<Expr> {
        if let Some(value) = self.lex.take_string()? {
            return Ok(self.expr_here(ExprKind::String(value)));
        }
        let kind = match self.lex.token() {
            Token::Number(n) => ExprKind::Number(*n),
            Token::True => ExprKind::True,
            Token::False => ExprKind::False,
            Token::Dots => {
                if !self.fs.is_vararg {
                    return Err(self
                        .lex
                        .syntax_error(b"cannot use '...' outside a vararg function"));
                }
                self.fs.needs_arg = false;
                ExprKind::Vararg
            }
            // `nil`, the one other token `simple_exp` sends here.
            _ => ExprKind::Nil,
        };
        self.lex.advance()?;
        Ok(self.expr_here(kind))
    }

    fn function_exp(&mut self) -> Result<Expr> {
        self.lex.advance()?;
        let func = Box::new(self.body(false, self.lex.line())?);
        Ok(self.expr_here(ExprKind::Function(func)))
    }

    /// A name or parenthesised expression, then any suffixes.
    fn primary_exp(&mut self) -> Result<Expr> {
        let base = self.prefix_exp()?;
        let mut suffixes = Vec::new();
        while let Some(suffix) = self.suffix()? {
            suffixes.push(suffix);
        }
        Ok(if suffixes.is_empty() {
            base
        } else {
            self.expr_here(ExprKind::Suffixed {
                base: Box::new(base),
                suffixes,
            })
        })
    }

    fn prefix_exp(&mut self) -> Result<Expr> {
        match self.lex.token() {
            Token::Char(b'(') => self.paren_exp(),
            Token::Name(_) => self.name_exp(),
            _ => Err(self.lex.syntax_error(b"unexpected symbol")),
        }
    }

    fn paren_exp(&mut self) -> Result<Expr> {
        let line = self.lex.line();
        self.lex.advance()?;
        let inner = Box::new(self.expr()?);
        self.check_match(&Token::Char(b')'), &Token::Char(b'('), line)?;
        Ok(self.expr_here(ExprKind::Paren(inner)))
    }

    fn name_exp(&mut self) -> Result<Expr> {
        let name = self.check_name()?;
        let var = self.single_var(name)?;
        Ok(self.expr_here(ExprKind::Var(var)))
    }

    /// The next suffix of a primary expression, if any.
    fn suffix(&mut self) -> Result<Option<Suffix>> {
        let parse: fn(&mut Self) -> Result<Suffix> = match self.lex.token() {
            Token::Char(b'.') => Self::field_suffix,
            Token::Char(b'[') => Self::index_suffix,
            Token::Char(b':') => Self::method_suffix,
            Token::Char(b'(' | b'{') | Token::String(..) => Self::call_suffix,
            _ => return Ok(None),
        };
        parse(self).map(Some)
    }

    fn field_suffix(&mut self) -> Result<Suffix> {
        self.lex.advance()?;
        self.field()
    }

    /// The name after `.` or `:`.
    fn field(&mut self) -> Result<Suffix> {
        let name = self.check_name()?;
        Ok(Suffix::Field {
            name,
            line: self.lex.last_line(),
        })
    }

    fn index_suffix(&mut self) -> Result<Suffix> {
        self.lex.advance()?;
        let key = self.expr()?;
        self.check_next_char(b']')?;
        Ok(Suffix::Index {
            key,
            line: self.lex.last_line(),
        })
    }

    fn method_suffix(&mut self) -> Result<Suffix> {
        self.lex.advance()?;
        let name = self.check_name()?;
        let line = self.lex.line();
        let args = self.call_args()?;
        Ok(Suffix::Method {
            name,
            args,
            line,
            end_line: self.lex.last_line(),
        })
    }

    fn call_suffix(&mut self) -> Result<Suffix> {
        let line = self.lex.line();
        let args = self.call_args()?;
        Ok(Suffix::Call {
            args,
            line,
            end_line: self.lex.last_line(),
        })
    }

    /// A call's arguments: `(list)`, a table constructor or a string.
    fn call_args(&mut self) -> Result<Vec<Expr>> {
        if let Some(value) = self.lex.take_string()? {
            return Ok(vec![self.expr_here(ExprKind::String(value))]);
        }
        match self.lex.token() {
            Token::Char(b'(') => self.paren_args(),
            Token::Char(b'{') => Ok(vec![self.constructor()?]),
            _ => Err(self.lex.syntax_error(b"function arguments expected")),
        }
    }

    fn paren_args(&mut self) -> Result<Vec<Expr>> {
        let line = self.lex.line();
        // A `(` on a new line would be read as a call of the previous
        // line's expression; 5.1 refuses to guess.
        if line != self.lex.last_line() {
            return Err(self
                .lex
                .syntax_error(b"ambiguous syntax (function call x new statement)"));
        }
        self.lex.advance()?;
        let args = if self.at(b')') {
            Vec::new()
        } else {
            self.expr_list()?
        };
        self.check_match(&Token::Char(b')'), &Token::Char(b'('), line)?;
        Ok(args)
    }

    fn constructor(&mut self) -> Result<Expr> {
        let line = self.lex.line();
        self.check_next_char(b'{')?;
        let mut items = Vec::new();
        while !self.at(b'}') {
            items.push(self.table_item()?);
            if !(self.test_next_char(b',')? || self.test_next_char(b';')?) {
                break;
            }
        }
        self.check_match(&Token::Char(b'}'), &Token::Char(b'{'), line)?;
        Ok(self.expr_here(ExprKind::Table(items)))
    }

    fn table_item(&mut self) -> Result<TableItem> {
        // `name = value` or an expression starting with a name: 5.1 reads
        // one token ahead to tell.
        let named = matches!(self.lex.token(), Token::Name(_))
            && *self.lex.lookahead()? == Token::Char(b'=');
        let parse: fn(&mut Self) -> Result<TableItem> = if named {
            Self::named_item
        } else if self.at(b'[') {
            Self::keyed_item
        } else {
            |p| Ok(TableItem::Positional(p.expr()?))
        };
        parse(self)
    }

    fn named_item(&mut self) -> Result<TableItem> {
        let name = self.check_name()?;
        self.check_next_char(b'=')?;
        let value = self.expr()?;
        Ok(TableItem::Named { name, value })
    }

    fn keyed_item(&mut self) -> Result<TableItem> {
        self.lex.advance()?;
        let key = self.expr()?;
        self.check_next_char(b']')?;
        self.check_next_char(b'=')?;
        let value = self.expr()?;
        Ok(TableItem::Keyed { key, value })
    }
}
