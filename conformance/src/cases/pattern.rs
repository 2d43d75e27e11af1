//! Strings of small regular expressions, drawn cheaply.
//!
//! proptest's `string_regex` gives every generated character a value tree of its own
//! (and a nested strategy per repetition), which made drawing the realistic shapes of
//! `values` — session ids, phone numbers, file names — a third of the cost of a whole
//! request. The patterns used there are constants of one simple kind: a sequence of
//! literal characters, character classes with an optional `{n}` / `{n,m}` count, and
//! groups of literal alternatives `(10|20|755)`. This module draws exactly those with
//! proptest's distribution — a count uniform in its bounds, a class member by picking
//! one of the class's (sorted, merged) ranges uniformly and then a character uniformly
//! in it, an alternative uniformly — from one random seed per value, and shrinks by
//! dropping repeated characters down to the minimum count, then moving each character
//! to the first of its class and each group to its first alternative.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::{NewTree, ValueTree};
use proptest::test_runner::TestRunner;

/// One element of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Literal text.
    Lit(String),
    /// Between `min` and `max` characters, each from one of `ranges` (inclusive,
    /// sorted, merged) or, for an explicit alphabet, one of its characters.
    Chars {
        set: CharSet,
        min: usize,
        max: usize,
    },
    /// One of these texts.
    Alt(Vec<String>),
}

/// Where the characters of a [`Piece::Chars`] come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CharSet {
    /// A regex class: a range is picked uniformly, then a character in it.
    Ranges(Vec<(u32, u32)>),
    /// A list (as `proptest::sample::select` over characters): uniform.
    List(Vec<char>),
}

impl CharSet {
    fn draw(&self, rng: &mut Mix) -> char {
        match self {
            CharSet::Ranges(ranges) => {
                let (lo, hi) = ranges[rng.below(ranges.len() as u64) as usize];
                let c = lo + rng.below(u64::from(hi - lo) + 1) as u32;
                char::from_u32(c).unwrap_or('a')
            }
            CharSet::List(chars) => chars[rng.below(chars.len() as u64) as usize],
        }
    }

    /// The character a draw shrinks to.
    fn first(&self) -> char {
        match self {
            CharSet::Ranges(ranges) => char::from_u32(ranges[0].0).unwrap_or('a'),
            CharSet::List(chars) => chars[0],
        }
    }
}

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern(Vec<Piece>);

/// Parses the subset of regular expressions described in the module documentation;
/// `None` for anything else.
fn parse(re: &str) -> Option<Pattern> {
    let chars: Vec<char> = re.chars().collect();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut i = 0;
    let lit = |pieces: &mut Vec<Piece>, c: char| match pieces.last_mut() {
        Some(Piece::Lit(s)) => s.push(c),
        _ => pieces.push(Piece::Lit(c.to_string())),
    };
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => {
                let e = *chars.get(i + 1)?;
                if e.is_ascii_alphanumeric() {
                    return None; // \d, \p{…}: not in the subset.
                }
                i += 2;
                if matches!(chars.get(i), Some('{' | '*' | '+' | '?')) {
                    return None;
                }
                lit(&mut pieces, e);
            }
            '[' => {
                let end = i + 1 + chars.get(i + 1..)?.iter().position(|&c| c == ']')?;
                let set = class(chars.get(i + 1..end)?)?;
                i = end + 1;
                let (min, max, next) = count(&chars, i)?;
                i = next;
                pieces.push(Piece::Chars { set, min, max });
            }
            '(' => {
                let end = i + 1 + chars.get(i + 1..)?.iter().position(|&c| c == ')')?;
                let body: String = chars.get(i + 1..end)?.iter().collect();
                if body.chars().any(|c| "\\[](){}*+?.^$".contains(c)) {
                    return None;
                }
                i = end + 1;
                if matches!(chars.get(i), Some('{' | '*' | '+' | '?')) {
                    return None;
                }
                pieces.push(Piece::Alt(body.split('|').map(String::from).collect()));
            }
            '{' | '}' | ']' | ')' | '*' | '+' | '?' | '.' | '^' | '$' | '|' => return None,
            _ => {
                i += 1;
                if matches!(chars.get(i), Some('{' | '*' | '+' | '?')) {
                    return None;
                }
                lit(&mut pieces, c);
            }
        }
    }
    Some(Pattern(pieces))
}

