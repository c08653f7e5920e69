using StemGen.Audio.Midi;
using StemGen.Data.Rendering;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tests;

/// <summary>The listening songs: every part is predictable from the others and from nothing else.</summary>
public class ListeningSongTests
{
    private static readonly ListeningSongPlan Plan = ListeningSongPlan.Create(4, 2);
    private static readonly GeneratedSong Song = Plan.Generate([SoundFonts.TimGM6mb]);

    private static MidiPart Part(string name) => Song.Midi.Parts().Single(p => p.Name == name);

    private static long[] Onsets(MidiPart part) => part.Notes.Select(n => n.StartTick).Distinct().Order().ToArray();

    [Fact]
    public void Every_part_plays_on_the_same_onsets()
    {
        var onsets = Plan.Notes().Select(n => n.Start).ToArray();
        Assert.True(onsets.Length >= 2 * Plan.Bars.Count, $"{onsets.Length} onsets in {Plan.Bars.Count} bars");
        foreach (var name in new[] { "Chords", "Bass", "Lead", "Drum" }) Assert.Equal(onsets, Onsets(Part(name)));
        // Each note ends before the next onset: every onset is a fresh attack.
        var bass = Part("Bass").Notes;
        Assert.All(bass.Zip(bass.Skip(1)), pair => Assert.True(pair.First.EndTick < pair.Second.StartTick));
    }

    [Fact]
    public void The_bass_plays_the_root_and_the_chords_the_triad_of_each_bar()
    {
        var barTicks = 4 * ListeningSongPlan.TicksPerQuarter;
        foreach (var note in Part("Bass").Notes)
        {
            var chord = Plan.Bars[(int)(note.StartTick / barTicks)];
            Assert.Equal(chord.Root, note.Pitch % 12);
            Assert.InRange(note.Pitch, 40, 51);
        }
        foreach (var group in Part("Chords").Notes.GroupBy(n => n.StartTick))
        {
            var chord = Plan.Bars[(int)(group.Key / barTicks)];
            Assert.Equal(chord.PitchClasses.Order(), group.Select(n => n.Pitch % 12).Order());
        }
        Assert.All(Part("Lead").Notes, n => Assert.True(Plan.Bars[(int)(n.StartTick / barTicks)].Contains(n.Pitch)));
        Assert.All(Plan.Bars, chord => Assert.True(Plan.Key.InScale(chord.Root)));
    }

    [Fact]
    public void Drums_are_kick_and_hat_on_every_onset()
    {
        var drums = Part("Drum");
        Assert.True(drums.IsDrum);
        foreach (var group in drums.Notes.GroupBy(n => n.StartTick)) Assert.Equal([36, 42], group.Select(n => n.Pitch).Order());
        Assert.Equal(InstrumentCategory.Drums, Song.Parts.Single(p => p.IsDrum).Category);
        Assert.Equal(InstrumentCategory.Bass, Song.Parts.Single(p => p.Name == "Bass").Category);
    }

    [Fact]
    public void Timing_and_harmony_do_not_repeat_so_they_cannot_be_guessed()
    {
        // No fixed rhythm: most bars have their own onset pattern; no progression: the chords vary.
        var patterns = Plan.Onsets.Select(o => string.Join(',', o)).Distinct().Count();
        Assert.True(patterns > Plan.Bars.Count / 2, $"{patterns} patterns in {Plan.Bars.Count} bars");
        Assert.True(Plan.Bars.Distinct().Count() >= 4);
        // Key and tempo are drawn per song.
        var songs = Enumerable.Range(0, 40).Select(i => ListeningSongPlan.Create(4, i)).ToList();
        Assert.True(songs.Select(s => s.Key).Distinct().Count() >= 12);
        Assert.True(songs.Select(s => s.Tempo).Distinct().Count() >= 20);
        Assert.All(songs, s => Assert.InRange(s.Seconds, 55, 125));
    }

    [Fact]
    public void The_same_seed_and_index_give_the_same_song()
    {
        var again = ListeningSongPlan.Create(4, 2);
        Assert.Equal(Plan.Key, again.Key);
        Assert.Equal(Plan.Bars, again.Bars);
        Assert.Equal(Plan.Onsets.SelectMany(o => o), again.Onsets.SelectMany(o => o));
        Assert.NotEqual(Plan.Onsets.SelectMany(o => o), ListeningSongPlan.Create(4, 3).Onsets.SelectMany(o => o));
        Assert.Equal(Song.Midi.ToBytes(), again.Generate([SoundFonts.TimGM6mb]).Midi.ToBytes());
    }

    [Fact]
    public void Bad_onset_ranges_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ListeningSongPlan.Create(1, 0, new ListeningSongOptions { MinOnsetsPerBar = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ListeningSongPlan.Create(1, 0, new ListeningSongOptions { MaxOnsetsPerBar = 9 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ListeningSongPlan.Create(1, 0, new ListeningSongOptions { MinOnsetsPerBar = 5, MaxOnsetsPerBar = 3 }));
    }

    [Fact]
    public void A_listening_dataset_renders_with_its_style_and_a_mixed_one_holds_both()
    {
        using var directory = new TempDirectory();
        var options = new SynthDatasetOptions
        {
            Style = SynthStyle.Listening,
            Hours = 10.0 / 3600,
            Seed = 3,
            Output = directory["listening"],
            Jobs = 2,
            Listening = new ListeningSongOptions { MinSeconds = 6, MaxSeconds = 8 },
        };
        var result = SynthDataset.Generate(options);
        Assert.Equal(SynthStyle.Listening, result.Style);
        Assert.Empty(result.Failures);
        var track = Directory.GetDirectories(options.Output, "Track*", SearchOption.AllDirectories).First();
        var metadata = SlakhMetadata.Load(Path.Combine(track, "metadata.yaml"));
        Assert.Contains("--style listening", metadata.Generator);
        Assert.Equal(4, metadata.Stems.Count(s => s.AudioRendered));
        // The same folder with another style is refused, as with another seed.
        var error = Assert.Throws<InvalidOperationException>(() => SynthDataset.Generate(options with { Style = SynthStyle.Songs }));
        Assert.Contains("style Listening", error.Message);

        var mixed = options with { Style = SynthStyle.Mixed, Hours = 1, Output = directory["mixed"] };
        var plans = SynthDataset.Plan(mixed, SynthDataset.Drawer(mixed));
        Assert.Contains(plans, p => p.Plan is ListeningSongPlan);
        Assert.Contains(plans, p => p.Plan is SongPlan);
    }
}
