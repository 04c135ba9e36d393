//! Disjoint sets with path halving: groups closed transitively (dendrogram
//! cuts, repeat groups). The smaller index always becomes the root, so
//! results do not depend on the order of unions.

/// Disjoint sets over `0..n`.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    /// The representative of `x`'s set.
    pub fn root(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`.
    pub fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_close_transitively_with_the_smallest_index_as_root() {
        let mut sets = UnionFind::new(5);
        sets.union(4, 2);
        sets.union(2, 3);
        assert_eq!((sets.root(4), sets.root(3)), (2, 2));
        assert_eq!((sets.root(0), sets.root(1)), (0, 1));
    }
}
