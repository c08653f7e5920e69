using StemGen.Audio;
using StemGen.Audio.Midi;
using StemGen.Data.Rendering;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tests;

/// <summary>
/// A varied dataset (two short songs, SoundFonts TimGM6mb and csound's GM bank, drums always from an
/// AVL drum kit) rendered once with the real tools (scripts/install-deps.sh installs the fonts).
/// </summary>
public sealed class VariedFixture : IDisposable
{
    public static readonly string[] Fonts = [SoundFonts.TimGM6mb, SoundFonts.Csound];
    public static readonly string Kit = SoundFonts.Resolve("avl-blackpearl");

    public static SynthDatasetOptions Options(string output) => SynthFixture.Options(output, seed: 21) with
    {
        Style = SynthStyle.Listening,
        SoundFonts = Fonts,
        Variety = new RenderVariety { DrumKits = [Kit], DrumKitProbability = 1 },
        Listening = new ListeningSongOptions { MinSeconds = 5, MaxSeconds = 6 },
    };

    public VariedFixture() => Result = SynthDataset.Generate(Options(Directory.Path));

    public TempDirectory Directory { get; } = new();
    public SynthDatasetResult Result { get; }

    public IEnumerable<SlakhMetadata> Tracks() =>
        SlakhImporter.Discover(Directory.Path).Select(t => SlakhMetadata.Load(Path.Combine(t.Directory, "metadata.yaml")));

    public void Dispose() => Directory.Dispose();
}

public class RenderVarietyTests(VariedFixture fixture) : IClassFixture<VariedFixture>
{
    private const int Rate = 32000;

    [Fact]
    public void Each_song_renders_its_pitched_parts_with_one_soundfont_and_its_drums_with_the_kit()
    {
        Assert.Empty(fixture.Result.Failures);
        Assert.True(fixture.Result.Varied);
        Assert.InRange(fixture.Tracks().Count(), 3, 5);
        foreach (var metadata in fixture.Tracks())
        {
            var rendered = metadata.Stems.Where(s => s.AudioRendered).ToList();
            var pitched = rendered.Where(s => !s.IsDrum).Select(s => s.PluginName).Distinct().ToList();
            Assert.Single(pitched);
            Assert.Contains(pitched[0], VariedFixture.Fonts.Select(Path.GetFileName));
            // The kit plays on a melodic channel: rendered on GM's drum channel it would be silent.
            var drums = Assert.Single(rendered, s => s.IsDrum);
            Assert.Equal(Path.GetFileName(VariedFixture.Kit), drums.PluginName);
            // The saved part stays on GM's drum channel, so the importer's program fallback still reads it as drums.
            var track = SlakhImporter.Discover(fixture.Directory.Path).Single(t => SlakhMetadata.Load(Path.Combine(t.Directory, "metadata.yaml")).Uuid == metadata.Uuid);
            Assert.All(MidiFile.Read(Path.Combine(track.Directory, "MIDI", drums.Id + ".mid")).Notes(), n => Assert.True(n.IsDrum));
        }
        Assert.Equal(fixture.Result.Categories.Values.Sum(), fixture.Result.SoundFonts.Values.Sum());
    }

    [Fact]
    public void Every_stem_records_its_mixing_and_the_levels_differ()
    {
        var stems = fixture.Tracks().SelectMany(t => t.Stems).Where(s => s.AudioRendered).ToList();
        Assert.All(stems, s => Assert.Matches(@"^level [-+]?\d+\.\d dB, tilt [-+]?\d+\.\d dB, reverb \d\.\d\d/\d\.\d\d, chorus \d\.\d, fold \d\.\d\d$", s.Mixing!));
        // Plain datasets normalise every stem to the same loudness; varied ones spread them.
        Assert.True(stems.Select(s => s.Mixing!.Split(',')[0]).Distinct().Count() > 1);
    }

