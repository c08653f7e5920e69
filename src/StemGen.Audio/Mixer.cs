namespace StemGen.Audio;

/// <summary>One stem of a mix and its gain.</summary>
public readonly record struct MixInput(AudioBuffer Audio, Gain Gain)
{
    public static implicit operator MixInput(AudioBuffer audio) => new(audio, Gain.Unity);
}

/// <summary>How to mix.</summary>
public sealed record MixOptions
{
    /// <summary>What happens past the ceiling (default: report it, change nothing).</summary>
    public ClippingGuard Guard { get; init; } = ClippingGuard.Report;

    /// <summary>The ceiling in dBFS (default 0: full scale).</summary>
    public double CeilingDb { get; init; }

    /// <summary>Output channels; default the most any stem has. Mono stems are spread to every channel.</summary>
    public int? Channels { get; init; }
}

/// <summary>A mix and what the clipping guard saw and did.</summary>
public sealed record MixResult(AudioBuffer Audio, GuardOutcome Guard)
{
    /// <summary>Sample peak of the returned mix (linear).</summary>
    public float Peak => Guard.Peak;

    /// <summary>True when the returned mix still has samples past the ceiling (Report policy).</summary>
    public bool Clipping => Guard.Clipping;
}

/// <summary>Sums stems with per-stem gains (Slakh's mix is the sum of its normalised stems).</summary>
public static class Mixer
{
    /// <summary>
    /// Sums stems of one sample rate. Shorter stems are padded with silence to the longest. A mono
    /// stem in a multichannel mix goes to every channel at its gain (no pan law: summing Slakh's mono
    /// stems into a mono mix must reproduce the mix exactly).
    /// </summary>
    public static MixResult Mix(IReadOnlyList<MixInput> stems, MixOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stems);
        if (stems.Count == 0) throw new ArgumentException("nothing to mix", nameof(stems));
        options ??= new MixOptions();
        var rate = stems[0].Audio.SampleRate;
        if (stems.Any(s => s.Audio.SampleRate != rate))
            throw new ArgumentException($"stems differ in sample rate ({string.Join(", ", stems.Select(s => s.Audio.SampleRate).Distinct())} Hz); resample them first", nameof(stems));
        var channels = options.Channels ?? stems.Max(s => s.Audio.Channels);
        foreach (var stem in stems)
            if (stem.Audio.Channels != channels && stem.Audio.Channels != 1)
                throw new ArgumentException($"a {stem.Audio.Channels}-channel stem cannot go into a {channels}-channel mix; apply a ChannelPolicy first", nameof(stems));

        var mix = new AudioBuffer(channels, stems.Max(s => s.Audio.Frames), rate);
        foreach (var stem in stems)
        {
            var gain = (float)stem.Gain.Linear;
            if (gain == 0) continue;
            for (var c = 0; c < channels; c++)
            {
                var source = stem.Audio.Channel(stem.Audio.Channels == 1 ? 0 : c);
                Levels.AddScaled(source, mix.Channel(c), gain);
            }
        }
        return new MixResult(mix, ClipGuard.Apply(mix, options.Guard, options.CeilingDb));
    }

    /// <summary>Sums stems at unity gain.</summary>
    public static MixResult Mix(params AudioBuffer[] stems) => Mix(stems.Select(s => new MixInput(s, Gain.Unity)).ToArray());
}
