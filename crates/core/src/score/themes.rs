//! Comment themes: the most frequent meaningful words and two-word phrases in the
//! "why" answers, per group. Text is lower-cased and accents folded ("rápido" and
//! "rapido" count together); English and Spanish stop-words are dropped.

use std::collections::HashMap as StdHashMap;

type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::RandomState>;

/// Distinct terms kept per group before the rarest are pruned: comments of a
/// million rows must not grow memory without bound. Pruning drops terms seen once,
/// which cannot be among the top themes of a large sample.
const MAX_TERMS: usize = 20_000;

/// Word and phrase counts per group tier (0 = detractor/low … 2 = promoter/high).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Themes {
    /// Per tier: term → count.
    pub terms: [HashMap<String, u64>; 3],
}

const STOP_WORDS: &[&str] = &[
    // English
    "the", "and", "for", "are", "but", "not", "you", "your", "with", "was", "were", "this", "that",
    "have", "has", "had", "they", "them", "their", "there", "what", "when", "which", "who", "will",
    "would", "could", "should", "can", "all", "any", "been", "being", "did", "does", "doing",
    "from", "into", "its", "just", "more", "most", "much", "our", "out", "over", "really", "than",
    "then", "too", "very", "also", "about", "after", "again", "because", "before", "only", "some",
    "such", "get", "got", "one", "her", "his", "him", "she", "how", "why", "off", "own", "same",
    "both", "each", "few", "other", "these", "those", "while", "where", "here", "ours", "yours",
    "it's", "i'm", "dont", "didnt", // Spanish (accents folded)
    "los", "las", "del", "que", "por", "para", "con", "una", "uno", "unos", "unas", "como", "mas",
    "pero", "sus", "ese", "esa", "eso", "esta", "este", "esto", "estos", "estas", "son", "fue",
    "era", "muy", "sin", "sobre", "tambien", "hay", "han", "ser", "porque", "cuando", "donde",
    "todo", "todos", "nos", "les", "mis", "tus", "ellos", "ellas", "usted", "ustedes", "entre",
    "hasta", "desde", "algo", "nada", "tiene", "tienen", "fueron", "estaba", "estan", "esta",
];

fn is_stop_word(word: &str) -> bool {
    // A hash set: a binary search costs seven string comparisons per word of every comment.
    static SET: std::sync::OnceLock<
        std::collections::HashSet<&'static str, foldhash::fast::RandomState>,
    > = std::sync::OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
        .contains(word)
}

/// Lower-cases `text` and folds accented Latin letters, for matching: a search for
/// "nandu" (or a theme, which is folded) finds "Ñandú".
pub fn folded(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(fold)
        .collect()
}

/// Folds an accented Latin letter to its base letter (á → a, ñ → n, ç → c, ü → u).
fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        c => c,
    }
}

/// The comment lower-cased and folded into one buffer, with the span of each
/// meaningful word in order and `None` where a stop-word or punctuation breaks a
/// phrase. Spans instead of strings: a million comments allocate nothing per word.
fn words(text: &str) -> (String, Vec<Option<(usize, usize)>>) {
    fn close(buf: &str, start: &mut Option<usize>, out: &mut Vec<Option<(usize, usize)>>) {
        if let Some(s) = start.take() {
            let word = &buf[s..];
            let keep = word.chars().count() >= 3
                && !is_stop_word(word)
                && !word.bytes().all(|b| b.is_ascii_digit());
            out.push(keep.then_some((s, buf.len())));
        }
    }
    let mut buf = String::with_capacity(text.len());
    let mut out = Vec::new();
    let mut start = None;
    let mut step = |c: char, buf: &mut String, out: &mut Vec<Option<(usize, usize)>>| {
        if c.is_alphanumeric() || c == '\'' {
            start.get_or_insert(buf.len());
            buf.push(c);
        } else {
            close(buf, &mut start, out);
            if !c.is_whitespace() {
                out.push(None);
            }
        }
    };
    for ch in text.chars() {
        // Most comments are ASCII: lower-case those without the general Unicode path.
        if ch.is_ascii() {
            step(ch.to_ascii_lowercase(), &mut buf, &mut out);
        } else {
            for c in ch.to_lowercase() {
                step(fold(c), &mut buf, &mut out);
            }
        }
    }
    close(&buf, &mut start, &mut out);
    (buf, out)
}

