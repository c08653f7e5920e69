namespace StemGen.Evaluation.Mir;

/// <summary>A note: MIDI pitch, start and length in seconds.</summary>
public readonly record struct Note(int Pitch, double Start, double Duration)
{
    public int PitchClass => Pitch % 12;
}

/// <summary>
/// Predominant pitch by YIN (de Cheveigné and Kawahara 2002) in C2..C7 (docs/evaluation-metrics.md), and
/// notes from it: runs of frames with the same rounded MIDI pitch lasting at least
/// <see cref="MinNoteFrames"/> frames. On polyphonic audio YIN follows the strongest periodicity, so
/// note descriptors of mixes describe the predominant line only (the paper used a transcription
/// model, which is not available here).
/// </summary>
public static class PitchTracker
{
    public const double Threshold = 0.15;
    /// <summary>Frames quieter than this (dB below the loudest frame) are unvoiced.</summary>
    public const double SilenceDb = -40;
    public const int MinNoteFrames = 2;

    /// <summary>Fundamental frequency per frame (NaN when unvoiced) of a mono signal at <see cref="AnalysisSettings.SampleRate"/>.</summary>
    public static double[] Track(float[] mono)
    {
        const int sr = AnalysisSettings.SampleRate, w = AnalysisSettings.PitchWindow, hop = AnalysisSettings.PitchHop;
        var tauMin = (int)Math.Floor(sr / AnalysisSettings.PitchMaxHz);
        var tauMax = (int)Math.Ceiling(sr / AnalysisSettings.PitchMinHz);
        var span = w + tauMax + 1;
        if (mono.Length < span) return [];
        var frames = 1 + (mono.Length - span) / hop;
        var rms = new double[frames];
        for (var f = 0; f < frames; f++)
        {
            double s = 0;
            for (var j = 0; j < w; j++) s += (double)mono[f * hop + j] * mono[f * hop + j];
            rms[f] = s / w;
        }
        var floor = rms.Max() * Math.Pow(10, SilenceDb / 10);
        var f0 = new double[frames];
        var d = new double[tauMax + 2];
        for (var f = 0; f < frames; f++)
        {
            f0[f] = double.NaN;
            if (rms[f] <= floor || rms[f] == 0) continue;
            var start = f * hop;
            // Difference function and its cumulative-mean normalisation.
            d[0] = 1;
            double running = 0;
            for (var tau = 1; tau <= tauMax + 1; tau++)
            {
                double sum = 0;
                for (var j = 0; j < w; j++)
                {
                    var diff = mono[start + j] - mono[start + j + tau];
                    sum += diff * diff;
                }
                running += sum;
                d[tau] = running > 0 ? sum * tau / running : 1;
            }
            var chosen = -1;
            for (var tau = Math.Max(2, tauMin); tau <= tauMax; tau++)
                if (d[tau] < Threshold)
                {
                    while (tau + 1 <= tauMax && d[tau + 1] < d[tau]) tau++;
                    chosen = tau;
                    break;
                }
            if (chosen < 0) continue;
            // Parabolic interpolation of the minimum.
            double a = d[chosen - 1], b = d[chosen], c = d[chosen + 1];
            var denominator = a - 2 * b + c;
            var refined = chosen + (denominator > 0 ? 0.5 * (a - c) / denominator : 0);
            var hz = sr / refined;
            if (hz >= AnalysisSettings.PitchMinHz * 0.97 && hz <= AnalysisSettings.PitchMaxHz * 1.03) f0[f] = hz;
        }
        return f0;
    }

    /// <summary>Notes from a pitch track (frame rate <see cref="AnalysisSettings.PitchFrameRate"/>).</summary>
    public static IReadOnlyList<Note> Notes(double[] f0)
    {
        var notes = new List<Note>();
        var rate = AnalysisSettings.PitchFrameRate;
        var f = 0;
        while (f < f0.Length)
        {
            if (double.IsNaN(f0[f])) { f++; continue; }
            var pitch = (int)Math.Round(PitchClass.MidiOf(f0[f]));
            var end = f + 1;
            while (end < f0.Length && !double.IsNaN(f0[end]) && (int)Math.Round(PitchClass.MidiOf(f0[end])) == pitch) end++;
            if (end - f >= MinNoteFrames) notes.Add(new Note(pitch, f / rate, (end - f) / rate));
            f = end;
        }
        return notes;
    }
}
