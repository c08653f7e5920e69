namespace StemGen.Data.Pairs;

/// <summary>
/// How many (context, target) pairs one song gives (paper section 2). The context is any non-empty
/// proper subset of the M stems (N stems, 1 &lt;= N &lt; M) and the target one of the M - N stems
/// outside it, so the count is
///   sum over N = 1..M-1 of C(M, N) (M - N) = M (2^(M-1) - 1)
/// (each of the M targets pairs with every non-empty subset of the other M - 1 stems).
/// The paper writes N/2 (2^N - 2) with N for the number of stems: the same number, since
/// N/2 (2^N - 2) = N (2^(N-1) - 1). M = 2 gives 2, 3 gives 9, 4 gives 28, 8 gives 1016.
/// </summary>
public static class PairCounting
{
    /// <summary>M (2^(M-1) - 1): our derivation.</summary>
    public static long Count(int stems)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stems);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stems, 62);
        return stems == 0 ? 0 : stems * ((1L << (stems - 1)) - 1);
    }

    /// <summary>The paper's formula, N/2 (2^N - 2), as written (section 2).</summary>
    public static long PaperCount(int stems)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stems);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stems, 61);
        // Exact in integers: 2^N - 2 is even.
        return stems * (((1L << stems) - 2) / 2);
    }

    /// <summary>The sum over context sizes, sum_{N=1}^{M-1} C(M, N) (M - N), term by term.</summary>
    public static long CountBySize(int stems)
    {
        long total = 0;
        for (var n = 1; n < stems; n++) total += Binomial(stems, n) * (stems - n);
        return total;
    }

    /// <summary>Every pair of an M-stem song: context as a bit mask over stem indices, target index outside it.</summary>
    public static IEnumerable<(int ContextMask, int Target)> Enumerate(int stems)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stems);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stems, 30);
        var full = (1 << stems) - 1;
        for (var mask = 1; mask < full; mask++)
            for (var t = 0; t < stems; t++)
                if ((mask & (1 << t)) == 0) yield return (mask, t);
    }

    public static long Binomial(int n, int k)
    {
        if (k < 0 || k > n) return 0;
        k = Math.Min(k, n - k);
        long result = 1;
        for (var i = 1; i <= k; i++) result = result * (n - k + i) / i;
        return result;
    }
}
