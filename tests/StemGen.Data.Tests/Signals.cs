using StemGen.Audio;

namespace StemGen.Data.Tests;

/// <summary>Test signals with known activity.</summary>
internal static class Signals
{
    /// <summary>A sine, mono.</summary>
    public static float[] Sine(double frequency, double amplitude, double seconds, int rate)
    {
        var samples = new float[(int)Math.Round(seconds * rate)];
        for (var i = 0; i < samples.Length; i++) samples[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate));
        return samples;
    }

    /// <summary>A sine that sounds only where <paramref name="on"/> says (per second of signal).</summary>
    public static float[] Gated(double frequency, double amplitude, double seconds, int rate, Func<double, bool> on)
    {
        var samples = Sine(frequency, amplitude, seconds, rate);
        for (var i = 0; i < samples.Length; i++)
            if (!on((double)i / rate)) samples[i] = 0;
        return samples;
    }

    /// <summary>Seeded noise bursts (a drum-like stem): 50 ms every half second.</summary>
    public static float[] Bursts(double seconds, int rate, int seed)
    {
        var random = new Random(seed);
        var samples = new float[(int)Math.Round(seconds * rate)];
        for (var i = 0; i < samples.Length; i++)
            if ((double)i / rate % 0.5 < 0.05) samples[i] = (float)((random.NextDouble() * 2 - 1) * 0.5);
        return samples;
    }

    public static AudioBuffer Mono(float[] samples, int rate) => new(samples, 1, rate);
}
