//! Function libraries (FUNCTION LOAD ... FCALL): the libraries by name,
//! their functions by name (found without case, as FCALL finds them), and
//! loading a library's code in an interpreter of its own, as Redis 7.0
//! keeps one for functions apart from EVAL's.

use std::collections::BTreeMap;

use redsim_lua::lib_function::{self, Environment, Registered};
use redsim_lua::value::Value;
use redsim_lua::vm::{NoHost, Outcome, Vm};

use super::{lua_setup_error, Flags, INSTRUCTIONS_PER_MS, LUA_MEMORY_LIMIT};
use crate::error::CmdError;
use crate::line::split_args;

/// How long a library's code may run at load time (Redis's 500 ms), on
/// the instruction clock.
const LOAD_BUDGET: u64 = 500 * INSTRUCTIONS_PER_MS;

/// One registered function.
pub struct Function {
    pub name: String,
    pub callback: Value,
    pub description: Option<Vec<u8>>,
    pub flags: Flags,
}

/// A loaded library: its code as given (shebang included) and functions.
pub struct Library {
    pub name: String,
    pub code: Vec<u8>,
    pub functions: Vec<Function>,
}

/// The function engine: its interpreter and the loaded libraries.
#[derive(Default)]
pub struct Functions {
    /// Taken out while a function runs synchronously.
    pub(super) vm: Option<Box<Vm>>,
    env: Option<Environment>,
    libraries: BTreeMap<String, Library>,
}

/// What FUNCTION RESTORE does with libraries already loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestorePolicy {
    /// Fail if a library exists (the default).
    Append,
    /// Libraries of the same name are replaced.
    Replace,
    /// Every library goes first.
    Flush,
}

fn err(text: impl Into<String>) -> CmdError {
    CmdError::Other(text.into())
}

impl Functions {
    pub fn libraries(&self) -> impl Iterator<Item = &Library> {
        self.libraries.values()
    }

    /// The function interpreter's heap in use (0 before the first load).
    pub fn lua_bytes(&self) -> usize {
        self.vm.as_ref().map_or(0, |vm| vm.heap.bytes_used())
    }

    pub fn function_count(&self) -> usize {
        self.libraries.values().map(|l| l.functions.len()).sum()
    }

    /// A function by name, any case: its callback, name and flags.
    pub(crate) fn find(&self, name: &[u8]) -> Option<(Value, String, Flags)> {
        self.libraries
            .values()
            .flat_map(|l| &l.functions)
            .find(|f| f.name.as_bytes().eq_ignore_ascii_case(name))
            .map(|f| (f.callback, f.name.clone(), f.flags))
    }

    /// Drops every library and the interpreter (FUNCTION FLUSH).
    pub fn flush(&mut self) {
        self.libraries.clear();
        self.vm = None;
        self.env = None;
    }

    /// Removes a library (FUNCTION DELETE).
    pub fn delete(&mut self, name: &[u8]) -> Result<(), CmdError> {
        let name = String::from_utf8_lossy(name);
        let gone = self
            .libraries
            .remove(name.as_ref())
            .ok_or_else(|| err("ERR Library not found"))?;
        self.unpin(&gone);
        Ok(())
    }

    /// FUNCTION LOAD: the library's name, or Redis's error.
    pub fn load(&mut self, code: &[u8], replace: bool) -> Result<String, CmdError> {
        let (name, body) = metadata(code)?;
        if !replace && self.libraries.contains_key(&name) {
            return Err(err(format!("ERR Library '{name}' already exists")));
        }
        let library = self.create(name, code, body)?;
        self.link(vec![library], replace)
            .map(|mut names| names.pop().unwrap_or_default())
    }

    /// FUNCTION RESTORE of the libraries' codes from a payload.
    pub fn restore(&mut self, codes: Vec<Vec<u8>>, policy: RestorePolicy) -> Result<(), CmdError> {
        let mut created = Vec::new();
        for code in codes {
            let made = metadata(&code).and_then(|(name, body)| {
                if created.iter().any(|l: &Library| l.name == name) {
                    return Err(err(format!("ERR Library '{name}' already exists")));
                }
                self.create(name, &code, body)
            });
            match made {
                Ok(library) => created.push(library),
                Err(e) => {
                    created.iter().for_each(|l| self.unpin(l));
                    return Err(e);
                }
            }
        }
        if policy == RestorePolicy::Flush {
            let old = std::mem::take(&mut self.libraries);
            old.values().for_each(|l| self.unpin(l));
        }
        self.link(created, policy == RestorePolicy::Replace)
            .map(|_| ())
    }

