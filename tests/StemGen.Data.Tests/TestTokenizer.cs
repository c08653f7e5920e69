using StemGen.Data.Tokens;

namespace StemGen.Data.Tests;

/// <summary>
/// A stand-in codec for tests only: per 50 Hz frame, level 0 is the frame's RMS in 2 dB steps
/// above -100 dB and level 1 its zero-crossing count. Deterministic, cheap, and it counts calls.
/// </summary>
internal sealed class TestTokenizer(string identity = "test-tokenizer/v1", int sampleRate = 16000) : IAudioTokenizer
{
    private int calls;

    public string Identity { get; } = identity;
    public int SampleRate { get; } = sampleRate;
    public int Levels => 2;
    public int FrameRate => 50;

    /// <summary>How many times <see cref="Encode"/> ran.</summary>
    public int Calls => Volatile.Read(ref calls);

    public short[,] Encode(float[] mono)
    {
        Interlocked.Increment(ref calls);
        var hop = SampleRate / FrameRate;
        var frames = (mono.Length + hop - 1) / hop;
        var tokens = new short[Levels, frames];
        for (var f = 0; f < frames; f++)
        {
            var start = f * hop;
            var end = Math.Min(mono.Length, start + hop);
            double sum = 0;
            var crossings = 0;
            for (var i = start; i < end; i++)
            {
                sum += mono[i] * (double)mono[i];
                if (i > start && (mono[i] >= 0) != (mono[i - 1] >= 0)) crossings++;
            }
            var db = sum > 0 ? 10 * Math.Log10(sum / (end - start)) : -100;
            tokens[0, f] = (short)Math.Clamp((db + 100) / 2, 0, 50);
            tokens[1, f] = (short)crossings;
        }
        return tokens;
    }
}
