using StemGen.Audio;
using StemGen.Data.Rendering;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tests;

/// <summary>
/// One short song (4 bars, about 7 s) rendered with the real tools (mma, fluidsynth, TimGM6mb:
/// scripts/install-deps.sh installs them), shared by the renderer tests.
/// </summary>
public sealed class RenderedSong : IDisposable
{
    public RenderedSong()
    {
        var groove = Mma.Grooves().Single(g => g.Name == "BossaNova");
        var key = Key.Parse("D minor");
        Plan = new SongPlan
        {
            Seed = 5,
            Index = 0,
            Key = key,
            Tempo = 140,
            Groove = groove,
            Bars = ChordProgressions.Realize("i | iv | V | i", key),
            Sections = [new SongSection("A", 0, 3), new SongSection(SongSection.EndLabel, 3, 1)],
            Form = "A",
            MelodyProgram = 73,
        };
        Song = SongGenerator.Generate(Plan, [SoundFonts.TimGM6mb]);
        TrackDirectory = Directory["train/Track00001"];
        Metadata = SlakhTrackWriter.Write(TrackDirectory, Song.Midi, Song.Parts, Song.Metadata);
    }

    public TempDirectory Directory { get; } = new();
    public SongPlan Plan { get; }
    public GeneratedSong Song { get; }
    public string TrackDirectory { get; }
    public SlakhMetadata Metadata { get; }

    public AudioBuffer Stem(string id) => AudioFile.Read(Path.Combine(TrackDirectory, "stems", id + ".flac"));

    public void Dispose() => Directory.Dispose();
}

