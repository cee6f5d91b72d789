//! `cargo xtask serve [--port N]`: installs what the build needs (first run
//! only), builds the playground in release mode and serves it with Trunk on
//! http://127.0.0.1:8080, rebuilding when sources change.

use crate::tools::{self, run};

pub fn run_serve(args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => "8080".to_string(),
        [flag, port] if flag == "--port" && port.parse::<u16>().is_ok() => port.clone(),
        _ => return Err("usage: cargo xtask serve [--port N]".to_string()),
    };
    tools::ensure_web_build()?;
    println!("xtask: serving the playground on http://127.0.0.1:{port}/");
    run(tools::trunk().args([
        "serve",
        "--release",
        "--address",
        "127.0.0.1",
        "--port",
        &port,
    ]))
}
