//! Comment themes: the most frequent meaningful words and two-word phrases in the
//! "why" answers, per group. Text is lower-cased and accents folded ("rápido" and
//! "rapido" count together); English and Spanish stop-words are dropped.

use crate::bytes::same;
use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasher, Hasher};

type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::RandomState>;

/// Distinct terms kept per group before the rarest are pruned: comments of a
/// million rows must not grow memory without bound. Pruning drops terms seen once,
/// which cannot be among the top themes of a large sample.
const MAX_TERMS: usize = 20_000;

/// The seed of every term's hash, drawn once per process (so that crafted comments
/// cannot make every word collide); counts are rehashed when they cross a process
/// boundary, as a deserialized state is rebuilt term by term.
fn seed() -> &'static foldhash::fast::RandomState {
    static SEED: std::sync::OnceLock<foldhash::fast::RandomState> = std::sync::OnceLock::new();
    SEED.get_or_init(Default::default)
}

fn word_hash(word: &str) -> u64 {
    let mut h = seed().build_hasher();
    h.write(word.as_bytes());
    h.finish()
}

/// A phrase's hash, from its two words' hashes: a comment's phrases are looked up
/// without being built, from the hashes its words already have.
fn phrase_hash(first: u64, second: u64) -> u64 {
    let mut h = seed().build_hasher();
    h.write_u64(first);
    h.write_u64(second);
    h.finish()
}

/// The hash of a stored term: a word, or two words joined by one space (words never
/// hold a space).
fn term_hash(term: &str) -> u64 {
    match term.split_once(' ') {
        Some((first, second)) => phrase_hash(word_hash(first), word_hash(second)),
        None => word_hash(term),
    }
}

/// A term as a comment holds it: a word, or two neighbouring words.
#[derive(Clone, Copy)]
enum Term<'a> {
    Word(&'a str),
    Phrase(&'a str, &'a str),
}

impl Term<'_> {
    fn is(&self, stored: &str) -> bool {
        match *self {
            Term::Word(w) => same(stored.as_bytes(), w.as_bytes()),
            Term::Phrase(a, b) => {
                let stored = stored.as_bytes();
                stored.len() == a.len() + 1 + b.len()
                    && stored[a.len()] == b' '
                    && same(&stored[..a.len()], a.as_bytes())
                    && same(&stored[a.len() + 1..], b.as_bytes())
            }
        }
    }

    fn same_as(&self, other: Term) -> bool {
        match (*self, other) {
            (Term::Word(a), Term::Word(b)) => a == b,
            (Term::Phrase(a, b), Term::Phrase(c, d)) => a == c && b == d,
            _ => false,
        }
    }

    fn text(&self) -> String {
        match *self {
            Term::Word(w) => w.to_owned(),
            Term::Phrase(a, b) => [a, " ", b].concat(),
        }
    }
}

/// Term → count, each entry with its hash: a comment's words and phrases are found by
/// the hashes computed while reading it, without building a phrase's text or hashing
/// a word twice. Compares, clones and (de)serialises as a plain map.
#[derive(Clone, Default)]
pub struct TermCounts {
    table: hashbrown::HashTable<(String, u64, u64)>,
}

impl TermCounts {
    fn find_mut(&mut self, hash: u64, term: Term) -> Option<&mut u64> {
        self.table
            .find_mut(hash, |(stored, _, _)| term.is(stored))
            .map(|(_, count, _)| count)
    }

    fn insert_new(&mut self, hash: u64, term: String, count: u64) {
        self.table
            .insert_unique(hash, (term, count, hash), |(_, _, h)| *h);
    }

    /// The count of `term`.
    pub fn get(&self, term: &str) -> Option<&u64> {
        self.table
            .find(term_hash(term), |(stored, _, _)| {
                Term::Word(term).is(stored)
            })
            .map(|(_, count, _)| count)
    }

    /// Whether `term` is counted.
    pub fn contains_key(&self, term: &str) -> bool {
        self.get(term).is_some()
    }

    /// Adds `count` to `term`.
    pub fn add(&mut self, term: &str, count: u64) {
        self.add_hashed(term_hash(term), term, count);
    }

