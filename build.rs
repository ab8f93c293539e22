//! Minifies `src/style.css` into the build: the stylesheet ships inside the wasm,
//! so comments and indentation would be paid for by every visitor.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=src/style.css");
    let css = fs::read_to_string("src/style.css").expect("src/style.css is part of the crate");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("style.min.css");
    fs::write(out, minify(&css)).expect("OUT_DIR is writable");
}

/// Drops comments and collapses whitespace, except inside a double-quoted string (an
/// attribute selector such as `[style*="display: none"]` means its space). The stylesheet
/// has no `url()` or single-quoted strings.
fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    without_comments.push_str(rest);
    let collapsed = without_comments
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let mut in_string = false;
    for (i, c) in collapsed.char_indices() {
        if c == '"' {
            in_string = !in_string;
        }
        // A space next to punctuation carries no meaning (`a { b: c; }` → `a{b:c;}`);
        // spaces inside values (`1px solid`) and selectors (`.a .b`) stay.
        if c == ' ' && !in_string {
            let prev = out.chars().last().unwrap_or(' ');
            let next = collapsed[i + 1..].chars().next().unwrap_or(' ');
            if "{};:,>".contains(prev) || "{};,>".contains(next) {
                continue;
            }
        }
        out.push(c);
    }
    out
}
