//! `redsim-server [--port N] [--bind ADDR]`: serve the engine over RESP.

use std::net::TcpListener;
use std::process::ExitCode;

const USAGE: &str = "usage: redsim-server [--port N] [--bind ADDR]   (defaults: 6379, 127.0.0.1)";

fn main() -> ExitCode {
    let mut port: u16 = 6379;
    let mut bind = String::from("127.0.0.1");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(value)) => match value.parse() {
                Ok(p) => port = p,
                Err(_) => return fail(&format!("bad port: {value}")),
            },
            ("--bind", Some(value)) => bind = value,
            _ => return fail(USAGE),
        }
    }
    let listener = match TcpListener::bind((bind.as_str(), port)) {
        Ok(l) => l,
        Err(err) => return fail(&format!("cannot listen on {bind}:{port}: {err}")),
    };
    println!("redsim-server ready on {bind}:{port}");
    match redsim_server::serve(listener) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}