/// The ranges of a class body (between `[` and `]`), sorted and merged as the regex
/// parser does (so `[A-Za-z0-9+/]` has the four ranges `+`, `/-9`, `A-Z`, `a-z`).
fn class(body: &[char]) -> Option<CharSet> {
    if body.is_empty() || body.first() == Some(&'^') {
        return None;
    }
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut i = 0;
    while let Some(&c) = body.get(i) {
        if c == '\\' || c == '[' {
            return None;
        }
        match (body.get(i + 1), body.get(i + 2)) {
            (Some('-'), Some(&hi)) => {
                if hi < c || hi == '\\' {
                    return None;
                }
                ranges.push((c as u32, hi as u32));
                i += 3;
            }
            _ => {
                ranges.push((c as u32, c as u32));
                i += 1;
            }
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (lo, hi) in ranges {
        match merged.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    Some(CharSet::Ranges(merged))
}

/// An optional `{n}` / `{n,m}` at `i`: (min, max, index after it).
fn count(chars: &[char], i: usize) -> Option<(usize, usize, usize)> {
    match chars.get(i) {
        Some('{') => {
            let end = i + chars.get(i..)?.iter().position(|&c| c == '}')?;
            let body: String = chars.get(i + 1..end)?.iter().collect();
            let (min, max) = match body.split_once(',') {
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let n = body.parse().ok()?;
                    (n, n)
                }
            };
            (min <= max).then_some((min, max, end + 1))
        }
        Some('*' | '+' | '?') => None,
        _ => Some((1, 1, i)),
    }
}

/// A small, fast generator (SplitMix64) seeded from the runner, so one value costs
/// one draw from proptest's RNG whatever its length.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n.max(1))) >> 64) as u64
    }
}

/// What was drawn for one piece.
#[derive(Debug, Clone)]
enum Slot {
    Lit,
    Chars(Vec<char>),
    Alt(usize),
}

/// A strategy of strings of a pattern (see the module documentation).
#[derive(Debug, Clone)]
struct PatternStrategy(Arc<Pattern>);

/// The next shrinking step.
#[derive(Debug, Clone, Copy)]
enum Cursor {
    /// Drop the last character of piece `.0` while above its minimum count.
    Shorten(usize),
    /// Move character `.1` of piece `.0` to the first of its set (or the group to its
    /// first alternative).
    Simplest(usize, usize),
    Done,
}

/// How to undo the last step.
#[derive(Debug, Clone, Copy)]
enum Undo {
    Push(usize, char),
    Set(usize, usize, char),
    Alt(usize, usize),
}

#[derive(Debug, Clone)]
struct PatternTree {
    pattern: Arc<Pattern>,
    slots: Vec<Slot>,
    cursor: Cursor,
    undo: Option<Undo>,
}

impl Strategy for PatternStrategy {
    type Tree = PatternTree;
    type Value = String;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let mut rng = Mix(any::<u64>().new_tree(runner)?.current());
        let slots = self
            .0
             .0
            .iter()
            .map(|p| match p {
                Piece::Lit(_) => Slot::Lit,
                Piece::Chars { set, min, max } => {
                    let n = min + rng.below((max - min) as u64 + 1) as usize;
                    Slot::Chars((0..n).map(|_| set.draw(&mut rng)).collect())
                }
                Piece::Alt(alts) => Slot::Alt(rng.below(alts.len() as u64) as usize),
            })
            .collect();
        Ok(PatternTree {
            pattern: self.0.clone(),
            slots,
            cursor: Cursor::Shorten(0),
            undo: None,
        })
    }
}

impl ValueTree for PatternTree {
    type Value = String;

    fn current(&self) -> String {
        let mut out = String::new();
        for (piece, slot) in self.pattern.0.iter().zip(&self.slots) {
            match (piece, slot) {
                (Piece::Lit(s), _) => out.push_str(s),
                (_, Slot::Chars(cs)) => out.extend(cs),
                (Piece::Alt(alts), Slot::Alt(i)) => out.push_str(&alts[*i]),
                _ => {}
            }
        }
        out
    }

