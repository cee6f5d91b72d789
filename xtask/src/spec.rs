//! `cargo xtask spec NAME...`: drafts command-table rows from a real
//! redis-server's COMMAND INFO and COMMAND DOCS. Only facts are carried over
//! (arity, flags, key specs, ACL categories, tips, argument grammar, versions);
//! summary, complexity and history notes are left empty for the engineer to
//! write in our own words — the table test fails until they are.

use redsim_engine::resp::parse_reply;
use redsim_engine::Reply;

use crate::redis::{RedisServer, RespClient};
use crate::tools;

const ORACLE_PORT: u16 = 6392;

pub fn run(names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Err("usage: cargo xtask spec NAME... (e.g. append, object|encoding)".into());
    }
    tools::ensure_apt(&[("redis-server", "redis-server")])?;
    let server = RedisServer::start(ORACLE_PORT).map_err(|e| e.to_string())?;
    let mut client = server.connect().map_err(|e| e.to_string())?;
    call(&mut client, &["HELLO", "3"])?;
    for name in names {
        let info = call(&mut client, &["COMMAND", "INFO", name])?;
        let docs = call(&mut client, &["COMMAND", "DOCS", name])?;
        let info = match info {
            Reply::Array(mut items) if items.len() == 1 => items.remove(0),
            other => return Err(format!("{name}: unexpected COMMAND INFO reply {other:?}")),
        };
        let docs = match docs {
            Reply::Map(mut pairs) if pairs.len() == 1 => pairs.remove(0).1,
            _ => return Err(format!("{name}: no such command")),
        };
        println!("{}", row(&info, &docs));
    }
    Ok(())
}

fn call(client: &mut RespClient, args: &[&str]) -> Result<Reply, String> {
    let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let bytes = client.call(&argv).map_err(|e| e.to_string())?;
    match parse_reply(&bytes) {
        Ok(Some((reply, _))) => Ok(reply),
        _ => Err("unparsable reply".to_string()),
    }
}

fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Status(s) => s.clone(),
        Reply::Int(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

fn items(reply: &Reply) -> &[Reply] {
    match reply {
        Reply::Array(v) | Reply::Set(v) => v,
        _ => &[],
    }
}

fn field<'a>(map: &'a Reply, key: &str) -> Option<&'a Reply> {
    match map {
        Reply::Map(pairs) => pairs.iter().find(|(k, _)| text(k) == key).map(|(_, v)| v),
        _ => None,
    }
}

fn str_list(reply: &Reply) -> String {
    let quoted: Vec<String> = items(reply)
        .iter()
        .map(|r| format!("{:?}", text(r)))
        .collect();
    format!("&[{}]", quoted.join(", "))
}

fn int(reply: Option<&Reply>) -> i64 {
    match reply {
        Some(Reply::Int(n)) => *n,
        _ => 0,
    }
}

fn row(info: &Reply, docs: &Reply) -> String {
    let info = items(info);
    let get = |i: usize| info.get(i).cloned().unwrap_or(Reply::Nil);
    let full_name = text(&get(0));
    let name = full_name.rsplit('|').next().unwrap_or_default().to_string();
    let mut out = String::from("    Spec {\n");
    let mut line = |s: String| {
        out.push_str("        ");
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("name: {name:?},"));
    line(format!("arity: {},", text(&get(1))));
    if !items(&get(2)).is_empty() {
        line(format!("flags: {},", str_list(&get(2))));
    }
    let keys = (text(&get(3)), text(&get(4)), text(&get(5)));
    if keys != ("0".into(), "0".into(), "0".into()) {
        line(format!("keys: ({}, {}, {}),", keys.0, keys.1, keys.2));
    }
    line(format!("acl: {},", str_list(&get(6))));
    if !items(&get(7)).is_empty() {
        line(format!("tips: {},", str_list(&get(7))));
    }
    let specs: Vec<String> = items(&get(8)).iter().map(key_spec).collect();
    if !specs.is_empty() {
        line(format!("key_specs: &[{}],", specs.join(", ")));
    }
    let doc = |key: &str| field(docs, key).map(text);
    line(format!("group: {:?},", doc("group").unwrap_or_default()));
    line(format!("since: {:?},", doc("since").unwrap_or_default()));
    line("complexity: \"\", // in our own words".to_string());
    line("summary: \"\", // in our own words".to_string());
    if let Some(flags) = field(docs, "doc_flags") {
        line(format!("doc_flags: {},", str_list(flags)));
    }
    if let Some(v) = doc("deprecated_since") {
        line(format!("deprecated_since: Some({v:?}),"));
    }
    if field(docs, "replaced_by").is_some() {
        line("replaced_by: Some(\"\"), // in our own words".to_string());
    }
    if let Some(history) = field(docs, "history") {
        let entries: Vec<String> = items(history)
            .iter()
            .map(|e| {
                format!(
                    "({:?}, \"\")",
                    items(e).first().map(text).unwrap_or_default()
                )
            })
            .collect();
        line(format!(
            "history: &[{}], // notes in our own words",
            entries.join(", ")
        ));
    }
    if let Some(args) = field(docs, "arguments") {
        line(format!("args: &[{}],", args_list(args)));
    }
    if !items(&get(9)).is_empty() {
        line("body: Body::Container { subcommands: SUBCOMMANDS, bare: None },".to_string());
    } else {
        line(format!("body: Body::Run({}),", name.replace('-', "_")));
    }
    line("..BASE".to_string());
    out.push_str("    },");
    out
}

