//! Writes the widget's language packs: `<out>/<tag>.json` for every language in
//! `i18n::PACKS`, each a JSON object of text key → text (the `texts` config field's
//! shape). `scripts/build` runs it into `dist/locales/`.
//!
//! `cargo run -p sondeo-core --example packs -- dist/locales`

use sondeo_core::i18n::{Locale, PACKS, TEXT_KEYS};
use sondeo_core::text::push_json_string;

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "dist/locales".into());
    std::fs::create_dir_all(&out).expect("the output folder can be made");
    for (_, tag) in PACKS {
        let locale =
            Locale::from_tag(tag).expect("every pack language has a table (extra-locales)");
        let mut json = String::from("{");
        for (i, key) in TEXT_KEYS.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            push_json_string(&mut json, key.name());
            json.push(':');
            push_json_string(&mut json, locale.text(*key));
        }
        json.push('}');
        let path = format!("{out}/{tag}.json");
        std::fs::write(&path, json).expect("the pack can be written");
    }
}
