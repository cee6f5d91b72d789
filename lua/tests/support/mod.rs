//! What the tests against recordings share: each `NAME.cases` file in a
//! directory under `tests/cases/` holds one case per line, and the
//! `NAME.expected` beside it the recorded answer on the same line.

use std::fs;
use std::path::{Path, PathBuf};

/// The case directory `name` under `tests/cases/`.
pub fn cases_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name)
}

/// Runs every case line of every `.cases` file in `dir` through `run` and
/// compares what it gives with the recorded line; one failure lists every
/// difference.
pub fn check_recorded(dir: &Path, mut run: impl FnMut(&str) -> String) {
    let mut names: Vec<_> = fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cases"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no cases in {}", dir.display());
    let mut failures = Vec::new();
    let mut total = 0;
    for path in names {
        let cases = fs::read_to_string(&path).expect("cases");
        let expected = fs::read_to_string(path.with_extension("expected")).expect("expected");
        let cases: Vec<&str> = cases.lines().collect();
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(
            cases.len(),
            expected.len(),
            "{}: line counts",
            path.display()
        );
        for (i, (case, want)) in cases.iter().zip(&expected).enumerate() {
            total += 1;
            let got = run(case);
            if got != *want {
                failures.push(format!(
                    "{}:{}: {case}\n  want {want}\n  got  {got}",
                    path.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
                    i + 1
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
