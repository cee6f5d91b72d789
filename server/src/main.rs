//! `redsim-server [--port N] [--bind ADDR] [--<parameter> <value> ...]`:
//! serve the engine over RESP. Other options set configuration parameters
//! before the first client connects, as redis-server's do
//! (`--maxmemory 100mb --maxmemory-policy allkeys-lru`).

use std::net::TcpListener;
use std::process::ExitCode;

const USAGE: &str = "usage: redsim-server [--port N] [--bind ADDR] [--<parameter> <value> ...]   (defaults: 6379, 127.0.0.1)";

fn main() -> ExitCode {
    let mut port: u16 = 6379;
    let mut bind = String::from("127.0.0.1");
    let mut settings = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(value)) => match value.parse() {
                Ok(p) => port = p,
                Err(_) => return fail(&format!("bad port: {value}")),
            },
            ("--bind", Some(value)) => bind = value,
            (option, Some(value)) if option.starts_with("--") && option.len() > 2 => {
                settings.push((option[2..].to_string(), value));
            }
            _ => return fail(USAGE),
        }
    }
    let listener = match TcpListener::bind((bind.as_str(), port)) {
        Ok(l) => l,
        Err(err) => return fail(&format!("cannot listen on {bind}:{port}: {err}")),
    };
    settings.push(("port".to_string(), port.to_string()));
    let engine = match redsim_server::engine(&settings) {
        Ok(engine) => engine,
        Err(err) => return fail(&err),
    };
    println!("redsim-server ready on {bind}:{port}");
    match redsim_server::serve_engine(listener, engine) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}