public class RenderingTests(RenderedSong rendered) : IClassFixture<RenderedSong>
{
    [Fact]
    public void The_mma_library_offers_hundreds_of_whole_song_grooves()
    {
        var grooves = Mma.Grooves();
        Assert.True(grooves.Count > 500, $"{grooves.Count} grooves");
        Assert.DoesNotContain(grooves, g => g.Name.Contains("Intro", StringComparison.OrdinalIgnoreCase) || g.Name.Contains("End", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(4, grooves.Single(g => g.Name == "BossaNova").BeatsPerBar);
        Assert.Contains(grooves, g => g.BeatsPerBar == 3);
        Assert.Equal(grooves.Select(g => g.Name).Order(StringComparer.Ordinal), grooves.Select(g => g.Name));
    }

    [Fact]
    public void The_song_has_drums_bass_accompaniment_and_the_melody()
    {
        var parts = rendered.Song.Parts;
        Assert.Contains(parts, p => p.IsDrum && p.Category == InstrumentCategory.Drums);
        // BossaNova plays its bass line on a jazz guitar; a voice change may make it a bass.
        Assert.Contains(parts, p => p.Name == "Bass" && p.Category is InstrumentCategory.Guitar or InstrumentCategory.Bass);
        var melody = Assert.Single(parts, p => p.Name == "Melody");
        Assert.Equal(73, melody.Program);
        Assert.Equal(InstrumentCategory.Pipe, melody.Category);
        Assert.True(parts.Count >= 3);
    }

    [Fact]
    public void A_bass_line_split_over_two_mma_tracks_is_one_stem()
    {
        // SlowCountry alternates a "Bass" and a "Walk" track.
        var groove = Mma.Grooves().Single(g => g.Name == "SlowCountry");
        var plan = rendered.Plan with { Groove = groove };
        var accompaniment = Mma.Render(plan.ToMma());
        Assert.True(accompaniment.Parts().Count(p => p.Program is >= 32 and <= 39) >= 2);
        var song = SongGenerator.Generate(plan, [SoundFonts.TimGM6mb]);
        var bass = Assert.Single(song.Parts, p => p.Category == InstrumentCategory.Bass);
        Assert.Equal(accompaniment.Parts().Where(p => p.Program is >= 32 and <= 39).Sum(p => p.Notes.Count),
            bass.Midi.Notes().Count);
    }

    [Fact]
    public void Metadata_has_slakh_fields_and_the_song_description()
    {
        var m = SlakhMetadata.Load(Path.Combine(rendered.TrackDirectory, "metadata.yaml"));
        Assert.Empty(m.Warnings);
        Assert.Equal(-13.0, m.NormalizationFactor);
        Assert.True(m.Normalized);
        Assert.Equal(-1.0, m.TargetPeak);
        Assert.InRange(m.OverallGain!.Value, 0.01, 1.5);
        Assert.Equal("D minor", m.Key);
        Assert.Equal(140, m.Tempo);
        Assert.Equal("4/4", m.TimeSignature);
        Assert.Equal(["Dm", "Gm", "A", "Dm"], m.Chords);
        Assert.Equal("BossaNova", m.Groove);
        Assert.Equal(5, m.Seed);
        Assert.Equal(32, m.Uuid!.Length);
        Assert.Equal(rendered.Song.Parts.Count, m.Stems.Count);
    }

    [Fact]
    public void Stem_categories_follow_the_program_rule()
    {
        foreach (var (stem, part) in rendered.Metadata.Stems.Zip(rendered.Song.Parts))
        {
            Assert.Equal(part.IsDrum ? 128 : part.Program, stem.ProgramNum);
            Assert.Equal(part.IsDrum, stem.IsDrum);
            Assert.Equal(InstrumentCategories.FromProgram(stem.ProgramNum!.Value, stem.IsDrum), stem.Category);
            Assert.Equal(GeneralMidi.SlakhClassName(stem.Category!.Value), stem.InstClass);
            Assert.Equal("TimGM6mb.sf2", stem.PluginName);
            Assert.True(File.Exists(Path.Combine(rendered.TrackDirectory, "MIDI", stem.Id + ".mid")));
        }
        Assert.True(File.Exists(Path.Combine(rendered.TrackDirectory, "all_src.mid")));
    }

    [Fact]
    public void Stems_sum_to_the_mix()
    {
        var stems = rendered.Metadata.Stems.Where(s => s.AudioRendered).Select(s => rendered.Stem(s.Id)).ToList();
        var mix = AudioFile.Read(Path.Combine(rendered.TrackDirectory, "mix.flac"));
        Assert.All(stems, s => Assert.Equal((1, mix.Frames, 44100), (s.Channels, s.Frames, s.SampleRate)));
        var sum = Mixer.Mix(stems.ToArray()).Audio;
        var error = 0f;
        for (var i = 0; i < mix.Frames; i++) error = Math.Max(error, Math.Abs(sum.Samples[i] - mix.Samples[i]));
        // Each 16-bit file rounds by at most half a step.
        Assert.True(error <= (stems.Count + 1) * 0.5f / 32768 + 1e-7f, $"largest difference {error}");
        Assert.True(mix.Peak() > 0.1);
    }

    [Fact]
    public void Stems_are_at_minus_13_lufs_before_the_overall_gain()
    {
        var gainDb = Levels.ToDecibels(rendered.Metadata.OverallGain!.Value);
        foreach (var stem in rendered.Metadata.Stems.Where(s => s.AudioRendered))
            Assert.Equal(-13.0, Loudness.Integrated(rendered.Stem(stem.Id)) - gainDb, 1);
    }

    [Fact]
    public void The_overall_gain_keeps_every_peak_at_or_under_the_target()
    {
        var mix = AudioFile.Read(Path.Combine(rendered.TrackDirectory, "mix.flac"));
        var peaks = rendered.Metadata.Stems.Where(s => s.AudioRendered).Select(s => rendered.Stem(s.Id).Peak()).Append(mix.Peak()).ToList();
        Assert.All(peaks, p => Assert.True(Levels.ToDecibels(p) <= -1 + 0.01, $"peak {Levels.ToDecibels(p):0.00} dBFS"));
        Assert.Equal(-1.0, Levels.ToDecibels(peaks.Max()), 1);
    }

    [Fact]
    public void The_rendered_track_imports_like_slakh()
    {
        using var output = new TempDirectory();
        var manifest = SlakhImporter.Import(rendered.Directory.Path, output.Path, new ImportOptions { SampleRate = 32000, SegmentSeconds = 60, MinSegmentSeconds = 5 });
        var track = Assert.Single(manifest.Tracks);
        Assert.Empty(manifest.Skipped);
        Assert.Equal(rendered.Metadata.Stems.Count(s => s.AudioRendered), track.Stems.Count);
        Assert.Equal("D minor", track.Key);
        Assert.Equal("BossaNova", track.Groove);
        Assert.Single(track.Segments);
    }
}