    /// Adds `new` libraries, replacing those of the same name if
    /// `replace` (else that is an error); no function may clash with
    /// another library's. All or nothing.
    fn link(&mut self, new: Vec<Library>, replace: bool) -> Result<Vec<String>, CmdError> {
        let refuse = |this: &mut Functions, new: &[Library], e: CmdError| {
            new.iter().for_each(|l| this.unpin(l));
            Err(e)
        };
        for library in &new {
            if !replace && self.libraries.contains_key(&library.name) {
                return refuse(
                    self,
                    &new,
                    err(format!("ERR Library {} already exists", library.name)),
                );
            }
            let clash = library.functions.iter().find(|f| {
                self.libraries
                    .values()
                    .filter(|other| other.name != library.name)
                    .flat_map(|other| &other.functions)
                    .any(|g| g.name.eq_ignore_ascii_case(&f.name))
            });
            if let Some(f) = clash {
                let text = format!("ERR Function {} already exists", f.name);
                return refuse(self, &new, err(text));
            }
        }
        let mut names = Vec::new();
        for library in new {
            names.push(library.name.clone());
            if let Some(old) = self.libraries.insert(library.name.clone(), library) {
                self.unpin(&old);
            }
        }
        Ok(names)
    }

    fn unpin(&mut self, library: &Library) {
        if let Some(vm) = self.vm.as_deref_mut() {
            library.functions.iter().for_each(|f| vm.unpin(f.callback));
        }
    }

    /// The interpreter and its environment, made if there is none.
    fn engine(&mut self) -> Result<(&mut Vm, Environment), CmdError> {
        if self.vm.is_none() || self.env.is_none() {
            let mut vm = Vm::new(LUA_MEMORY_LIMIT).map_err(lua_setup_error)?;
            self.env = Some(lib_function::open(&mut vm).map_err(lua_setup_error)?);
            self.vm = Some(Box::new(vm));
        }
        match (self.vm.as_deref_mut(), self.env) {
            (Some(vm), Some(env)) => Ok((vm, env)),
            _ => Err(err("ERR scripting is unavailable")),
        }
    }

    /// Compiles and runs a library's code in the load-time environment;
    /// the library with its functions (their callbacks pinned).
    fn create(&mut self, name: String, code: &[u8], body: &[u8]) -> Result<Library, CmdError> {
        let (vm, env) = self.engine()?;
        let chunk = vm.load(body, b"@user_function").map_err(|msg| {
            err(format!(
                "ERR Error compiling function: {}",
                String::from_utf8_lossy(&msg)
            ))
        })?;
        env.begin_load(vm).map_err(lua_setup_error)?;
        let ran = vm
            .start(chunk, &[])
            .map(|()| vm.run(&mut NoHost, LOAD_BUDGET))
            .map_err(lua_setup_error);
        let registered = env.end_load(vm).map_err(lua_setup_error)?;
        let failure = match ran? {
            Outcome::Done(_) => None,
            Outcome::Error(v) => Some(redsim_lua::lib_redis::error_message(&mut vm.heap, v)),
            Outcome::Paused | Outcome::Killed => {
                // Abandon the paused code.
                vm.kill_handle().set(true);
                vm.run(&mut NoHost, 1);
                Some(b"ERR FUNCTION LOAD timeout".to_vec())
            }
        };
        if let Some(text) = failure {
            return Err(err(format!(
                "ERR Error registering functions: {}",
                String::from_utf8_lossy(&text)
            )));
        }
        if registered.is_empty() {
            return Err(err("ERR No functions registered"));
        }
        let mut functions = Vec::with_capacity(registered.len());
        for r in registered {
            vm.pin(r.callback).map_err(lua_setup_error)?;
            functions.push(function_of(r));
        }
        Ok(Library {
            name,
            code: code.to_vec(),
            functions,
        })
    }
}

fn function_of(r: Registered) -> Function {
    let mut flags = Flags::default();
    for name in &r.flags {
        flags.set(name);
    }
    Function {
        name: String::from_utf8_lossy(&r.name).into_owned(),
        callback: r.callback,
        description: r.description,
        flags,
    }
}

/// A library's name and the code after its shebang line (whose newline is
/// kept, so line numbers are the user's), checked as Redis checks them.
fn metadata(code: &[u8]) -> Result<(String, &[u8]), CmdError> {
    if !code.starts_with(b"#!") {
        return Err(err("ERR Missing library metadata"));
    }
    let end = code
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| err("ERR Invalid library metadata"))?;
    let parts = code
        .get(..end)
        .and_then(split_args)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| err("ERR Invalid library metadata"))?;
    let engine = parts.first().and_then(|p| p.get(2..)).unwrap_or_default();
    let mut name = None;
    for part in parts.iter().skip(1) {
        let is_name = part
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"name="));
        if !is_name {
            return Err(err(format!(
                "ERR Invalid metadata value given: {}",
                String::from_utf8_lossy(part)
            )));
        }
        if name.is_some() {
            return Err(err(
                "ERR Invalid metadata value, name argument was given multiple times",
            ));
        }
        name = part.get(5..);
    }
    let name = name.ok_or_else(|| err("ERR Library name was not given"))?;
    if !lib_function::valid_name(name) {
        return Err(err("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"));
    }
    if !engine.eq_ignore_ascii_case(b"lua") {
        return Err(err(format!(
            "ERR Engine '{}' not found",
            String::from_utf8_lossy(engine)
        )));
    }
    let body = code.get(end..).unwrap_or_default();
    Ok((String::from_utf8_lossy(name).into_owned(), body))
}
