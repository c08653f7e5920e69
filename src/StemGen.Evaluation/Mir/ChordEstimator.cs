namespace StemGen.Evaluation.Mir;

/// <summary>
/// Frame-wise triad chords (docs/evaluation-metrics.md): each chroma frame, L2-normalised, is matched by
/// cosine to 24 binary triad templates (12 major, 12 minor). A frame is "no chord" when its energy is
/// 40 dB below the loudest frame, or when no template reaches <see cref="MinScore"/>. A 5-frame
/// (~0.46 s) majority filter then removes one-frame flickers.
/// </summary>
public static class ChordEstimator
{
    public const double MinScore = 0.65;
    public const double SilenceDb = -40;
    public const int SmoothingFrames = 5;

    public static Chord[] Estimate(Chroma chroma)
    {
        var frames = chroma.Frames;
        var loudest = chroma.Energy.DefaultIfEmpty(0).Max();
        var raw = new Chord[frames.Length];
        var floor = loudest * Math.Pow(10, SilenceDb / 10);
        for (var f = 0; f < frames.Length; f++)
            raw[f] = loudest <= 0 || chroma.Energy[f] <= floor ? Chord.None : Best(frames[f]);
        return Smooth(raw);
    }

    /// <summary>The best triad for one chroma frame (or no chord under <see cref="MinScore"/>).</summary>
    public static Chord Best(double[] frame)
    {
        var norm = Math.Sqrt(frame.Sum(v => v * v));
        if (norm <= 0) return Chord.None;
        var bestScore = double.NegativeInfinity;
        var best = Chord.None;
        for (var index = 0; index < 24; index++)
        {
            var chord = new Chord(index);
            var score = chord.PitchClasses.Sum(pc => frame[pc]) / (norm * Math.Sqrt(3));
            if (score > bestScore)
            {
                bestScore = score;
                best = chord;
            }
        }
        return bestScore >= MinScore ? best : Chord.None;
    }

    internal static Chord[] Smooth(Chord[] raw)
    {
        var result = new Chord[raw.Length];
        var half = SmoothingFrames / 2;
        var counts = new int[25];
        for (var f = 0; f < raw.Length; f++)
        {
            Array.Clear(counts);
            for (var g = Math.Max(0, f - half); g <= Math.Min(raw.Length - 1, f + half); g++) counts[raw[g].Index]++;
            // Keep the frame's own label on ties, so smoothing never invents a chord.
            var best = raw[f].Index;
            for (var i = 0; i < counts.Length; i++) if (counts[i] > counts[best]) best = i;
            result[f] = new Chord(best);
        }
        return result;
    }

    /// <summary>The chord sequence: runs of equal labels, no-chord frames skipped (C N C is one C).</summary>
    public static IReadOnlyList<Chord> Sequence(IReadOnlyList<Chord> frames)
    {
        var sequence = new List<Chord>();
        foreach (var chord in frames)
            if (!chord.IsNone && (sequence.Count == 0 || sequence[^1] != chord)) sequence.Add(chord);
        return sequence;
    }

    /// <summary>Fraction of chord changes that switch quality (major to minor or back); 0 when there is no change.</summary>
    public static double AlterationRatio(IReadOnlyList<Chord> sequence)
    {
        int changes = 0, alterations = 0;
        for (var i = 1; i < sequence.Count; i++)
        {
            if (sequence[i] == sequence[i - 1]) continue;
            changes++;
            if (sequence[i].Quality != sequence[i - 1].Quality) alterations++;
        }
        return changes == 0 ? 0 : (double)alterations / changes;
    }
}
