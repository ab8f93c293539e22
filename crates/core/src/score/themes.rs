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
    /// Per tier: term (folded) → count.
    pub terms: [HashMap<String, u64>; 3],
    /// Per tier: how customers spelled a term, where that differs from its folded form
    /// ("ñandú" for "nandu"), the first spelling seen.
    #[cfg_attr(feature = "serde", serde(default))]
    pub spelling: [HashMap<String, String>; 3],
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

/// A word's span in the folded buffer and in the as-written (lower-cased) one.
type Span = ((usize, usize), (usize, usize));

/// The longest stop-word, in bytes: a longer word is not looked up.
const LONGEST_STOP_WORD: usize = 7;

/// Buffers reused from one comment to the next: a million comments allocate nothing
/// per comment, word or phrase once the buffers have grown to the longest comment.
#[derive(Default)]
struct Scratch {
    /// The comment lower-cased and folded.
    folded: String,
    /// The comment lower-cased as written, when it has any non-ASCII letter (else empty).
    written: String,
    /// Each meaningful word, in order, and `None` where a stop-word or punctuation breaks a phrase.
    spans: Vec<Option<Span>>,
    /// The distinct words, as spans.
    words: Vec<Span>,
    /// The two-word phrases, folded and as written, and their distinct spans in those.
    phrases: String,
    phrases_written: String,
    phrase_spans: Vec<Span>,
}

impl Scratch {
    /// Splits `text` into words (see [`Scratch::spans`]).
    fn read(&mut self, text: &str) {
        self.folded.clear();
        self.written.clear();
        self.spans.clear();
        let as_written = !text.is_ascii();
        let mut start = None;
        if !as_written {
            // Most comments are ASCII: no Unicode case mapping, no second buffer.
            for &b in text.as_bytes() {
                if b.is_ascii_alphanumeric() || b == b'\'' {
                    start.get_or_insert((self.folded.len(), 0));
                    self.folded.push(b.to_ascii_lowercase() as char);
                } else {
                    self.close(&mut start);
                    // As `char::is_whitespace`, which the non-ASCII path uses: with vertical tab.
                    if !(b.is_ascii_whitespace() || b == 0x0B) {
                        self.spans.push(None);
                    }
                }
            }
        } else {
            for ch in text.chars() {
                for c in ch.to_lowercase() {
                    if c.is_alphanumeric() || c == '\'' {
                        start.get_or_insert((self.folded.len(), self.written.len()));
                        self.folded.push(fold(c));
                        self.written.push(c);
                    } else {
                        self.close(&mut start);
                        if !c.is_whitespace() {
                            self.spans.push(None);
                        }
                    }
                }
            }
        }
        self.close(&mut start);
    }

    /// Ends the word begun at `start`, if any: kept when it has three letters or more and
    /// is neither a stop-word nor a number.
    fn close(&mut self, start: &mut Option<(usize, usize)>) {
        if let Some((s, os)) = start.take() {
            let word = &self.folded[s..];
            let keep = word.chars().nth(2).is_some()
                && !(word.len() <= LONGEST_STOP_WORD && is_stop_word(word))
                && !word.bytes().all(|b| b.is_ascii_digit());
            let span = ((s, self.folded.len()), (os, self.written.len()));
            self.spans.push(keep.then_some(span));
        }
    }

    /// The text of a word as the customer wrote it (lower-cased).
    fn shown(&self, span: Span) -> &str {
        shown(&self.folded, &self.written, span)
    }

    /// Collects the distinct words and two-word phrases of the comment last read.
    fn collect_terms(&mut self) {
        self.words.clear();
        self.phrases.clear();
        self.phrases_written.clear();
        self.phrase_spans.clear();
        for i in 0..self.spans.len() {
            let Some(span) = self.spans[i] else { continue };
            let word = &self.folded[span.0 .0..span.0 .1];
            if !self
                .words
                .iter()
                .any(|w| &self.folded[w.0 .0..w.0 .1] == word)
            {
                self.words.push(span);
            }
            let Some(Some(next)) = self.spans.get(i + 1).copied() else {
                continue;
            };
            let (from, written_from) = (self.phrases.len(), self.phrases_written.len());
            self.phrases.push_str(&self.folded[span.0 .0..span.0 .1]);
            self.phrases.push(' ');
            self.phrases.push_str(&self.folded[next.0 .0..next.0 .1]);
            let written = &mut self.phrases_written;
            written.push_str(shown(&self.folded, &self.written, span));
            written.push(' ');
            written.push_str(shown(&self.folded, &self.written, next));
            let phrase = &self.phrases[from..];
            if self
                .phrase_spans
                .iter()
                .any(|((a, b), _)| &self.phrases[*a..*b] == phrase)
            {
                self.phrases.truncate(from);
                self.phrases_written.truncate(written_from);
            } else {
                self.phrase_spans.push((
                    (from, self.phrases.len()),
                    (written_from, self.phrases_written.len()),
                ));
            }
        }
    }
}

