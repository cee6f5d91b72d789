//! Lists the corpus (every `cases/*.redis` with its `.expected`) as
//! `include_str!`s, so the replay can run where there is no file system:
//! the engine compiled to wasm32, in Node.

use std::path::Path;

fn main() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    println!("cargo:rerun-if-changed={}", cases.display());
    let mut scripts: Vec<_> = std::fs::read_dir(&cases)
        .map(|dir| {
            dir.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "redis"))
                .collect()
        })
        .unwrap_or_default();
    scripts.sort();
    let mut out = String::from("/// Every script of the corpus: name, script, recording.\n");
    out.push_str("pub const CORPUS: &[(&str, &str, &str)] = &[\n");
    for script in scripts {
        let expected = script.with_extension("expected");
        let name = script
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?}), include_str!({:?})),\n",
            script.display().to_string(),
            expected.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("corpus.rs");
    if let Err(err) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {err}", dest.display());
    }
}
