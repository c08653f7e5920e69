using MathNet.Numerics.LinearAlgebra;

namespace StemGen.Evaluation.Fad;

/// <summary>
/// Fréchet distance between two Gaussians (Kilgour et al. 2019, docs/evaluation-metrics.md):
/// FD = |mu1 - mu2|^2 + Tr S1 + Tr S2 - 2 Tr sqrt(S1 S2).
/// The trace of the matrix square root is taken the robust way: S1 S2 is similar to the symmetric
/// M = S1^1/2 S2 S1^1/2, so Tr sqrt(S1 S2) = sum_i sqrt(lambda_i(M)); M's eigenvalues come from a
/// symmetric eigen-decomposition and tiny negative ones (round-off) are clipped to 0. This avoids the
/// complex parts scipy.linalg.sqrtm produces on near-singular covariances.
/// </summary>
public static class FrechetDistance
{
    public static double Compute(GaussianStatistics a, GaussianStatistics b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Dimension != b.Dimension) throw new ArgumentException($"embedding dimensions differ: {a.Dimension} vs {b.Dimension}");
        var d = a.Dimension;
        double meanTerm = 0;
        for (var i = 0; i < d; i++)
        {
            var delta = a.Mean[i] - b.Mean[i];
            meanTerm += delta * delta;
        }
        var s1 = Matrix<double>.Build.DenseOfArray(a.Covariance);
        var s2 = Matrix<double>.Build.DenseOfArray(b.Covariance);
        var value = meanTerm + s1.Trace() + s2.Trace() - 2 * TraceSqrtProduct(s1, s2);
        // Round-off can leave -1e-12 for identical sets; a distance is never negative.
        return Math.Max(0, value);
    }

    /// <summary>Tr sqrt(S1 S2) via the eigenvalues of S1^1/2 S2 S1^1/2 (both symmetric positive semi-definite).</summary>
    public static double TraceSqrtProduct(Matrix<double> s1, Matrix<double> s2)
    {
        var root1 = SymmetricSqrt(s1);
        var m = root1 * s2 * root1;
        m = (m + m.Transpose()) / 2; // exact symmetry for the symmetric solver
        var eigen = m.Evd(Symmetricity.Symmetric);
        double trace = 0;
        foreach (var lambda in eigen.EigenValues) trace += Math.Sqrt(Math.Max(0, lambda.Real));
        return trace;
    }

    /// <summary>V diag(sqrt(max(lambda, 0))) V^T of a symmetric matrix.</summary>
    public static Matrix<double> SymmetricSqrt(Matrix<double> s)
    {
        var sym = (s + s.Transpose()) / 2;
        var eigen = sym.Evd(Symmetricity.Symmetric);
        var roots = Vector<double>.Build.Dense(eigen.EigenValues.Count, i => Math.Sqrt(Math.Max(0, eigen.EigenValues[i].Real)));
        var v = eigen.EigenVectors;
        return v * Matrix<double>.Build.DiagonalOfDiagonalVector(roots) * v.Transpose();
    }
}
