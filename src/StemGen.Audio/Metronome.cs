namespace StemGen.Audio;

/// <summary>
/// A metronome click: one short decaying sine burst per beat, the first beat of each bar higher and louder
/// (the accent). Each sample is computed from its own frame number, so blocks of any size join seamlessly
/// and beat times never drift (beat k starts at frame ceil(k x 60 / bpm x rate)).
/// </summary>
public sealed class Metronome
{
    /// <summary>The accented downbeat: 1.5 kHz at -6 dBFS peak.</summary>
    public const double DownbeatHz = 1500, DownbeatPeak = 0.5;
    /// <summary>The other beats: 1 kHz at -10.5 dBFS peak.</summary>
    public const double BeatHz = 1000, BeatPeak = 0.3;
    /// <summary>Each click lasts 40 ms and decays with an 8 ms time constant (so it ends near -43 dB, no click at its end worth hearing).</summary>
    public const double ClickSeconds = 0.040, DecaySeconds = 0.008;

    public Metronome(double bpm, int beatsPerBar, int sampleRate)
    {
        if (!double.IsFinite(bpm) || bpm <= 0) throw new ArgumentOutOfRangeException(nameof(bpm), bpm, "a tempo is a positive number of beats per minute");
        ArgumentOutOfRangeException.ThrowIfLessThan(beatsPerBar, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        (Bpm, BeatsPerBar, SampleRate) = (bpm, beatsPerBar, sampleRate);
    }

    public double Bpm { get; }
    public int BeatsPerBar { get; }
    public int SampleRate { get; }

    /// <summary>Seconds between beats.</summary>
    public double BeatSeconds => 60 / Bpm;

    /// <summary>Writes frames [start, start + count) of the click into channel 0 of <paramref name="block"/> (from its frame 0); other channels get the same.</summary>
    public void Render(AudioBuffer block, long start, int count)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.SampleRate != SampleRate) throw new ArgumentException($"block is at {block.SampleRate} Hz, the metronome at {SampleRate} Hz", nameof(block));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, block.Frames);
        var output = block.Channel(0);
        var beat = BeatSeconds;
        for (var i = 0; i < count; i++)
        {
            var t = (double)(start + i) / SampleRate;
            var k = (long)Math.Floor(t / beat + 1e-9);
            var since = t - k * beat;
            if (since < 0) since = 0;
            if (since >= ClickSeconds) { output[i] = 0; continue; }
            var accent = k % BeatsPerBar == 0;
            var (hz, peak) = accent ? (DownbeatHz, DownbeatPeak) : (BeatHz, BeatPeak);
            output[i] = (float)(peak * Math.Sin(2 * Math.PI * hz * since) * Math.Exp(-since / DecaySeconds));
        }
        for (var c = 1; c < block.Channels; c++) output[..count].CopyTo(block.Channel(c));
    }
}