fn key_spec(spec: &Reply) -> String {
    let notes = field(spec, "notes").map(text);
    let flags = field(spec, "flags")
        .map(str_list)
        .unwrap_or_else(|| "&[]".into());
    let begin = field(spec, "begin_search");
    let find = field(spec, "find_keys");
    let kind = |r: Option<&Reply>| {
        r.and_then(|r| field(r, "type"))
            .map(text)
            .unwrap_or_default()
    };
    let inner = |r: Option<&Reply>, k: &str| {
        int(r.and_then(|r| field(r, "spec")).and_then(|s| field(s, k)))
    };
    let is_simple = kind(begin) == "index"
        && inner(begin, "index") == 1
        && kind(find) == "range"
        && inner(find, "keystep") == 1
        && inner(find, "limit") == 0;
    match (is_simple, inner(find, "lastkey")) {
        (true, 0) => return format!("one_key({}, {flags})", notes_expr(&notes)),
        (true, -1) if notes.is_none() => return format!("all_keys({flags})"),
        _ => {}
    }
    let begin_expr = match kind(begin).as_str() {
        "index" => format!("BeginSearch::Index({})", inner(begin, "index")),
        "keyword" => {
            let spec = begin.and_then(|r| field(r, "spec"));
            format!(
                "BeginSearch::Keyword {{ keyword: {:?}, start_from: {} }}",
                spec.and_then(|s| field(s, "keyword"))
                    .map(text)
                    .unwrap_or_default(),
                int(spec.and_then(|s| field(s, "startfrom")))
            )
        }
        _ => "BeginSearch::Unknown".to_string(),
    };
    let find_expr = match kind(find).as_str() {
        "range" => format!(
            "FindKeys::Range {{ last_key: {}, key_step: {}, limit: {} }}",
            inner(find, "lastkey"),
            inner(find, "keystep"),
            inner(find, "limit")
        ),
        "keynum" => format!(
            "FindKeys::Keynum {{ keynum_idx: {}, first_key: {}, key_step: {} }}",
            inner(find, "keynumidx"),
            inner(find, "firstkey"),
            inner(find, "keystep")
        ),
        _ => "FindKeys::Unknown".to_string(),
    };
    format!(
        "KeySpec {{ notes: {}, flags: {flags}, begin: {begin_expr}, find: {find_expr} }}",
        notes_expr(&notes)
    )
}

fn notes_expr(notes: &Option<String>) -> String {
    match notes {
        Some(n) => format!("Some({n:?})"),
        None => "None".to_string(),
    }
}

fn args_list(args: &Reply) -> String {
    items(args).iter().map(arg).collect::<Vec<_>>().join(", ")
}

fn arg(a: &Reply) -> String {
    let get = |k: &str| field(a, k).map(text);
    let name = get("name").unwrap_or_default();
    let kind = get("type").unwrap_or_default();
    let token = get("token");
    let mut expr = match (kind.as_str(), &token) {
        ("key", _) => format!(
            "Arg::key({name:?}, {})",
            get("key_spec_index").unwrap_or_default()
        ),
        ("pure-token", Some(t)) => format!("Arg::pure_token({name:?}, {t:?})"),
        ("oneof", _) => format!(
            "Arg::one_of({name:?}, &[{}])",
            field(a, "arguments").map(args_list).unwrap_or_default()
        ),
        ("block", _) => format!(
            "Arg::block({name:?}, &[{}])",
            field(a, "arguments").map(args_list).unwrap_or_default()
        ),
        (other, _) => {
            let variant = match other {
                "integer" => "Integer",
                "double" => "Double",
                "pattern" => "Pattern",
                "unix-time" => "UnixTime",
                _ => "String",
            };
            format!("Arg::new({name:?}, ArgKind::{variant})")
        }
    };
    if let (false, Some(index)) = (kind == "key", get("key_spec_index")) {
        expr.push_str(&format!(".key_spec({index})"));
    }
    // A pure token's keyword is already in its constructor.
    if let (false, Some(t)) = (kind == "pure-token", &token) {
        expr.push_str(&format!(".token({t:?})"));
    }
    if let Some(v) = get("since") {
        expr.push_str(&format!(".since({v:?})"));
    }
    for flag in field(a, "flags").map(items).unwrap_or_default() {
        match text(flag).as_str() {
            "optional" => expr.push_str(".optional()"),
            "multiple" => expr.push_str(".multiple()"),
            "multiple_token" => expr.push_str(".multiple_token()"),
            _ => {}
        }
    }
    expr
}
