namespace StemGen.Audio;

/// <summary>What to do with a file's channels. Explicit, so no code path downmixes by accident.</summary>
public enum ChannelPolicy
{
    /// <summary>As in the file.</summary>
    Keep,
    /// <summary>One channel: the mean of all channels (keeps the level of a centred source; the codec input).</summary>
    Mono,
    /// <summary>Two channels: mono is duplicated, stereo kept, more channels refused.</summary>
    Stereo,
    /// <summary>Only the first channel.</summary>
    First,
}

/// <summary>Applies a <see cref="ChannelPolicy"/> to whole buffers or to streaming blocks.</summary>
public static class ChannelMapper
{
    /// <summary>The channel count a policy produces from <paramref name="channels"/>; refuses combinations that make no sense.</summary>
    public static int OutputChannels(int channels, ChannelPolicy policy, string? source = null) => policy switch
    {
        ChannelPolicy.Keep => channels,
        ChannelPolicy.Mono or ChannelPolicy.First => 1,
        ChannelPolicy.Stereo when channels <= 2 => 2,
        ChannelPolicy.Stereo => throw new AudioFormatException(source ?? "audio", AudioErrorReason.TooManyChannels,
            $"has {channels} channels; the stereo policy takes only mono or stereo (use Mono or First, or downmix it first)"),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };

    /// <summary>A new buffer (or the same one for Keep) with the policy applied.</summary>
    public static AudioBuffer Apply(AudioBuffer audio, ChannelPolicy policy, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var channels = OutputChannels(audio.Channels, policy, source);
        if (channels == audio.Channels) return audio;
        var result = new AudioBuffer(channels, audio.Frames, audio.SampleRate);
        Map(audio, audio.Frames, policy, result);
        return result;
    }

    /// <summary>
    /// Streaming form: maps the first <paramref name="frames"/> frames of <paramref name="block"/> into
    /// <paramref name="scratch"/> and returns it, or returns <paramref name="block"/> itself when nothing changes.
    /// </summary>
    public static AudioBuffer Apply(AudioBuffer block, int frames, ChannelPolicy policy, AudioBuffer scratch, string? source = null)
    {
        var channels = OutputChannels(block.Channels, policy, source);
        if (channels == block.Channels) return block;
        if (scratch.Channels != channels || scratch.Frames < frames)
            throw new ArgumentException($"scratch must have {channels} channels and room for {frames} frames", nameof(scratch));
        Map(block, frames, policy, scratch);
        return scratch;
    }

    private static void Map(AudioBuffer source, int frames, ChannelPolicy policy, AudioBuffer destination)
    {
        switch (policy)
        {
            case ChannelPolicy.First:
                source.Channel(0)[..frames].CopyTo(destination.Channel(0));
                break;
            case ChannelPolicy.Mono:
                var mono = destination.Channel(0)[..frames];
                source.Channel(0)[..frames].CopyTo(mono);
                for (var c = 1; c < source.Channels; c++) Levels.AddScaled(source.Channel(c)[..frames], mono, 1f);
                Levels.Scale(mono, 1f / source.Channels);
                break;
            case ChannelPolicy.Stereo: // only reached for mono input
                source.Channel(0)[..frames].CopyTo(destination.Channel(0));
                source.Channel(0)[..frames].CopyTo(destination.Channel(1));
                break;
        }
    }
}
