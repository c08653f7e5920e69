using StemGen.Audio;
using StemGen.Evaluation.Dsp;

namespace StemGen.Evaluation.Fad;

/// <summary>
/// The VGGish input pipeline (tensorflow/models research/audioset/vggish: vggish_input.py, mel_features.py,
/// vggish_params.py), reproduced exactly: mono, 16 kHz; frames of 25 ms (400 samples) every 10 ms (160)
/// with no padding, periodic Hann window, |rfft| with 512 points; 64 mel bands 125-7500 Hz on the HTK mel
/// scale (1127 ln(1 + f / 700)) with triangular weights whose DC row is zeroed; log(mel + 0.01); then
/// non-overlapping examples of 96 frames (0.96 s). Only the resampler differs (libsoxr instead of resampy).
/// </summary>
public static class VggishFrontEnd
{
    public const int SampleRate = 16000;
    public const int WindowSamples = 400;
    public const int HopSamples = 160;
    public const int FftSize = 512;
    public const int MelBands = 64;
    public const double MelLowHz = 125;
    public const double MelHighHz = 7500;
    public const double LogOffset = 0.01;
    public const int ExampleFrames = 96;
    public const int ExampleHopFrames = 96;

    private static readonly Lazy<double[,]> melMatrix = new(() => MelMatrix(MelBands, FftSize / 2 + 1, SampleRate, MelLowHz, MelHighHz));

    /// <summary>The [257 bins, 64 bands] mel weight matrix of mel_features.spectrogram_to_mel_matrix.</summary>
    public static double[,] MelWeights => melMatrix.Value;

    public static double HertzToMel(double hz) => 1127.0 * Math.Log(1 + hz / 700.0);

    internal static double[,] MelMatrix(int bands, int bins, int sampleRate, double lowHz, double highHz)
    {
        var nyquist = sampleRate / 2.0;
        var binMel = new double[bins];
        for (var k = 0; k < bins; k++) binMel[k] = HertzToMel(nyquist * k / (bins - 1));
        double lowMel = HertzToMel(lowHz), highMel = HertzToMel(highHz);
        var edges = new double[bands + 2];
        for (var i = 0; i < edges.Length; i++) edges[i] = lowMel + (highMel - lowMel) * i / (bands + 1);
        var weights = new double[bins, bands];
        for (var b = 0; b < bands; b++)
        {
            double lower = edges[b], centre = edges[b + 1], upper = edges[b + 2];
            for (var k = 1; k < bins; k++) // bin 0 (DC) stays zero, as in mel_features
            {
                var rising = (binMel[k] - lower) / (centre - lower);
                var falling = (upper - binMel[k]) / (upper - centre);
                weights[k, b] = Math.Max(0, Math.Min(rising, falling));
            }
        }
        return weights;
    }

    /// <summary>First and last bin with a non-zero weight per band (the triangles are narrow: summing only these is much faster).</summary>
    internal static (int Low, int High)[] BandRanges(double[,] weights)
    {
        var bins = weights.GetLength(0);
        var bands = weights.GetLength(1);
        var ranges = new (int, int)[bands];
        for (var b = 0; b < bands; b++)
        {
            int low = bins, high = -1;
            for (var k = 0; k < bins; k++)
                if (weights[k, b] > 0)
                {
                    low = Math.Min(low, k);
                    high = k;
                }
            ranges[b] = (low, high);
        }
        return ranges;
    }

    private static readonly Lazy<(int Low, int High)[]> ranges = new(() => BandRanges(MelWeights));

    /// <summary>log(mel + 0.01) frames [frames][64] of a 16 kHz mono signal.</summary>
    public static double[][] LogMel(ReadOnlySpan<float> samples16k)
    {
        var magnitude = Spectrogram.Magnitude(samples16k, Spectrogram.PeriodicHann(WindowSamples), HopSamples, FftSize);
        var weights = MelWeights;
        var bandRanges = ranges.Value;
        var result = new double[magnitude.Length][];
        for (var f = 0; f < magnitude.Length; f++)
        {
            var row = new double[MelBands];
            var m = magnitude[f];
            for (var b = 0; b < MelBands; b++)
            {
                double sum = 0;
                for (var k = bandRanges[b].Low; k <= bandRanges[b].High; k++) sum += m[k] * weights[k, b];
                row[b] = Math.Log(sum + LogOffset);
            }
            result[f] = row;
        }
        return result;
    }

    /// <summary>Examples [n][96 * 64] (row-major: frame, then band) of a clip at any rate and channel count.</summary>
    public static IReadOnlyList<float[]> Examples(AudioBuffer audio)
    {
        var logMel = LogMel(AnalysisAudio.MonoAt(audio, SampleRate));
        var count = logMel.Length < ExampleFrames ? 0 : 1 + (logMel.Length - ExampleFrames) / ExampleHopFrames;
        var examples = new List<float[]>(count);
        for (var e = 0; e < count; e++)
        {
            var example = new float[ExampleFrames * MelBands];
            for (var f = 0; f < ExampleFrames; f++)
                for (var b = 0; b < MelBands; b++) example[f * MelBands + b] = (float)logMel[e * ExampleHopFrames + f][b];
            examples.Add(example);
        }
        return examples;
    }
}