    fn add_hashed(&mut self, hash: u64, term: &str, count: u64) {
        match self.find_mut(hash, Term::Word(term)) {
            Some(c) => *c += count,
            None => self.insert_new(hash, term.to_owned(), count),
        }
    }

    fn remove_where(&mut self, hash: u64, term: Term) {
        if let Ok(entry) = self
            .table
            .find_entry(hash, |(stored, _, _)| term.is(stored))
        {
            entry.remove();
        }
    }

    /// Distinct terms.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no term is counted.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every term and its count, in no order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, u64)> {
        self.table.iter().map(|(term, count, _)| (term, *count))
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &TermCounts) {
        // One process, one seed: `other`'s stored hashes are this table's hashes too.
        for (term, count, hash) in other.table.iter() {
            self.add_hashed(*hash, term, *count);
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(u64) -> bool) {
        self.table.retain(|(_, count, _)| keep(*count));
    }
}

impl PartialEq for TermCounts {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(t, c)| other.get(t) == Some(&c))
    }
}

impl Eq for TermCounts {}

impl std::fmt::Debug for TermCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for TermCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for TermCounts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = <StdHashMap<String, u64>>::deserialize(d)?;
        let mut counts = TermCounts::default();
        for (term, count) in map {
            counts.add(&term, count);
        }
        Ok(counts)
    }
}

/// Word and phrase counts per group tier (0 = detractor/low … 2 = promoter/high).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Themes {
    /// Per tier: term (folded) → count.
    pub terms: [TermCounts; 3],
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
    "without", "it's", "i'm", "dont", "didnt", // Spanish (accents folded)
    "los", "las", "del", "que", "por", "para", "con", "una", "uno", "unos", "unas", "como", "mas",
    "pero", "sus", "ese", "esa", "eso", "esta", "este", "esto", "estos", "estas", "son", "fue",
    "era", "muy", "sin", "sobre", "tambien", "hay", "han", "ser", "porque", "cuando", "donde",
    "todo", "todos", "nos", "les", "mis", "tus", "ellos", "ellas", "usted", "ustedes", "entre",
    "hasta", "desde", "algo", "nada", "tiene", "tienen", "fueron", "estaba", "estan", "esta",
];

/// Whether `word` (whose hash is `hash`) is a stop-word: looked up by the hash the word
/// already has, so a comment's words are hashed once.
fn is_stop_word(word: &str, hash: u64) -> bool {
    static SET: std::sync::OnceLock<hashbrown::HashTable<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let mut set = hashbrown::HashTable::new();
        for &w in STOP_WORDS {
            let h = word_hash(w);
            if set.find(h, |s| *s == w).is_none() {
                set.insert_unique(h, w, |s| word_hash(s));
            }
        }
        set
    })
    .find(hash, |s| same(s.as_bytes(), word.as_bytes()))
    .is_some()
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

/// Whether an ASCII byte belongs to a word: a letter, a digit or `'` (as
/// `char::is_alphanumeric`, which other characters go through).
fn in_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\''
}

/// Whether an ASCII byte is space between words, as `char::is_whitespace` says (vertical
/// tab included); any other byte outside a word is punctuation and breaks a phrase.
fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0B
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
    /// The hash of each meaningful word in `spans` (0 where it holds `None`).
    hashes: Vec<u64>,
    /// The distinct words, with their hashes.
    words: Vec<(Span, u64)>,
    /// Whether each of `words` comes more than once in the comment.
    repeated: Vec<bool>,
    /// The distinct two-word phrases: their two words, and the phrase's hash.
    phrases: Vec<(Span, Span, u64)>,
}

