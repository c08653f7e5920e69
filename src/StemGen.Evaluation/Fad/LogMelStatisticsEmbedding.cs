using StemGen.Audio;

namespace StemGen.Evaluation.Fad;

/// <summary>
/// A weight-free embedding for when no VGGish weights are at hand: the VGGish front end's 0.96 s
/// log-mel examples, each summarised by the mean and the standard deviation of its 64 bands over the
/// 96 frames (128 values: means first, then deviations). It tracks timbre and level, not learned
/// semantics; FADs computed on it are NOT comparable with VGGish FADs or published numbers, and every
/// report names it.
/// </summary>
public sealed class LogMelStatisticsEmbedding : IAudioEmbedding
{
    public string Name => "logmel-stats";
    public string Description => "weight-free: mean and std of the 64 VGGish log-mel bands per 0.96 s example (128-d); not comparable with VGGish FAD";
    public int Dimension => 2 * VggishFrontEnd.MelBands;

    public IReadOnlyList<float[]> Embed(AudioBuffer audio) => VggishFrontEnd.Examples(audio).Select(Summarise).ToList();

    internal static float[] Summarise(float[] example)
    {
        const int bands = VggishFrontEnd.MelBands, frames = VggishFrontEnd.ExampleFrames;
        var result = new float[2 * bands];
        for (var b = 0; b < bands; b++)
        {
            double sum = 0, sumSq = 0;
            for (var f = 0; f < frames; f++)
            {
                double v = example[f * bands + b];
                sum += v;
                sumSq += v * v;
            }
            var mean = sum / frames;
            result[b] = (float)mean;
            result[bands + b] = (float)Math.Sqrt(Math.Max(0, sumSq / frames - mean * mean));
        }
        return result;
    }
}
