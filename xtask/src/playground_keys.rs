//! The playground with a big keyspace (issue 11): `bench/playground-keys.mjs`
//! loads the keys through the playground's own console (DEBUG POPULATE) in
//! headless Chromium, scrolls the key browser while the page records frame
//! intervals, and times commands typed into the console; this runs it on a
//! built playground and prints the figures as a table. The smoke run (in
//! `cargo xtask test`, after the playground build) uses a few keys and only
//! checks that it all works.

use std::path::Path;
use std::process::Command;

use crate::peers::json_field;
use crate::tools;

/// The keyspace the issue asks the playground to hold.
pub const KEYS: usize = 1_000_000;

/// Runs the script on the playground built into `dist` with `keys` keys.
pub fn report(dist: &Path, keys: usize) -> Result<String, String> {
    let root = tools::root();
    let output = Command::new("node")
        .arg(root.join("bench/playground-keys.mjs"))
        .arg(dist)
        .arg(keys.to_string())
        .current_dir(&root)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!(
            "playground-keys failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let field = |name: &str| {
        json_field(&text, name).ok_or_else(|| format!("playground-keys printed no {name}: {text}"))
    };
    Ok(format!(
        "### The playground with {keys} keys (headless Chromium)\n\n\
         | measure | median | p95 | max |\n|---|---:|---:|---:|\n\
         | key browser scrolling: ms between frames ({} frames, {} over 20 ms) | {} | {} | {} |\n\
         | a command typed in the console: ms from Enter to its answer ({} commands) | {} | {} | {} |\n\n\
         The keys were made by `DEBUG POPULATE {keys}` typed into the console ({} ms). \
         Frame intervals come from requestAnimationFrame while the mouse wheel scrolls the key \
         browser (16.7 ms is 60 fps); a command's time runs from the Enter keydown to its answer \
         entering the page, both in the page's clock.\n",
        field("frames")?,
        field("over20ms")?,
        field("frameMedian")?,
        field("frameP95")?,
        field("frameMax")?,
        field("commands")?,
        field("commandMedian")?,
        field("commandP95")?,
        field("commandMax")?,
        field("populateMs")?,
    ))
}
