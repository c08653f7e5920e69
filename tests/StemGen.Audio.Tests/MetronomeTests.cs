namespace StemGen.Audio.Tests;

/// <summary>The click track: beats where the tempo puts them, the accented downbeat, silence between, blocks that join exactly.</summary>
public sealed class MetronomeTests
{
    [Fact]
    public void Clicks_fall_on_the_beats_with_the_downbeat_accented()
    {
        const int rate = 48000;
        var metronome = new Metronome(120, 3, rate); // a beat every 0.5 s, a bar every 1.5 s
        var audio = new AudioBuffer(1, 3 * rate, rate);
        metronome.Render(audio, 0, audio.Frames);
        double PeakIn(double from, double to) => Levels.Peak(audio.Channel(0)[(int)(from * rate)..(int)(to * rate)]);
        foreach (var downbeat in new[] { 0.0, 1.5 })
            Assert.InRange(PeakIn(downbeat, downbeat + Metronome.ClickSeconds), 0.4, Metronome.DownbeatPeak);
        foreach (var beat in new[] { 0.5, 1.0, 2.0, 2.5 })
            Assert.InRange(PeakIn(beat, beat + Metronome.ClickSeconds), 0.2, Metronome.BeatPeak);
        Assert.Equal(0, PeakIn(0.05, 0.49));
        Assert.Equal(0, PeakIn(1.55, 1.99));
        // The accent is also higher: 1.5 kHz against 1 kHz.
        Assert.InRange(Signals.ZeroCrossingFrequency(audio.Channel(0)[..(int)(0.02 * rate)], rate), Metronome.DownbeatHz - 20, Metronome.DownbeatHz + 20);
        Assert.InRange(Signals.ZeroCrossingFrequency(audio.Channel(0)[(int)(0.5 * rate)..(int)(0.52 * rate)], rate), Metronome.BeatHz - 20, Metronome.BeatHz + 20);
    }

    [Fact]
    public void Blocks_of_any_size_join_into_the_same_signal()
    {
        var metronome = new Metronome(97.3, 4, 44100);
        var whole = new AudioBuffer(2, 5 * 44100, 44100);
        metronome.Render(whole, 0, whole.Frames);
        var pieces = new float[whole.Frames];
        var block = new AudioBuffer(1, 1000, 44100);
        for (long at = 0; at < whole.Frames;)
        {
            var n = (int)Math.Min(777, whole.Frames - at);
            metronome.Render(block, at, n);
            block.Channel(0)[..n].CopyTo(pieces.AsSpan((int)at));
            at += n;
        }
        Assert.Equal(whole.Channel(0).ToArray(), pieces);
        Assert.Equal(whole.Channel(0).ToArray(), whole.Channel(1).ToArray());
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(double.NaN, 4)]
    [InlineData(120, 0)]
    public void Nonsense_settings_are_refused(double bpm, int beatsPerBar) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Metronome(bpm, beatsPerBar, 48000));
}