    fn simplify(&mut self) -> bool {
        self.undo = None;
        loop {
            match self.cursor {
                Cursor::Done => return false,
                Cursor::Shorten(p) => {
                    let (Some(piece), Some(slot)) = (self.pattern.0.get(p), self.slots.get_mut(p))
                    else {
                        self.cursor = Cursor::Done;
                        continue;
                    };
                    if let (Piece::Chars { min, .. }, Slot::Chars(cs)) = (piece, slot) {
                        if cs.len() > *min {
                            if let Some(c) = cs.pop() {
                                self.undo = Some(Undo::Push(p, c));
                                return true;
                            }
                        }
                    }
                    self.cursor = Cursor::Simplest(p, 0);
                }
                Cursor::Simplest(p, k) => {
                    let (Some(piece), Some(slot)) = (self.pattern.0.get(p), self.slots.get_mut(p))
                    else {
                        self.cursor = Cursor::Done;
                        continue;
                    };
                    match (piece, slot) {
                        (Piece::Chars { set, .. }, Slot::Chars(cs)) if k < cs.len() => {
                            self.cursor = Cursor::Simplest(p, k + 1);
                            let first = set.first();
                            if cs[k] != first {
                                self.undo = Some(Undo::Set(p, k, cs[k]));
                                cs[k] = first;
                                return true;
                            }
                        }
                        (Piece::Alt(_), Slot::Alt(i)) if k == 0 && *i != 0 => {
                            self.cursor = Cursor::Shorten(p + 1);
                            self.undo = Some(Undo::Alt(p, *i));
                            *i = 0;
                            return true;
                        }
                        _ => self.cursor = Cursor::Shorten(p + 1),
                    }
                }
            }
        }
    }

    fn complicate(&mut self) -> bool {
        let Some(undo) = self.undo.take() else {
            return false;
        };
        match undo {
            Undo::Push(p, c) => {
                if let Some(Slot::Chars(cs)) = self.slots.get_mut(p) {
                    cs.push(c);
                }
                // This length is needed: go on with the characters.
                self.cursor = Cursor::Simplest(p, 0);
            }
            Undo::Set(p, k, c) => {
                if let Some(Slot::Chars(cs)) = self.slots.get_mut(p) {
                    if let Some(slot) = cs.get_mut(k) {
                        *slot = c;
                    }
                }
            }
            Undo::Alt(p, i) => {
                if let Some(Slot::Alt(a)) = self.slots.get_mut(p) {
                    *a = i;
                }
            }
        }
        true
    }
}

/// A strategy of strings matching `re` (a constant of the subset this module reads),
/// or always `fallback` if `re` is outside it (a unit test keeps every pattern of the
/// crate inside).
pub(crate) fn matching(re: &str, fallback: &'static str) -> BoxedStrategy<String> {
    let parsed = parse(re);
    debug_assert!(
        parsed.is_some(),
        "{re} is outside the patterns this module reads"
    );
    match parsed {
        Some(p) => PatternStrategy(Arc::new(p)).boxed(),
        None => Just(fallback.to_string()).boxed(),
    }
}