    [Fact]
    public void A_plain_dataset_is_not_continued_as_a_varied_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SynthDataset.Generate(VariedFixture.Options(fixture.Directory.Path) with { Variety = null }));
        Assert.Contains("varied", error.Message);
    }

    [Fact]
    public void Draws_depend_only_on_seed_song_and_stem()
    {
        var variety = new RenderVariety { DrumKits = ["kit.sf2"] };
        Assert.Equal(variety.DrawMix(3, 7, 2), variety.DrawMix(3, 7, 2));
        Assert.NotEqual(variety.DrawMix(3, 7, 2), variety.DrawMix(3, 7, 3));
        Assert.Equal(variety.DrawFonts(3, 7, ["a", "b", "c"]), variety.DrawFonts(3, 7, ["a", "b", "c"]));
        var mixes = Enumerable.Range(0, 200).Select(i => variety.DrawMix(1, i, 0)).ToList();
        Assert.All(mixes, m =>
        {
            Assert.InRange(m.LevelDb, variety.MinLevelDb, variety.MaxLevelDb);
            Assert.InRange(m.TiltDb, -variety.MaxTiltDb, variety.MaxTiltDb);
            Assert.InRange(m.FoldLeft, 0.5 - variety.FoldSpread, 0.5 + variety.FoldSpread);
        });
        var fonts = Enumerable.Range(0, 200).Select(i => variety.DrawFonts(1, i, ["a", "b"])).ToList();
        Assert.All(fonts, f => Assert.Equal(f.DrumsAreKit, f.Drums == "kit.sf2"));
        Assert.InRange(fonts.Count(f => f.DrumsAreKit), 50, 110); // probability 0.4 of 200
        Assert.Equal(["a", "b"], fonts.Select(f => f.Pitched).Distinct().Order());
    }

    [Fact]
    public void A_varied_dataset_draws_tempos_from_the_wider_range()
    {
        var options = VariedFixture.Options("") with { Listening = new ListeningSongOptions() };
        var tempos = Enumerable.Range(0, 300).Select(i => ((ListeningSongPlan)SynthDataset.Drawer(options)(i, 0)).Tempo).ToList();
        Assert.InRange(tempos.Min(), 60, 69);
        Assert.InRange(tempos.Max(), 171, 180);
    }

    [Theory]
    [InlineData(6.0, 100.0, -3.0)]
    [InlineData(6.0, 12000.0, 3.0)]
    [InlineData(-4.0, 100.0, 2.0)]
    [InlineData(-4.0, 12000.0, -2.0)]
    public void Tilt_moves_low_and_high_bands_by_half_the_tilt_each(double tiltDb, double hz, double expectedDb)
    {
        var audio = Sine(hz, 1.0);
        var before = Rms(audio);
        new StemMix(0, tiltDb, 0, 0, 0, 0.5).Tilt(audio);
        Assert.Equal(expectedDb, Levels.ToDecibels(Rms(audio) / before), 0.6);
    }

    [Fact]
    public void No_tilt_leaves_the_audio_as_it_is()
    {
        var audio = Sine(440, 0.1);
        var copy = audio.Clone();
        new StemMix(0, 0, 0, 0, 0, 0.5).Tilt(audio);
        Assert.Equal(copy.Samples, audio.Samples);
    }

    [Fact]
    public void The_fold_weights_left_and_right()
    {
        var stereo = AudioBuffer.FromChannels(Rate, [1f, 1f], [0f, -1f]);
        var mono = new StemMix(0, 0, 0, 0, 0, 0.75).Fold(stereo);
        Assert.Equal(1, mono.Channels);
        Assert.Equal([0.75f, 0.5f], mono.Samples);
    }

    [Fact]
    public void The_mix_sets_fluidsynth_reverb_and_chorus()
    {
        var synth = new StemMix(0, 0, 0.5, 0.25, 1.5, 0.5).Synth(new FluidSynthOptions());
        Assert.Equal("0.5", synth.Settings!["synth.reverb.room-size"]);
        Assert.Equal("0.25", synth.Settings["synth.reverb.level"]);
        Assert.Equal("1.5", synth.Settings["synth.chorus.level"]);
        Assert.False(new StemMix(0, 0, 0.5, 0, 0, 0.5).Synth(new FluidSynthOptions()).Reverb);
    }

    [Fact]
    public void Moving_the_drum_channel_moves_every_channel_event_and_nothing_else()
    {
        var midi = new MidiFile(1, MidiTiming.Musical(480), [new MidiTrack(
        [
            new ProgramChangeEvent(0, 9, 0), new NoteOnEvent(0, 9, 36, 100), new ControlChangeEvent(0, 9, 7, 90),
            new NoteOffEvent(240, 9, 36), new NoteOnEvent(0, 3, 60, 80), new TempoEvent(0, 500000),
        ], 480)]);
        var moved = RenderVariety.MoveChannel(midi, 9, 0).Tracks[0].Events;
        Assert.Equal(4, moved.Count(e => e is NoteOnEvent { Channel: 0 } or NoteOffEvent { Channel: 0 } or ControlChangeEvent { Channel: 0 } or ProgramChangeEvent { Channel: 0 }));
        Assert.Contains(moved, e => e is NoteOnEvent { Channel: 3, Note: 60 });
        Assert.Contains(moved, e => e is TempoEvent);
        Assert.Equal(480, RenderVariety.MoveChannel(midi, 9, 0).Tracks[0].EndTick);
    }

    [Fact]
    public void Mixing_survives_a_metadata_round_trip()
    {
        var metadata = new SlakhMetadata { Stems = [new SlakhStem { Id = "S00", ProgramNum = 33, Mixing = "level -3.0 dB, tilt +1.5 dB, reverb 0.55/0.30, chorus 1.2, fold 0.45" }] };
        var back = SlakhMetadata.Parse(metadata.ToYaml());
        Assert.Empty(back.Warnings);
        Assert.Equal(metadata.Stems[0].Mixing, back.Stem("S00")!.Mixing);
    }

    [Fact]
    public void Known_soundfonts_resolve_by_name_and_unknown_files_are_named()
    {
        Assert.Equal(SoundFonts.MuseScore, SoundFonts.Resolve("musescore"));
        Assert.Equal(SoundFonts.Csound, SoundFonts.Resolve("CSOUND"));
        Assert.True(SoundFonts.IsDrumKit(SoundFonts.Resolve("avl-redzeppelin")));
        Assert.False(SoundFonts.IsDrumKit(SoundFonts.TimGM6mb));
        var error = Assert.Throws<ExternalToolException>(() => SoundFonts.Resolve("/nowhere/font.sf2"));
        Assert.Contains("/nowhere/font.sf2", error.Message);
    }

    [Fact]
    public void Every_song_can_go_to_one_split()
    {
        var options = SynthFixture.Options("") with { OnlySplit = "test" };
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal("test", SynthDataset.SplitOf(options, i)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SynthDataset.Generate(options with { OnlySplit = "dev", Output = Path.GetTempPath() }));
    }

    private static AudioBuffer Sine(double hz, double seconds)
    {
        var samples = new float[(int)(seconds * Rate)];
        for (var i = 0; i < samples.Length; i++) samples[i] = (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / Rate));
        return AudioBuffer.FromChannels(Rate, samples);
    }

    // Skips the first 0.1 s, where the filter settles.
    private static double Rms(AudioBuffer audio) => Math.Sqrt(audio.Samples.Skip(Rate / 10).Average(x => (double)x * x));
}