impl Scratch {
    /// Splits `text` into words (see [`Scratch::spans`]).
    fn read(&mut self, text: &str) {
        self.folded.clear();
        self.written.clear();
        self.spans.clear();
        self.hashes.clear();
        if text.is_ascii() {
            // Most comments are ASCII: lower-cased in one copy (a word's offsets are the
            // text's), no Unicode case mapping, no second buffer.
            self.folded.push_str(text);
            self.folded.make_ascii_lowercase();
            let bytes = text.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                let b = bytes[i];
                if in_word(b) {
                    let start = i;
                    while i < bytes.len() && in_word(bytes[i]) {
                        i += 1;
                    }
                    self.close(((start, i), (0, 0)));
                    continue;
                }
                if !is_space(b) {
                    self.push(None);
                }
                i += 1;
            }
            return;
        }
        let mut start = None;
        for ch in text.chars() {
            if ch.is_ascii() {
                // As the ASCII path: no case table, one byte in each buffer.
                let b = ch as u8;
                if in_word(b) {
                    start.get_or_insert((self.folded.len(), self.written.len()));
                    let lower = b.to_ascii_lowercase() as char;
                    self.folded.push(lower);
                    self.written.push(lower);
                } else {
                    self.end_word(&mut start);
                    if !is_space(b) {
                        self.push(None);
                    }
                }
                continue;
            }
            for c in ch.to_lowercase() {
                if c.is_alphanumeric() || c == '\'' {
                    start.get_or_insert((self.folded.len(), self.written.len()));
                    self.folded.push(fold(c));
                    self.written.push(c);
                } else {
                    self.end_word(&mut start);
                    if !c.is_whitespace() {
                        self.push(None);
                    }
                }
            }
        }
        self.end_word(&mut start);
    }

    /// Ends the word begun at `start` (offsets in the folded and the written buffer), if any.
    fn end_word(&mut self, start: &mut Option<(usize, usize)>) {
        if let Some((s, os)) = start.take() {
            self.close(((s, self.folded.len()), (os, self.written.len())));
        }
    }

    fn push(&mut self, word: Option<(Span, u64)>) {
        self.spans.push(word.map(|(span, _)| span));
        self.hashes.push(word.map_or(0, |(_, hash)| hash));
    }

    /// Ends a word: kept when it has three letters or more and is neither a stop-word nor
    /// a number.
    fn close(&mut self, span: Span) {
        let word = &self.folded[span.0 .0..span.0 .1];
        let kept = (word.chars().nth(2).is_some() && !word.bytes().all(|b| b.is_ascii_digit()))
            .then(|| word_hash(word))
            .filter(|&hash| !(word.len() <= LONGEST_STOP_WORD && is_stop_word(word, hash)));
        self.push(kept.map(|hash| (span, hash)));
    }

    fn folded(&self, span: Span) -> &str {
        &self.folded[span.0 .0..span.0 .1]
    }

    /// Collects the distinct words and two-word phrases of the comment last read.
    fn collect_terms(&mut self) {
        let Scratch {
            folded,
            spans,
            hashes,
            words,
            repeated,
            phrases,
            ..
        } = self;
        let text = |span: Span| &folded[span.0 .0..span.0 .1];
        words.clear();
        repeated.clear();
        phrases.clear();
        // A comment's terms are told apart by a scan of those seen so far: fastest for the
        // few words of a comment, quadratic for a long one (an essay pasted into the box,
        // a crafted file), which gets a table of the hashes instead.
        let long = spans.len() > 64;
        let (mut seen_words, mut seen_phrases) = (
            hashbrown::HashTable::<usize>::new(),
            hashbrown::HashTable::<usize>::new(),
        );
        for i in 0..spans.len() {
            let Some(span) = spans[i] else { continue };
            let hash = hashes[i];
            let word = text(span);
            let seen = if long {
                let same_word = |&k: &usize| words[k].1 == hash && text(words[k].0) == word;
                let seen = seen_words.find(hash, same_word).copied();
                if seen.is_none() {
                    seen_words.insert_unique(hash, words.len(), |&k| words[k].1);
                }
                seen
            } else {
                words
                    .iter()
                    .position(|&(w, h)| h == hash && text(w) == word)
            };
            match seen {
                Some(k) => repeated[k] = true,
                None => {
                    words.push((span, hash));
                    repeated.push(false);
                }
            }
            let Some(Some(next)) = spans.get(i + 1).copied() else {
                continue;
            };
            let phrase = phrase_hash(hash, hashes[i + 1]);
            let next_word = text(next);
            let same_phrase = |&(a, b, h): &(Span, Span, u64)| {
                h == phrase && text(a) == word && text(b) == next_word
            };
            let new_phrase = if long {
                seen_phrases
                    .find(phrase, |&k| same_phrase(&phrases[k]))
                    .is_none()
                    && {
                        seen_phrases.insert_unique(phrase, phrases.len(), |&k| phrases[k].2);
                        true
                    }
            } else {
                !phrases.iter().any(same_phrase)
            };
            if new_phrase {
                phrases.push((span, next, phrase));
            }
        }
    }

    /// The term as the customer spelled it (lower-cased), when that differs from `term`.
    fn written(&self, term: Term<'_>, spans: (Span, Option<Span>)) -> Option<Term<'_>> {
        if self.written.is_empty() {
            return None; // an ASCII comment is spelled as folded
        }
        let shown = |span: Span| &self.written[span.1 .0..span.1 .1];
        let written = match spans {
            (a, None) => Term::Word(shown(a)),
            (a, Some(b)) => Term::Phrase(shown(a), shown(b)),
        };
        (!written.same_as(term)).then_some(written)
    }
}

