namespace StemGen.Audio;

/// <summary>
/// An offline look-ahead brick-wall limiter. For each frame the gain that would bring it to the
/// ceiling is computed; a running minimum over the next L frames starts the reduction before the
/// peak arrives, a one-pole release lets it recover, and an L-frame moving average smooths the
/// attack. Because every average ends at a frame whose look-ahead window covers the peak, the
/// smoothed gain never exceeds the required one: the output provably stays under the ceiling
/// without clipping any sample.
/// </summary>
internal static class Limiter
{
    private const double LookaheadSeconds = 0.005;
    private const double ReleaseSeconds = 0.050;

    /// <summary>Limits in place; returns the largest gain reduction in dB (negative, or 0).</summary>
    public static double Apply(AudioBuffer audio, double ceiling)
    {
        var frames = audio.Frames;
        if (frames == 0) return 0;
        var target = ceiling * (1 - 1e-6);
        var lookahead = Math.Max(1, (int)Math.Round(LookaheadSeconds * audio.SampleRate));
        var releaseCoefficient = 1 - Math.Exp(-1.0 / (ReleaseSeconds * audio.SampleRate));

        // Required gain per frame.
        var required = new double[frames];
        for (var i = 0; i < frames; i++)
        {
            double magnitude = 0;
            for (var c = 0; c < audio.Channels; c++) magnitude = Math.Max(magnitude, Math.Abs(audio.Samples[c * frames + i]));
            required[i] = magnitude > target ? target / magnitude : 1.0;
        }

        // Look-ahead minimum over [i, i + L - 1] (monotonic deque), then the release, in one pass.
        var held = new double[frames];
        var deque = new int[frames];
        int head = 0, tail = 0, next = 0;
        var previous = 1.0;
        for (var i = 0; i < frames; i++)
        {
            for (; next < frames && next <= i + lookahead - 1; next++)
            {
                while (tail > head && required[deque[tail - 1]] >= required[next]) tail--;
                deque[tail++] = next;
            }
            while (deque[head] < i) head++;
            var window = required[deque[head]];
            var released = previous + (1 - previous) * releaseCoefficient;
            previous = Math.Min(window, released);
            held[i] = previous;
        }

        // L-frame moving average (frames before the start count as gain 1).
        var minimum = 1.0;
        var sum = (double)lookahead; // L ones
        var gains = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            sum += held[i] - (i >= lookahead ? held[i - lookahead] : 1.0);
            // The average is <= required[i] in exact arithmetic; the min only absorbs summation drift.
            var gain = Math.Min(Math.Min(sum / lookahead, required[i]), 1.0);
            gains[i] = (float)gain;
            minimum = Math.Min(minimum, gain);
        }
        for (var c = 0; c < audio.Channels; c++)
        {
            var channel = audio.Channel(c);
            for (var i = 0; i < frames; i++) channel[i] *= gains[i];
        }
        return Levels.ToDecibels(minimum);
    }
}