/// Calls `f` once for each distinct word and two-word phrase of `comment`: a comment
/// counts once per term, however often it repeats it.
fn for_each_term(comment: &str, mut f: impl FnMut(&str)) {
    let (buf, spans) = words(comment);
    let mut seen: Vec<&str> = Vec::new();
    let mut phrases = String::new();
    let mut phrase_spans: Vec<(usize, usize)> = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        let Some((s, e)) = *span else { continue };
        let word = &buf[s..e];
        if !seen.contains(&word) {
            seen.push(word);
        }
        if let Some(Some((ns, ne))) = spans.get(i + 1) {
            let from = phrases.len();
            phrases.push_str(word);
            phrases.push(' ');
            phrases.push_str(&buf[*ns..*ne]);
            let phrase = &phrases[from..];
            if phrase_spans.iter().any(|(a, b)| &phrases[*a..*b] == phrase) {
                phrases.truncate(from);
            } else {
                phrase_spans.push((from, phrases.len()));
            }
        }
    }
    for term in seen
        .into_iter()
        .chain(phrase_spans.iter().map(|(a, b)| &phrases[*a..*b]))
    {
        f(term);
    }
}

impl Themes {
    /// Counts the words and two-word phrases of one comment in group `tier`.
    pub fn add(&mut self, tier: usize, comment: &str) {
        let Some(terms) = self.terms.get_mut(tier) else {
            return;
        };
        for_each_term(comment, |term| match terms.get_mut(term) {
            Some(count) => *count += 1,
            None => {
                terms.insert(term.to_owned(), 1);
            }
        });
        if terms.len() > MAX_TERMS {
            terms.retain(|_, count| *count > 1);
        }
    }

    /// Takes one comment's terms back out (the inverse of [`Themes::add`]).
    pub fn remove(&mut self, tier: usize, comment: &str) {
        let Some(terms) = self.terms.get_mut(tier) else {
            return;
        };
        for_each_term(comment, |term| {
            if let Some(count) = terms.get_mut(term) {
                *count -= 1;
                if *count == 0 {
                    terms.remove(term);
                }
            }
        });
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &Themes) {
        for (mine, theirs) in self.terms.iter_mut().zip(&other.terms) {
            for (term, count) in theirs {
                *mine.entry(term.clone()).or_insert(0) += count;
            }
        }
    }

    /// The `n` most frequent terms of `tier`, most frequent first (ties alphabetical).
    pub fn top(&self, tier: usize, n: usize) -> Vec<(String, u64)> {
        let mut all: Vec<(String, u64)> = self
            .terms
            .get(tier)
            .map(|t| t.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_stop_words_dropped() {
        let (buf, spans) = words("El reembolso tardó MUCHO, the refund was slow");
        let kept: Vec<&str> = spans.iter().flatten().map(|(s, e)| &buf[*s..*e]).collect();
        assert_eq!(kept, ["reembolso", "tardo", "mucho", "refund", "slow"]);
    }

    #[test]
    fn phrases_span_neighbouring_words_only() {
        let mut t = Themes::default();
        t.add(0, "Refund time was terrible. Refund time!");
        t.add(0, "the refund time, again");
        t.add(2, "Rápido y amable");
        // "refund time" is in both detractor comments; each comment counts once.
        assert_eq!(
            t.top(0, 3),
            [
                ("refund".into(), 2),
                ("refund time".into(), 2),
                ("time".into(), 2)
            ]
        );
        // "time was terrible": "was" is a stop-word, so no "time terrible" phrase.
        assert!(!t.terms[0].contains_key("time terrible"));
        assert_eq!(t.terms[2].get("rapido"), Some(&1));
        assert_eq!(t.terms[2].get("amable"), Some(&1));
    }
}