/// The mark of a word a comment has more than once: counted as its own term (a control
/// character, which no word holds), so that [`Themes::top`] knows where a word stands in one
/// place of each comment that has it.
const REPEATED: &str = "\u{1}";

/// Calls `f(term, hash, as_written)` once for each distinct word and two-word phrase of
/// `comment` (folded; and as the customer spelled it, where that differs): a comment
/// counts once per term, however often it repeats it; a word it repeats counts once more,
/// marked [`REPEATED`].
fn for_each_term(comment: &str, mut f: impl FnMut(Term, u64, Option<Term>)) {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }
    SCRATCH.with_borrow_mut(|s| {
        s.read(comment);
        s.collect_terms();
        for (&(span, hash), &repeated) in s.words.iter().zip(&s.repeated) {
            let term = Term::Word(s.folded(span));
            f(term, hash, s.written(term, (span, None)));
            if repeated {
                // Counted apart, under a name no word can have: see `Themes::top`.
                let marked = [s.folded(span), REPEATED].concat();
                f(Term::Word(&marked), word_hash(&marked), None);
            }
        }
        for &(a, b, hash) in &s.phrases {
            let term = Term::Phrase(s.folded(a), s.folded(b));
            f(term, hash, s.written(term, (a, Some(b))));
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
        for_each_term(comment, |term, hash, written| {
            match terms.find_mut(hash, term) {
                Some(count) => *count += 1,
                None => {
                    let text = term.text();
                    if let Some(written) = written {
                        spelling.insert(text.clone(), written.text());
                    }
                    terms.insert_new(hash, text, 1);
                }
            }
        });
        if terms.len() > MAX_TERMS {
            terms.retain(|count| count > 1);
            spelling.retain(|term, _| terms.contains_key(term));
        }
    }

    /// Takes one comment's terms back out (the inverse of [`Themes::add`]).
    pub fn remove(&mut self, tier: usize, comment: &str) {
        let (Some(terms), Some(spelling)) = (self.terms.get_mut(tier), self.spelling.get_mut(tier))
        else {
            return;
        };
        for_each_term(comment, |term, hash, _| {
            if let Some(count) = terms.find_mut(hash, term) {
                *count -= 1;
                if *count == 0 {
                    terms.remove_where(hash, term);
                    spelling.remove(&term.text());
                }
            }
        });
    }

    /// Adds `other`'s counts (a spelling already known here is kept).
    pub fn merge(&mut self, other: &Themes) {
        for (mine, theirs) in self.terms.iter_mut().zip(&other.terms) {
            mine.merge(theirs);
        }
        for (mine, theirs) in self.spelling.iter_mut().zip(&other.spelling) {
            for (term, written) in theirs {
                mine.entry(term.clone()).or_insert_with(|| written.clone());
            }
        }
    }

    /// The `n` most frequent themes of `tier`, most frequent first (ties alphabetical),
    /// each as customers spelled it. One sentence many customers wrote is one theme, not
    /// six fragments of it: a word is left out where a phrase holds it in every comment
    /// that has it (their counts are equal), and phrases that overlap on such a word
    /// ("waited three", "three days") are shown as one ("waited three days").
    pub fn top(&self, tier: usize, n: usize) -> Vec<(String, u64)> {
        let Some(terms) = self.terms.get(tier) else {
            return Vec::new();
        };
        let count = |word: &str| terms.get(word).copied().unwrap_or(0);
        // In text order, not the table's (its hashes are seeded per process): which phrase
        // a chain takes, where a comment repeats a word, is then the same in every worker.
        let mut phrases: Vec<(&str, &str, u64)> = terms
            .iter()
            .filter_map(|(term, c)| term.split_once(' ').map(|(a, b)| (a, b, c)))
            .collect();
        phrases.sort_unstable();
        // Each phrase by its first word and count, to find what continues it.
        let mut starting: HashMap<(&str, u64), usize> = HashMap::default();
        for (i, &(a, _, c)) in phrases.iter().enumerate() {
            starting.entry((a, c)).or_insert(i);
        }
        // A phrase continues into another where their shared word is in no comment
        // without both (the word's count equals both phrases'), and is there once (no
        // comment repeats it: "slow refund. refund denied" holds both phrases, not "slow
        // refund denied"). Each phrase continues one other at most (a second that would,
        // starts its own).
        let once = |word: &str| count(&[word, REPEATED].concat()) == 0;
        let mut continued = vec![false; phrases.len()];
        let continues: Vec<Option<usize>> = phrases
            .iter()
            .enumerate()
            .map(|(i, &(_, b, c))| {
                let next = *starting
                    .get(&(b, c))
                    .filter(|&&j| j != i && count(b) == c && once(b))?;
                (!std::mem::replace(&mut continued[next], true)).then_some(next)
            })
            .collect();
        let spelled = |term: &str| {
            self.spelling[tier]
                .get(term)
                .map_or(term, String::as_str)
                .to_owned()
        };
        let mut themes: Vec<(String, u64)> = Vec::new();
        let mut covered: std::collections::HashSet<&str, foldhash::fast::RandomState> =
            Default::default();
        let mut shown = vec![false; phrases.len()];
        // Chains from their first phrase; then what a cycle ("a b", "b a") left unshown, alone.
        let starts = (0..phrases.len()).filter(|&i| !continued[i]);
        for start in starts.chain(0..phrases.len()) {
            if shown[start] {
                continue;
            }
            let (a, b, c) = phrases[start];
            shown[start] = true;
            // Spelled word by word, as each word's theme would be.
            let mut text = [spelled(a), spelled(b)].join(" ");
            covered.extend([a, b].into_iter().filter(|w| count(w) == c));
            let mut at = start;
            while let Some(next) = continues[at].filter(|&next| !shown[next]) {
                shown[next] = true;
                let (_, word, _) = phrases[next];
                text.push(' ');
                text.push_str(&spelled(word));
                if count(word) == c {
                    covered.insert(word);
                }
                at = next;
            }
            themes.push((text, c));
        }
        for (term, c) in terms.iter() {
            if !term.contains([' ', '\u{1}']) && !covered.contains(term.as_str()) {
                themes.push((spelled(term), c));
            }
        }
        themes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        themes.truncate(n);
        themes
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

    /// The words of `text` by the plain definition, one character at a time through
    /// Unicode's lower-casing: what both of the reader's fast paths must find.
    fn reference_words(text: &str) -> Vec<Option<(String, String)>> {
        let mut out = Vec::new();
        let mut word: Option<(String, String)> = None;
        let end = |word: &mut Option<(String, String)>, out: &mut Vec<_>| {
            if let Some((folded, written)) = word.take() {
                let keep = folded.chars().count() >= 3
                    && !folded.bytes().all(|b| b.is_ascii_digit())
                    && !STOP_WORDS.contains(&folded.as_str());
                out.push(keep.then_some((folded, written)));
            }
        };
        for c in text.chars().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() || c == '\'' {
                let (f, w) = word.get_or_insert_with(Default::default);
                f.push(fold(c));
                w.push(c);
            } else {
                end(&mut word, &mut out);
                if !c.is_whitespace() {
                    out.push(None);
                }
            }
        }
        end(&mut word, &mut out);
        out
    }

    proptest::proptest! {
        #[test]
        fn the_reader_finds_the_words_of_the_plain_definition(
            text in "[a-zA-Z0-9' ,.!\t\u{b}éÁñÜ\u{130}ß]{0,40}",
        ) {
            let (folded, written, spans) = words(&text);
            let shown: Vec<Option<(String, String)>> = spans
                .iter()
                .map(|span| span.map(|((s, e), (os, oe))| {
                    let f = folded[s..e].to_string();
                    let w = if written.is_empty() { f.clone() } else { written[os..oe].to_string() };
                    (f, w)
                }))
                .collect();
            proptest::prop_assert_eq!(shown, reference_words(&text));
        }
    }

    #[test]
    fn a_long_comment_counts_each_term_once_as_a_short_one_does() {
        // 200 words (the long way, a table of hashes) and 8 (the short way, a scan) hold
        // the same four words, four phrases, and each word more than once (four marks):
        // each counts once per comment.
        let mut long = Themes::default();
        long.add(0, &"Alpha beta gamma delta ".repeat(50));
        let mut short = Themes::default();
        short.add(0, "alpha beta gamma delta alpha beta gamma delta");
        assert_eq!(long.terms[0], short.terms[0]);
        assert_eq!(long.terms[0].len(), 4 + 4 + 4);
        assert!(long.terms[0].iter().all(|(_, count)| count == 1));
        assert_eq!(long.terms[0].get("delta alpha"), Some(&1));
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
        // "refund time" is in both detractor comments; each comment counts once. Its words
        // are in no comment without it: one theme, not three.
        // ("again" is a stop-word.)
        assert_eq!(
            t.top(0, 3),
            [("refund time".into(), 2), ("terrible".into(), 1)]
        );
        // "time was terrible": "was" is a stop-word, so no "time terrible" phrase.
        assert!(!t.terms[0].contains_key("time terrible"));
        assert_eq!(t.terms[2].get("rapido"), Some(&1));
        assert_eq!(t.terms[2].get("amable"), Some(&1));
    }

    #[test]
    fn a_sentence_many_wrote_is_one_theme_and_leaves_room_for_the_others() {
        let mut t = Themes::default();
        for _ in 0..43 {
            t.add(0, "Waited three days for an answer");
        }
        for _ in 0..37 {
            t.add(0, "Agent closed the ticket without fixing it");
        }
        for _ in 0..29 {
            t.add(0, "Too expensive for what it is");
        }
        for _ in 0..5 {
            t.add(0, "Three days late, and expensive");
        }
        // By hand. Words: waited 43, three 48, days 48, answer 43, agent 37, closed 37,
        // ticket 37, fixing 37, expensive 34, late 5 ("the", "without", "for", "too" are
        // stop-words and break phrases). Phrases: "three days" 48, "waited three" 43,
        // "agent closed" 37, "days late" 5. "waited three" does not join "three days":
        // "three" is in 48 comments, 5 of them without "waited". "waited", "three", "days",
        // "agent" and "closed" are in no comment without their phrase: left out.
        let top = t.top(0, 6);
        assert_eq!(
            top,
            [
                ("three days".into(), 48),
                ("answer".into(), 43),
                ("waited three".into(), 43),
                ("agent closed".into(), 37),
                ("fixing".into(), 37),
                ("ticket".into(), 37),
            ]
        );
        // The price complaint has room: "expensive" (29 + 5) comes next.
        assert_eq!(t.top(0, 7)[6], ("expensive".into(), 34));
    }

    #[test]
    fn phrases_in_the_same_comments_join_into_one_and_a_cycle_ends() {
        let mut t = Themes::default();
        for _ in 0..3 {
            t.add(0, "Waited three days for an answer");
        }
        assert_eq!(
            t.top(0, 5),
            [("answer".into(), 3), ("waited three days".into(), 3)]
        );
        let mut t = Themes::default();
        t.add(0, "bad service bad");
        assert_eq!(t.top(0, 5), [("bad service bad".into(), 1)]);
        // A word a comment repeats joins nothing: nobody wrote "slow refund denied".
        let mut t = Themes::default();
        t.add(0, "Slow refund. Refund denied");
        assert_eq!(
            t.top(0, 5),
            [("refund denied".into(), 1), ("slow refund".into(), 1)]
        );
        // Taken out again, the mark goes with it.
        t.remove(0, "Slow refund. Refund denied");
        assert!(t.terms[0].is_empty(), "{:?}", t.terms[0]);
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
        assert!(t.top(0, 10).contains(&("ñandú roto".into(), 1)));
        t.remove(0, "Nandu roto, llego tarde");
        assert!(t.terms[0].is_empty() && t.spelling[0].is_empty());
    }
}