/// Strings of `min..=max` characters drawn uniformly from `alphabet` (as a vector of
/// `select(alphabet)` collected into a string).
pub(crate) fn chars_of(alphabet: &[char], min: usize, max: usize) -> BoxedStrategy<String> {
    if alphabet.is_empty() || min > max {
        return Just(String::new()).boxed();
    }
    PatternStrategy(Arc::new(Pattern(vec![Piece::Chars {
        set: CharSet::List(alphabet.to_vec()),
        min,
        max,
    }])))
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng};
    use regex::Regex;

    /// Every pattern `values` draws from (a pattern outside the subset also fails a
    /// debug assertion in [`matching`] as soon as a test draws from it).
    const PATTERNS: &[&str] = &[
        "[a-z][a-z0-9_]{0,20}\\.wav",
        "1200_366_0_20[0-9]{12}\\.wav",
        "[0-9]{4}_[0-9]{3}_[0-9]{10}_20[0-9]{12}@callenabler[0-9]{3}\\.huaweicaas\\.com",
        "[a-z]{3,10}\\.example\\.com",
        "https://[a-z]{3,10}\\.example\\.com/[a-z0-9/]{0,30}",
        "[A-Za-z0-9_-]{1,32}",
        "[0-9*#]{1,8}",
        "[A-Za-z0-9][A-Za-z0-9 .,]{0,30}",
        "\\+861[3-9][0-9]{9}",
        "\\+86(10|20|21|755)[0-9]{8}",
        "\\+447[0-9]{9}",
        "\\+1[2-9][0-9]{9}",
        "\\+8525[0-9]{7}",
        "[a-z0-9-]{1,12}",
        "[0-9A-F]{32}",
        "[0-9A-Za-z]{1,128}",
        "[0-9]{1,4}",
        "[0-9]{1,8}",
        "[A-Za-z0-9]{8,32}",
        "[A-Za-z0-9+/]{43}=",
    ];

    fn runner() -> TestRunner {
        TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
        )
    }

    #[test]
    fn every_pattern_parses_and_its_values_and_shrinks_match_it() {
        let mut runner = runner();
        for re in PATTERNS {
            let p = parse(re).unwrap_or_else(|| panic!("{re} is outside the subset"));
            let full = Regex::new(&format!("^(?:{re})$")).unwrap();
            let s = PatternStrategy(Arc::new(p));
            for _ in 0..200 {
                let mut t = s.new_tree(&mut runner).unwrap();
                assert!(full.is_match(&t.current()), "{re}: {:?}", t.current());
                // Shrink all the way (accepting every step), then check the end.
                let mut steps = 0;
                while t.simplify() {
                    steps += 1;
                    assert!(steps < 10_000, "{re}: shrinking does not end");
                    assert!(full.is_match(&t.current()), "{re}: {:?}", t.current());
                }
                // And with every step refused, the value comes back.
                let mut u = s.new_tree(&mut runner).unwrap();
                let before = u.current();
                while u.simplify() {
                    assert!(u.complicate());
                    assert_eq!(u.current(), before, "{re}");
                }
            }
        }
    }

    #[test]
    fn classes_are_sorted_and_merged_like_the_regex_parser_does() {
        let ranges = |re: &str| match parse(re).map(|p| p.0) {
            Some(v) => match v.as_slice() {
                [Piece::Chars {
                    set: CharSet::Ranges(r),
                    ..
                }] => r
                    .iter()
                    .map(|&(a, b)| (char::from_u32(a).unwrap(), char::from_u32(b).unwrap()))
                    .collect::<Vec<_>>(),
                _ => panic!("{re}"),
            },
            None => panic!("{re}"),
        };
        assert_eq!(
            ranges("[A-Za-z0-9+/]"),
            vec![('+', '+'), ('/', '9'), ('A', 'Z'), ('a', 'z')]
        );
        assert_eq!(
            ranges("[A-Za-z0-9_-]"),
            vec![('-', '-'), ('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')]
        );
    }

    #[test]
    fn counts_and_alternatives_are_uniform() {
        let mut runner = runner();
        let s = PatternStrategy(Arc::new(parse("(a|b|c)[x]{0,3}").unwrap()));
        let mut alts = [0usize; 3];
        let mut lens = [0usize; 4];
        for _ in 0..6000 {
            let v = s.new_tree(&mut runner).unwrap().current();
            alts[(v.as_bytes()[0] - b'a') as usize] += 1;
            lens[v.len() - 1] += 1;
        }
        assert!(alts.iter().all(|&n| (1700..2300).contains(&n)), "{alts:?}");
        assert!(lens.iter().all(|&n| (1200..1800).contains(&n)), "{lens:?}");
    }

    #[test]
    fn patterns_outside_the_subset_are_refused() {
        for re in [
            "\\d{3}", "[^a]", "a*", "(a|b){2}", "\\p{Han}", "a.b", "[a-z",
        ] {
            assert!(parse(re).is_none(), "{re}");
        }
    }
}
