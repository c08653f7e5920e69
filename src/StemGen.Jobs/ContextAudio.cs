using StemGen.Audio;

namespace StemGen.Jobs;

/// <summary>
/// Reads a context stem for a generation job within bounds known before any audio is decoded: the header's channels,
/// rate and length are checked against what generation can use (<see cref="MaxChannels"/>, <see cref="MaxSampleRate"/>,
/// the generator's longest context), then the audio is decoded in blocks and resampled block by block straight to the
/// working rate (the first stem's rate, at most <see cref="MaxWorkingRate"/>: no codec works above it, so nothing the
/// model can use is lost). The source is never held whole: memory is the result at the working rate plus one block.
/// A stem the uploads would refuse today (an older one, or a file changed behind the studio) is refused here the same
/// way, with the reason: a 384 kHz, 8-channel, 10-minute FLAC of silence is a 1 MB file and tens of GB decoded.
/// </summary>
public static class ContextAudio
{
    public const int MaxChannels = 2;
    public const int MaxSampleRate = 192_000;
    public const int MaxWorkingRate = 48_000;

    /// <summary>Slack over the generator's own limit, so that it (not the decoder) words the refusal of a slightly long context.</summary>
    private const double LengthSlackSeconds = 1;

    /// <summary>The rate a context whose first stem is at <paramref name="sourceRate"/> is worked at.</summary>
    public static int WorkingRate(int sourceRate) => Math.Min(sourceRate, MaxWorkingRate);

    /// <summary>Decodes <paramref name="seekable"/> (named <paramref name="name"/> for its format) to <paramref name="rate"/> (null: its own rate, capped).</summary>
    public static AudioBuffer Read(Stream seekable, string name, int? rate, double maxSeconds)
    {
        var options = new AudioReadOptions
        {
            MaxChannels = MaxChannels, MaxSampleRate = MaxSampleRate,
            MaxDuration = TimeSpan.FromSeconds(Math.Min(maxSeconds + LengthSlackSeconds, TimeSpan.MaxValue.TotalSeconds / 2)),
        };
        using var reader = AudioReader.Open(seekable, name, options); // the header is checked here
        var info = reader.Info;
        var outputRate = rate ?? WorkingRate(info.SampleRate);
        var cap = (long)Math.Ceiling(options.MaxDuration.TotalSeconds * outputRate) + 1;
        var expected = (long)Math.Round((double)info.Frames * outputRate / info.SampleRate);
        var output = new Growing(info.Channels, outputRate, (int)Math.Min(Math.Max(expected, 1), cap), cap);
        var block = reader.CreateBlock();
        using var resampler = outputRate == info.SampleRate ? null : new Resampler(info.SampleRate, outputRate, info.Channels);
        int read;
        while ((read = reader.Read(block)) > 0)
        {
            if (resampler is null) output.Append(block, read);
            else output.Append(resampler.Output, resampler.Process(block, read));
        }
        if (resampler is not null) output.Append(resampler.Output, resampler.Flush());
        // The same length as resampling the whole at once would give (round(frames x out / in)).
        var frames = resampler is null ? output.Frames : (int)Math.Min(output.Frames, Math.Round((double)reader.Position * outputRate / info.SampleRate));
        return output.Take(frames);
    }

    /// <summary>The decoded audio so far; grows (rarely: only when a header underestimates the length) up to a cap.</summary>
    private sealed class Growing(int channels, int rate, int capacity, long cap)
    {
        private AudioBuffer buffer = new(channels, capacity, rate);
        public int Frames { get; private set; }

        public void Append(AudioBuffer source, int count)
        {
            if (count <= 0) return;
            if (Frames + (long)count > buffer.Frames)
            {
                var size = (int)Math.Min(Math.Max(Frames + (long)count, buffer.Frames + buffer.Frames / 4L), Math.Max(cap, Frames + (long)count));
                var larger = new AudioBuffer(channels, size, rate);
                for (var c = 0; c < channels; c++) buffer.Channel(c)[..Frames].CopyTo(larger.Channel(c));
                buffer = larger;
            }
            for (var c = 0; c < channels; c++) source.Channel(c)[..count].CopyTo(buffer.Channel(c)[Frames..]);
            Frames += count;
        }

        public AudioBuffer Take(int frames) => frames == buffer.Frames ? buffer : buffer.Slice(0, frames);
    }
}
