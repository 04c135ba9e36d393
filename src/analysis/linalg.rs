//! The little dense linear algebra the engine needs: row-major matrices,
//! sparse × dense products, Gram–Schmidt and a symmetric eigen-solver.

use rayon::prelude::*;

use super::vector::SparseMatrix;

/// Partial sums in `sparse_transposed_times_dense`.
const SUM_BLOCKS: usize = 4;

/// A dense row-major matrix of `f32`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dense {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

impl Dense {
    /// A matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Dense {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Row `r`.
    pub fn row(&self, r: usize) -> &[f32] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// Row `r`, mutable.
    pub fn row_mut(&mut self, r: usize) -> &mut [f32] {
        &mut self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// A matrix of 2-d rows scaled to unit length (for tests).
    #[cfg(test)]
    pub fn unit_rows(rows: &[[f32; 2]]) -> Dense {
        let mut m = Dense {
            rows: rows.len(),
            cols: 2,
            data: rows.iter().flatten().copied().collect(),
        };
        m.normalise_rows();
        m
    }

    /// Scales every row to unit length.
    pub fn normalise_rows(&mut self) {
        let cols = self.cols.max(1);
        self.data
            .par_chunks_mut(cols)
            .for_each(super::vector::normalise);
    }

    /// The transpose.
    fn transposed(&self) -> Dense {
        let mut out = Dense::zeros(self.cols, self.rows);
        for r in 0..self.rows {
            for c in 0..self.cols {
                out.data[c * self.rows + r] = self.data[r * self.cols + c];
            }
        }
        out
    }
}

/// Dot product.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent lanes over exact chunks let the compiler vectorise.
    let mut lanes = [0.0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let (a_rest, b_rest) = (a_chunks.remainder(), b_chunks.remainder());
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    let mut sum: f32 = lanes.iter().sum();
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

/// `out += scale * x`.
pub fn add_scaled(out: &mut [f32], scale: f32, x: &[f32]) {
    for (o, v) in out.iter_mut().zip(x) {
        *o += scale * v;
    }
}

/// `A[rows] · B`: the chosen rows of a sparse matrix times a dense one
/// with as many rows as `A` has columns.
pub fn sparse_times_dense(a: &SparseMatrix, rows: &[usize], b: &Dense) -> Dense {
    let mut out = Dense::zeros(rows.len(), b.cols);
    let cols = b.cols.max(1);
    out.data
        .par_chunks_mut(cols)
        .zip(rows.par_iter())
        .for_each(|(target, &r)| {
            for (column, value) in a.row(r) {
                add_scaled(target, value, b.row(column));
            }
        });
    out
}

/// `A[rows]ᵀ · Y`, where `Y` has one row per chosen row of `A`.
pub fn sparse_transposed_times_dense(a: &SparseMatrix, rows: &[usize], y: &Dense) -> Dense {
    let cols = y.cols;
    // A fixed number of blocks (not one per thread) keeps the summation
    // order, and so the result, the same on every machine.
    let block = rows.len().div_ceil(SUM_BLOCKS).max(1);
    let partials: Vec<Dense> = rows
        .par_chunks(block)
        .enumerate()
        .map(|(chunk_index, chunk)| {
            let mut partial = Dense::zeros(a.columns, cols);
            for (offset, &r) in chunk.iter().enumerate() {
                let source = y.row(chunk_index * block + offset);
                for (column, value) in a.row(r) {
                    add_scaled(partial.row_mut(column), value, source);
                }
            }
            partial
        })
        .collect();
    // Summed in parallel over slices of the result, each in block order.
    let mut out = Dense::zeros(a.columns, cols);
    let slice = cols.max(1) * 1024;
    out.data
        .par_chunks_mut(slice)
        .enumerate()
        .for_each(|(i, target)| {
            for partial in &partials {
                add_scaled(
                    target,
                    1.0,
                    &partial.data[i * slice..i * slice + target.len()],
                );
            }
        });
    out
}

/// Makes the columns orthonormal (modified Gram–Schmidt). A column that is
/// (numerically) dependent on earlier ones becomes zero.
///
/// Each column, once finished, is taken out of every later column, the
/// later columns in parallel: each column still meets the earlier ones in
/// the same order, so the result is the same as one column at a time.
pub fn orthonormalise_columns(m: &mut Dense) {
    let mut t = m.transposed();
    let n = t.cols;
    if n == 0 {
        return;
    }
    for j in 0..t.rows {
        let (done, rest) = t.data.split_at_mut((j + 1) * n);
        let column = &mut done[j * n..];
        let norm = dot(column, column).sqrt();
        if norm > 1e-6 {
            column.iter_mut().for_each(|v| *v /= norm);
        } else {
            column.iter_mut().for_each(|v| *v = 0.0);
        }
        let finished = &*column;
        rest.par_chunks_mut(n).for_each(|later| {
            let projection = dot(finished, later);
            add_scaled(later, -projection, finished);
        });
    }
    *m = t.transposed();
}

/// `Aᵀ · A` for a dense `A`, in `f64`.
// Matrix code reads best with explicit indices.
#[allow(clippy::needless_range_loop)]
pub fn gram(a: &Dense) -> Vec<Vec<f64>> {
    let n = a.cols;
    let mut out = vec![vec![0.0f64; n]; n];
    for r in 0..a.rows {
        let row = a.row(r);
        for i in 0..n {
            let ri = row[i] as f64;
            if ri == 0.0 {
                continue;
            }
            for j in i..n {
                out[i][j] += ri * row[j] as f64;
            }
        }
    }
    for i in 0..n {
        for j in 0..i {
            out[i][j] = out[j][i];
        }
    }
    out
}

/// Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi
/// rotations, largest eigenvalue first; `vectors[k]` belongs to `values[k]`.
#[allow(clippy::needless_range_loop)]
pub fn symmetric_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v = vec![vec![0.0f64; n]; n];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let scale: f64 = (0..n).map(|i| a[i][i] * a[i][i]).sum::<f64>().max(1e-300);
        if off <= 1e-22 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| a[y][y].total_cmp(&a[x][x]).then(x.cmp(&y)));
    let values = order.iter().map(|&k| a[k][k]).collect();
    let vectors = order
        .iter()
        .map(|&k| (0..n).map(|i| v[i][k]).collect())
        .collect();
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_decomposition_of_a_known_matrix() {
        let (values, vectors) = symmetric_eigen(vec![vec![2.0, 1.0], vec![1.0, 2.0]]);
        assert!((values[0] - 3.0).abs() < 1e-9 && (values[1] - 1.0).abs() < 1e-9);
        let v = &vectors[0];
        assert!((v[0].abs() - v[1].abs()).abs() < 1e-9 && v[0] * v[1] > 0.0);
    }

