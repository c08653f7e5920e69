using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Coherence;

/// <summary>How well one stem fits one context. NaN where a metric is undefined (no key, no chords, no onsets, no beats).</summary>
/// <param name="KeyScore">MIREX key score of the stem's key against the context's: 1 same, 0.5 fifth, 0.3 relative, 0.2 parallel, else 0.</param>
/// <param name="ChordAgreement">Fraction of frames, among those where both have a chord, with the same triad.</param>
/// <param name="ChordToneRatio">Share of the stem's chroma energy on the pitch classes of the context's chord, over frames where the context has one.</param>
/// <param name="OnsetAlignment">Fraction of the stem's onsets within 50 ms of the context's eighth-note grid (beats and half-beats).</param>
/// <param name="TempoMatch">1 when the stem's tempo is within 4 % of the context's or of twice or half of it, else 0.</param>
public sealed record CoherenceScores(double KeyScore, double ChordAgreement, double ChordToneRatio, double OnsetAlignment, double TempoMatch);

/// <summary>
/// Listening coherence (beyond the paper: what the product promises): does a stem fit its own context?
/// Each metric compares the stem's own analysis with the context mix's. The evaluation reports them for
/// the generated stem, the real stem of the same context, and a mismatched stem from another song, so a
/// number reads against "how well the truth fits" and "how well anything fits".
/// </summary>
public static class CoherenceMetrics
{
    public const double OnsetToleranceSeconds = 0.05;
    public const double TempoTolerance = 0.04;

    public static CoherenceScores Score(MirAnalysis context, MirAnalysis stem) => new(
        KeyScore(context.Key, stem.Key),
        ChordAgreement(context.Chords, stem.Chords),
        ChordToneRatio(context.Chords, stem.Chroma),
        OnsetAlignment(context.Beats, stem.Onsets),
        TempoMatch(context.Beats.Tempo, stem.Beats.Tempo));

    /// <summary>MIREX weighted key score; NaN when either key is unknown.</summary>
    public static double KeyScore(Key? context, Key? stem)
    {
        if (context is not { } c || stem is not { } s) return double.NaN;
        if (c == s) return 1;
        if (c.Mode == s.Mode && ((s.Tonic - c.Tonic + 12) % 12 is 5 or 7)) return 0.5;
        var relative = c.Mode == Mode.Major ? new Key((c.Tonic + 9) % 12, Mode.Minor) : new Key((c.Tonic + 3) % 12, Mode.Major);
        if (s == relative) return 0.3;
        if (s.Tonic == c.Tonic) return 0.2;
        return 0;
    }

    public static double ChordAgreement(IReadOnlyList<Chord> context, IReadOnlyList<Chord> stem)
    {
        int both = 0, same = 0;
        for (var f = 0; f < Math.Min(context.Count, stem.Count); f++)
        {
            if (context[f].IsNone || stem[f].IsNone) continue;
            both++;
            if (context[f] == stem[f]) same++;
        }
        return both == 0 ? double.NaN : (double)same / both;
    }

    public static double ChordToneRatio(IReadOnlyList<Chord> context, Chroma stem)
    {
        double on = 0, total = 0;
        for (var f = 0; f < Math.Min(context.Count, stem.Frames.Length); f++)
        {
            if (context[f].IsNone) continue;
            var frame = stem.Frames[f];
            total += frame.Sum();
            foreach (var pc in context[f].PitchClasses) on += frame[pc];
        }
        return total <= 0 ? double.NaN : on / total;
    }

    public static double OnsetAlignment(BeatResult contextBeats, IReadOnlyList<double> stemOnsets)
    {
        if (!contextBeats.HasBeats || stemOnsets.Count == 0) return double.NaN;
        var grid = new List<double>();
        var beats = contextBeats.Beats;
        var period = (beats[^1] - beats[0]) / (beats.Length - 1);
        // Extend the grid one beat past both ends so onsets just outside the tracked span still count.
        grid.Add(beats[0] - period);
        grid.Add(beats[0] - period / 2);
        for (var i = 0; i < beats.Length; i++)
        {
            grid.Add(beats[i]);
            grid.Add(i + 1 < beats.Length ? (beats[i] + beats[i + 1]) / 2 : beats[i] + period / 2);
        }
        grid.Add(beats[^1] + period);
        var aligned = stemOnsets.Count(o => grid.Any(g => Math.Abs(g - o) <= OnsetToleranceSeconds));
        return (double)aligned / stemOnsets.Count;
    }

    public static double TempoMatch(double contextTempo, double stemTempo)
    {
        if (!double.IsFinite(contextTempo) || !double.IsFinite(stemTempo) || contextTempo <= 0 || stemTempo <= 0) return double.NaN;
        foreach (var factor in new[] { 1.0, 2.0, 0.5 })
            if (Math.Abs(stemTempo / (contextTempo * factor) - 1) <= TempoTolerance) return 1;
        return 0;
    }
}

/// <summary>Means of the coherence scores over examples (NaNs skipped; Defined says how many examples had each).</summary>
public sealed record CoherenceSummary(string Population, int Examples, double KeyScore, double ChordAgreement, double ChordToneRatio,
    double OnsetAlignment, double TempoMatch, IReadOnlyDictionary<string, int> Defined)
{
    public static CoherenceSummary Of(string population, IReadOnlyList<CoherenceScores> scores)
    {
        double Mean(Func<CoherenceScores, double> pick)
        {
            var values = scores.Select(pick).Where(double.IsFinite).ToList();
            return values.Count == 0 ? double.NaN : values.Average();
        }
        int Count(Func<CoherenceScores, double> pick) => scores.Count(s => double.IsFinite(pick(s)));
        return new CoherenceSummary(population, scores.Count, Mean(s => s.KeyScore), Mean(s => s.ChordAgreement), Mean(s => s.ChordToneRatio),
            Mean(s => s.OnsetAlignment), Mean(s => s.TempoMatch),
            new Dictionary<string, int>
            {
                ["keyScore"] = Count(s => s.KeyScore),
                ["chordAgreement"] = Count(s => s.ChordAgreement),
                ["chordToneRatio"] = Count(s => s.ChordToneRatio),
                ["onsetAlignment"] = Count(s => s.OnsetAlignment),
                ["tempoMatch"] = Count(s => s.TempoMatch),
            });
    }
}
