using StemGen.Audio;
using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Tests;

/// <summary>Test signals synthesised in C#: harmonic tones, chords, scales and click tracks with known answers.</summary>
internal static class Signals
{
    public const int Rate = AnalysisSettings.SampleRate;

    /// <summary>Adds a harmonic tone (partials 1/h, 4 partials, 10 ms attack and release) at <paramref name="start"/> seconds.</summary>
    public static void AddTone(float[] buffer, double midi, double start, double seconds, double amplitude = 0.2, int rate = Rate)
    {
        var f0 = PitchClass.HzOf(midi);
        int first = (int)(start * rate), count = (int)(seconds * rate);
        var ramp = (int)(0.01 * rate);
        for (var i = 0; i < count && first + i < buffer.Length; i++)
        {
            var t = (double)i / rate;
            double v = 0;
            for (var h = 1; h <= 4; h++)
                if (f0 * h < rate / 2.0) v += Math.Sin(2 * Math.PI * f0 * h * t) / h;
            var envelope = Math.Min(1, Math.Min((double)i / ramp, (double)(count - i) / ramp));
            buffer[first + i] += (float)(amplitude * envelope * v);
        }
    }

    public static float[] Silence(double seconds, int rate = Rate) => new float[(int)(seconds * rate)];

    /// <summary>A triad (root position around middle C plus the root an octave lower) lasting <paramref name="seconds"/>.</summary>
    public static void AddChord(float[] buffer, Chord chord, double start, double seconds)
    {
        var root = 60 + chord.Root - (chord.Root >= 6 ? 12 : 0);
        AddTone(buffer, root - 12, start, seconds, 0.15);
        foreach (var interval in new[] { 0, chord.Quality == Mode.Major ? 4 : 3, 7 })
            AddTone(buffer, root + interval, start, seconds, 0.15);
    }

    /// <summary>Clicks (5 ms decaying noise bursts) every 60 / bpm seconds; the first of every <paramref name="accentEvery"/> is twice as loud.</summary>
    public static float[] Clicks(double bpm, double seconds, int accentEvery = 0, int rate = Rate, int seed = 1)
    {
        var buffer = Silence(seconds, rate);
        var rng = new Random(seed);
        var period = 60.0 / bpm;
        var index = 0;
        for (var t = 0.25; t < seconds - 0.05; t += period, index++)
        {
            var amplitude = accentEvery > 0 && index % accentEvery == 0 ? 0.8 : 0.3;
            var start = (int)(t * rate);
            for (var i = 0; i < (int)(0.02 * rate) && start + i < buffer.Length; i++)
                buffer[start + i] += (float)(amplitude * Math.Exp(-i / (0.004 * rate)) * (rng.NextDouble() * 2 - 1));
        }
        return buffer;
    }

    public static AudioBuffer Buffer(float[] samples, int rate = Rate) => new(samples, 1, rate);
}
