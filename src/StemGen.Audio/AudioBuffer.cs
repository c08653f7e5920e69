namespace StemGen.Audio;

/// <summary>
/// Audio in memory: float32 samples, planar (all of channel 0, then all of channel 1, ...), with
/// its sample rate. Planar because every consumer works per channel (soxr, a tensor of shape
/// channels x samples, per-channel meters) and a channel is then one contiguous span.
/// Streaming APIs use a buffer as a block: its Frames are the capacity, and a count says how many
/// leading frames of each channel hold data.
/// </summary>
public sealed class AudioBuffer
{
    public AudioBuffer(int channels, int frames, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if ((long)channels * frames > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(frames), $"{channels} x {frames} samples do not fit in one array");
        Channels = channels;
        Frames = frames;
        SampleRate = sampleRate;
        Samples = new float[channels * frames];
    }

    /// <summary>Wraps planar samples (length channels x frames) without copying.</summary>
    public AudioBuffer(float[] planarSamples, int channels, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(planarSamples);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (planarSamples.Length % channels != 0)
            throw new ArgumentException($"{planarSamples.Length} samples do not split into {channels} equal channels", nameof(planarSamples));
        Channels = channels;
        Frames = planarSamples.Length / channels;
        SampleRate = sampleRate;
        Samples = planarSamples;
    }

    /// <summary>One channel per array; all of the same length.</summary>
    public static AudioBuffer FromChannels(int sampleRate, params float[][] channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length == 0) throw new ArgumentException("need at least one channel", nameof(channels));
        var frames = channels[0].Length;
        if (channels.Any(c => c.Length != frames)) throw new ArgumentException("channels differ in length", nameof(channels));
        var buffer = new AudioBuffer(channels.Length, frames, sampleRate);
        for (var c = 0; c < channels.Length; c++) channels[c].CopyTo(buffer.Channel(c));
        return buffer;
    }

    /// <summary>Splits interleaved frames (L R L R ...) into a new planar buffer.</summary>
    public static AudioBuffer FromInterleaved(ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (interleaved.Length % channels != 0)
            throw new ArgumentException($"{interleaved.Length} samples are not a whole number of {channels}-channel frames");
        var buffer = new AudioBuffer(channels, interleaved.Length / channels, sampleRate);
        Interleaving.Deinterleave(interleaved, buffer, 0, buffer.Frames);
        return buffer;
    }

    public int Channels { get; }
    public int Frames { get; }
    public int SampleRate { get; }

    /// <summary>All samples, planar: channel c occupies [c * Frames, (c + 1) * Frames).</summary>
    public float[] Samples { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / SampleRate);

    public Span<float> Channel(int channel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, Channels);
        return Samples.AsSpan(channel * Frames, Frames);
    }

    /// <summary>Frames interleaved (L R L R ...), as most file formats and libebur128 want them.</summary>
    public float[] ToInterleaved()
    {
        var result = new float[Samples.Length];
        Interleaving.Interleave(this, 0, Frames, result);
        return result;
    }

    /// <summary>A copy of frames [start, start + count).</summary>
    public AudioBuffer Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)start + count, Frames, nameof(count));
        var result = new AudioBuffer(Channels, count, SampleRate);
        for (var c = 0; c < Channels; c++) Channel(c).Slice(start, count).CopyTo(result.Channel(c));
        return result;
    }

    public AudioBuffer Clone() => new((float[])Samples.Clone(), Channels, SampleRate);

    /// <summary>Largest absolute sample over all channels (linear; 1.0 is full scale).</summary>
    public float Peak() => Levels.Peak(Samples);

    /// <summary>True when no frame is above the activity threshold (-60 dB RMS, see <see cref="Activity"/>).</summary>
    public bool IsSilent(double thresholdDb = Activity.DefaultThresholdDb) => Activity.IsSilent(this, thresholdDb);

    /// <summary>Multiplies every sample by a gain, in place.</summary>
    public void ApplyGain(Gain gain) => Levels.Scale(Samples, (float)gain.Linear);

    public override string ToString() => $"{Channels} ch x {Frames} frames @ {SampleRate} Hz ({Duration.TotalSeconds:0.###} s)";
}