/// A word as the customer wrote it (lower-cased): for an ASCII comment the folded text
/// is the text as written, and `written` is empty.
fn shown<'a>(folded: &'a str, written: &'a str, (f, w): Span) -> &'a str {
    if written.is_empty() {
        &folded[f.0..f.1]
    } else {
        &written[w.0..w.1]
    }
}

/// Calls `f(term, as_written)` once for each distinct word and two-word phrase of
/// `comment` (folded, and as the customer spelled it): a comment counts once per term,
/// however often it repeats it.
fn for_each_term(comment: &str, mut f: impl FnMut(&str, &str)) {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }
    SCRATCH.with_borrow_mut(|s| {
        s.read(comment);
        s.collect_terms();
        for &span in &s.words {
            f(&s.folded[span.0 .0..span.0 .1], s.shown(span));
        }
        for ((a, b), (c, d)) in &s.phrase_spans {
            f(&s.phrases[*a..*b], &s.phrases_written[*c..*d]);
        }
    });
}

impl Themes {
    /// Counts the words and two-word phrases of one comment in group `tier`.
    pub fn add(&mut self, tier: usize, comment: &str) {
        let (Some(terms), Some(spelling)) = (self.terms.get_mut(tier), self.spelling.get_mut(tier))
        else {
            return;
        };
        for_each_term(comment, |term, as_written| match terms.get_mut(term) {
            Some(count) => *count += 1,
            None => {
                terms.insert(term.to_owned(), 1);
                if as_written != term {
                    spelling.insert(term.to_owned(), as_written.to_owned());
                }
            }
        });
        if terms.len() > MAX_TERMS {
            terms.retain(|_, count| *count > 1);
            spelling.retain(|term, _| terms.contains_key(term));
        }
    }

    /// Takes one comment's terms back out (the inverse of [`Themes::add`]).
    pub fn remove(&mut self, tier: usize, comment: &str) {
        let (Some(terms), Some(spelling)) = (self.terms.get_mut(tier), self.spelling.get_mut(tier))
        else {
            return;
        };
        for_each_term(comment, |term, _| {
            if let Some(count) = terms.get_mut(term) {
                *count -= 1;
                if *count == 0 {
                    terms.remove(term);
                    spelling.remove(term);
                }
            }
        });
    }

    /// Adds `other`'s counts (a spelling already known here is kept).
    pub fn merge(&mut self, other: &Themes) {
        for (mine, theirs) in self.terms.iter_mut().zip(&other.terms) {
            for (term, count) in theirs {
                *mine.entry(term.clone()).or_insert(0) += count;
            }
        }
        for (mine, theirs) in self.spelling.iter_mut().zip(&other.spelling) {
            for (term, written) in theirs {
                mine.entry(term.clone()).or_insert_with(|| written.clone());
            }
        }
    }

    /// The `n` most frequent terms of `tier`, most frequent first (ties alphabetical),
    /// each as customers spelled it.
    pub fn top(&self, tier: usize, n: usize) -> Vec<(String, u64)> {
        let mut all: Vec<(&String, u64)> = self
            .terms
            .get(tier)
            .map(|t| t.iter().map(|(k, v)| (k, *v)).collect())
            .unwrap_or_default();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        all.truncate(n);
        all.into_iter()
            .map(|(term, count)| (self.spelling[tier].get(term).unwrap_or(term).clone(), count))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> (String, String, Vec<Option<Span>>) {
        let mut s = Scratch::default();
        s.read(text);
        (s.folded, s.written, s.spans)
    }

    #[test]
    fn words_are_folded_and_stop_words_dropped() {
        let (buf, orig, spans) = words("El reembolso tardó MUCHO, the refund was slow");
        let kept: Vec<&str> = spans
            .iter()
            .flatten()
            .map(|((s, e), _)| &buf[*s..*e])
            .collect();
        assert_eq!(kept, ["reembolso", "tardo", "mucho", "refund", "slow"]);
        let written: Vec<&str> = spans
            .iter()
            .flatten()
            .map(|(_, (s, e))| &orig[*s..*e])
            .collect();
        assert_eq!(written, ["reembolso", "tardó", "mucho", "refund", "slow"]);
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

    #[test]
    fn themes_count_folded_and_show_the_customers_spelling() {
        let mut t = Themes::default();
        t.add(0, "El ñandú llegó tarde");
        t.add(0, "Nandu roto, llego tarde");
        // Counted together (folded), shown as first written; an ASCII term stores nothing extra.
        let top = t.top(0, 10);
        assert!(top.contains(&("ñandú".into(), 2)), "{top:?}");
        assert!(top.contains(&("llegó tarde".into(), 2)), "{top:?}");
        assert!(!t.spelling[0].contains_key("tarde"));
        // Taking the first comment out keeps the count right; the spelling stays while the term does.
        t.remove(0, "El ñandú llegó tarde");
        assert!(t.top(0, 10).contains(&("ñandú".into(), 1)));
        t.remove(0, "Nandu roto, llego tarde");
        assert!(t.terms[0].is_empty() && t.spelling[0].is_empty());
    }
}
