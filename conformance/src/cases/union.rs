//! A union of strategies whose unchosen branches cost a seed, not a runner.
//!
//! `prop_oneof!` keeps, for every branch before the drawn one, a copy of the test
//! runner (its configuration and a freshly seeded ChaCha generator) so that shrinking
//! can move to a simpler branch later. The realistic strings of `values` draw from such
//! unions in almost every field, and those copies were a tenth of the cost of a
//! request. [`one_of`] draws the same way (a branch uniformly), shrinks the same way
//! (within the branch, then to earlier branches, the earliest first reached being kept
//! once a later one is needed), but keeps only a 64-bit seed per earlier branch and
//! builds its runner when shrinking first visits it.

use std::fmt;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::{NewTree, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// One of `options`, each equally likely (as `prop_oneof![a, b, …]`).
pub(crate) fn one_of<T: fmt::Debug + 'static>(options: Vec<BoxedStrategy<T>>) -> BoxedStrategy<T> {
    OneOf(options.into()).boxed()
}

struct OneOf<T>(Arc<[BoxedStrategy<T>]>);

impl<T> fmt::Debug for OneOf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OneOf({} options)", self.0.len())
    }
}

/// A branch's tree, or the seed to build it from.
enum Lazy<T> {
    Seed(u64),
    Tree(Box<dyn ValueTree<Value = T>>),
    Failed,
}

struct OneOfTree<T> {
    options: Arc<[BoxedStrategy<T>]>,
    trees: Vec<Lazy<T>>,
    pick: usize,
    min_pick: usize,
    prev_pick: Option<usize>,
}

impl<T> fmt::Debug for OneOfTree<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneOfTree")
            .field("pick", &self.pick)
            .field("min_pick", &self.min_pick)
            .field("prev_pick", &self.prev_pick)
            .finish()
    }
}

impl<T: fmt::Debug + 'static> Strategy for OneOf<T> {
    type Tree = OneOfTree<T>;
    type Value = T;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let n = self.0.len();
        if n == 0 {
            return Err("one_of without options".into());
        }
        let pick = (0..n).new_tree(runner)?.current();
        let mut trees = Vec::with_capacity(pick + 1);
        for _ in 0..pick {
            trees.push(Lazy::Seed(any::<u64>().new_tree(runner)?.current()));
        }
        trees.push(Lazy::Tree(self.0[pick].new_tree(runner)?));
        Ok(OneOfTree {
            options: self.0.clone(),
            trees,
            pick,
            min_pick: 0,
            prev_pick: None,
        })
    }
}

impl<T: fmt::Debug> OneOfTree<T> {
    /// The tree of branch `i`, built from its seed on first use.
    fn tree(&mut self, i: usize) -> Option<&mut Box<dyn ValueTree<Value = T>>> {
        let slot = self.trees.get_mut(i)?;
        if let Lazy::Seed(seed) = *slot {
            let mut bytes = [0u8; 32];
            for (k, chunk) in bytes.chunks_mut(8).enumerate() {
                chunk.copy_from_slice(&(seed ^ (k as u64).wrapping_mul(0x9E37_79B9)).to_le_bytes());
            }
            let mut runner = TestRunner::new_with_rng(
                Config::default(),
                TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
            );
            *slot = match self.options.get(i).map(|s| s.new_tree(&mut runner)) {
                Some(Ok(t)) => Lazy::Tree(t),
                _ => Lazy::Failed,
            };
        }
        match slot {
            Lazy::Tree(t) => Some(t),
            _ => None,
        }
    }
}

impl<T: fmt::Debug> ValueTree for OneOfTree<T> {
    type Value = T;

    fn current(&self) -> T {
        match self.trees.get(self.pick) {
            Some(Lazy::Tree(t)) => t.current(),
            _ => unreachable!("the picked branch always has a tree"),
        }
    }

    fn simplify(&mut self) -> bool {
        let pick = self.pick;
        if self.tree(pick).is_some_and(|t| t.simplify()) {
            self.prev_pick = None;
            return true;
        }
        if self.pick == self.min_pick {
            return false;
        }
        self.prev_pick = Some(self.pick);
        let mut next = self.pick;
        while next > self.min_pick {
            next -= 1;
            if self.tree(next).is_some() {
                self.pick = next;
                return true;
            }
        }
        false
    }

    fn complicate(&mut self) -> bool {
        if let Some(pick) = self.prev_pick.take() {
            self.pick = pick;
            self.min_pick = pick;
            true
        } else {
            let pick = self.pick;
            self.tree(pick).is_some_and(|t| t.complicate())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runner() -> TestRunner {
        TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &[3; 32]),
        )
    }

    #[test]
    fn branches_are_equally_likely_and_shrink_to_the_first() {
        let s = one_of(vec![Just(0u8).boxed(), Just(1).boxed(), Just(2).boxed()]);
        let mut runner = runner();
        let mut seen = [0usize; 3];
        for _ in 0..3000 {
            let mut t = s.new_tree(&mut runner).unwrap();
            seen[t.current() as usize] += 1;
            while t.simplify() {}
            assert_eq!(t.current(), 0);
        }
        assert!(seen.iter().all(|&n| (850..1150).contains(&n)), "{seen:?}");
    }

    #[test]
    fn a_refused_branch_change_keeps_the_later_branch() {
        let s = one_of(vec![(0u32..10).boxed(), (100u32..110).boxed()]);
        let mut runner = runner();
        for _ in 0..200 {
            let mut t = s.new_tree(&mut runner).unwrap();
            let big = t.current() >= 100;
            // Keep only values >= 100 (a "failure" that needs the second branch).
            let mut steps = 0;
            while t.simplify() {
                steps += 1;
                assert!(steps < 1000);
                if t.current() < 100 && big && !t.complicate() {
                    break;
                }
            }
            assert_eq!(t.current() >= 100, big);
        }
    }
}
