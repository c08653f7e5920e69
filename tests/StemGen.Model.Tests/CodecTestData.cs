using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

/// <summary>Tiny codec configs and synthetic signals for the codec tests.</summary>
internal static class CodecTestData
{
    /// <summary>The 32 kHz token interface (hop 640) with 4 filters, no LSTM, 2 x 16 codes of dim 8.</summary>
    public static CodecConfig Micro { get; } = new()
    {
        BaseFilters = 4, LatentDim = 8, CodebookSize = 16, Levels = 2, LstmLayers = 0,
    };

    /// <summary>Hop 8 (ratios 4, 2), so many lengths around multiples of the hop are cheap.</summary>
    public static CodecConfig Hop8 { get; } = new()
    {
        BaseFilters = 4, Ratios = [4, 2], LatentDim = 6, CodebookSize = 8, Levels = 3, LstmLayers = 1,
    };

    /// <summary>A codec small enough to train for a few dozen steps on a CPU in seconds: hop 128, 1-layer LSTM, 2 x 64 codes.</summary>
    public static CodecConfig Trainable { get; } = new()
    {
        BaseFilters = 8, Ratios = [8, 4, 4], LatentDim = 16, CodebookSize = 64, Levels = 2, LstmLayers = 1,
    };

    public static float[] Values(Tensor t) => t.Contiguous().ToArray<float>();

    /// <summary>|expected - actual| &lt;= tolerance * (1 + |expected|) element by element.</summary>
    public static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>
    /// Deterministic synthetic clips at 32 kHz: sums of sines, linear chirps and noise bursts under
    /// exponential envelopes.
    /// </summary>
    public static IEnumerable<float[]> SyntheticClips(int seed, int samples, int sampleRate = 32000)
    {
        var random = new Random(seed);
        while (true) yield return SyntheticClip(random, samples, sampleRate);
    }

    public static float[] SyntheticClip(Random random, int samples, int sampleRate = 32000)
    {
        var clip = new float[samples];
        var kind = random.Next(3);
        var amplitude = 0.1 + 0.4 * random.NextDouble();
        switch (kind)
        {
            case 0: // chord of sines
                for (var k = 0; k < 3; k++)
                {
                    var f = 80 + 1500 * random.NextDouble();
                    var phase = random.NextDouble() * 2 * Math.PI;
                    for (var n = 0; n < samples; n++) clip[n] += (float)(amplitude / 3 * Math.Sin(2 * Math.PI * f * n / sampleRate + phase));
                }
                break;
            case 1: // linear chirp
                {
                    var f0 = 100 + 500 * random.NextDouble();
                    var f1 = 200 + 3000 * random.NextDouble();
                    var duration = (double)samples / sampleRate;
                    for (var n = 0; n < samples; n++)
                    {
                        var t = (double)n / sampleRate;
                        clip[n] = (float)(amplitude * Math.Sin(2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * duration))));
                    }
                    break;
                }
            default: // decaying noise bursts
                {
                    var period = samples / (2 + random.Next(4));
                    var decay = 200 + 2000 * random.NextDouble();
                    for (var n = 0; n < samples; n++)
                    {
                        var envelope = Math.Exp(-(n % period) / (double)sampleRate * decay);
                        clip[n] = (float)(amplitude * envelope * (2 * random.NextDouble() - 1));
                    }
                    break;
                }
        }
        return clip;
    }
}