    #[test]
    fn gram_schmidt_gives_orthonormal_columns_and_zeroes_dependent_ones() {
        let mut m = Dense {
            rows: 3,
            cols: 3,
            data: vec![1.0, 2.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        };
        orthonormalise_columns(&mut m);
        let g = gram(&m);
        assert!((g[0][0] - 1.0).abs() < 1e-5 && (g[1][1] - 1.0).abs() < 1e-5);
        assert!(g[0][1].abs() < 1e-5);
        assert!(g[2][2].abs() < 1e-5, "third column was the first again");
    }

    #[test]
    fn gram_schmidt_in_parallel_is_exactly_gram_schmidt_one_column_at_a_time() {
        let mut rng = crate::analysis::rng::SplitMix64::new(7);
        let mut m = Dense::zeros(500, 40);
        m.data.iter_mut().for_each(|v| *v = rng.gaussian());
        // Two columns that repeat earlier ones.
        for r in 0..m.rows {
            let row = m.row_mut(r);
            (row[30], row[31]) = (row[3], row[3] + row[4]);
        }
        let mut expected = m.transposed();
        let n = expected.cols;
        for j in 0..expected.rows {
            let (done, rest) = expected.data.split_at_mut(j * n);
            let column = &mut rest[..n];
            for i in 0..j {
                let earlier = &done[i * n..(i + 1) * n];
                let projection = dot(earlier, column);
                add_scaled(column, -projection, earlier);
            }
            let norm = dot(column, column).sqrt();
            let scale = |v: &mut f32| *v = if norm > 1e-6 { *v / norm } else { 0.0 };
            column.iter_mut().for_each(scale);
        }
        orthonormalise_columns(&mut m);
        assert_eq!(m, expected.transposed());
    }
}
