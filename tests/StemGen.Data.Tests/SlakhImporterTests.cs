using StemGen.Audio;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tests;

/// <summary>Import of the generated Slakh-format fixture (see <see cref="SlakhFixture"/>), done once for the class.</summary>
public sealed class ImportedFixture : IDisposable
{
    public static readonly ImportOptions Options = new() { SampleRate = 16000, SegmentSeconds = 2, MinSegmentSeconds = 1, Jobs = 2 };

    public ImportedFixture()
    {
        SlakhFixture.Create(Source.Path);
        Manifest = SlakhImporter.Import(Source.Path, Output.Path, Options, new InlineProgress<ImportProgress>(p => { lock (Reports) Reports.Add(p); }));
    }

    public TempDirectory Source { get; } = new();
    public TempDirectory Output { get; } = new();
    public ImportManifest Manifest { get; }
    public List<ImportProgress> Reports { get; } = [];

    public void Dispose()
    {
        Source.Dispose();
        Output.Dispose();
    }
}

internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

public class SlakhImporterTests(ImportedFixture fixture) : IClassFixture<ImportedFixture>
{
    private ImportManifest Manifest => fixture.Manifest;

    [Fact]
    public void Discover_finds_tracks_in_split_folders()
    {
        var tracks = SlakhImporter.Discover(fixture.Source.Path);
        Assert.Equal(["train/Track00001", "train/Track00002", "validation/Track00003", "validation/Track00004", "test/Track00005", "test/Track00006"],
            tracks.Select(t => t.Name));
    }

    [Fact]
    public void Discover_reads_one_split_folder_and_one_track_folder()
    {
        Assert.All(SlakhImporter.Discover(fixture.Source["test"]), t => Assert.Equal("test", t.Split));
        var one = Assert.Single(SlakhImporter.Discover(fixture.Source["train/Track00002"]));
        Assert.Equal("train/Track00002", one.Name);
    }

    [Fact]
    public void Good_tracks_are_imported_and_bad_ones_skipped_with_reasons()
    {
        Assert.Equal(["train/Track00001", "train/Track00002", "test/Track00006"], Manifest.Tracks.Select(t => t.Name));
        Assert.Contains(Manifest.Skipped, s => s is { Track: "validation/Track00003", Stem: null, Reason: SkipReason.TooFewStems });
        Assert.Contains(Manifest.Skipped, s => s is { Track: "validation/Track00004", Stem: null, Reason: SkipReason.MissingMetadata });
        Assert.Contains(Manifest.Skipped, s => s is { Track: "test/Track00005", Stem: null, Reason: SkipReason.BadMetadata });
        Assert.Equal(3, Manifest.Summary.TracksSkipped);
    }

    [Fact]
    public void Each_bad_stem_is_skipped_with_its_reason()
    {
        var skipped = Manifest.Skipped.Where(s => s.Stem is not null).ToDictionary(s => $"{s.Track}/{s.Stem}", s => s.Reason);
        Assert.Equal(SkipReason.NotRendered, skipped["train/Track00001/S03"]);
        Assert.Equal(SkipReason.MissingAudio, skipped["train/Track00002/S01"]);
        Assert.Equal(SkipReason.Silent, skipped["train/Track00002/S02"]);
        Assert.Equal(SkipReason.UnknownProgram, skipped["train/Track00002/S03"]);
        Assert.Equal(SkipReason.UnreadableAudio, skipped["train/Track00002/S04"]);
        Assert.Equal(1, Manifest.Summary.SkipCounts[SkipReason.UnreadableAudio]);
        Assert.Equal(1, Manifest.Summary.SkipCounts[SkipReason.TooFewStems]);
    }

    [Fact]
    public void Stems_come_from_the_folder_too_with_the_program_from_their_midi_file()
    {
        var track = Manifest.Tracks.Single(t => t.Id == "Track00002");
        Assert.Equal(["S00", "S05", "S06"], track.Stems.Select(s => s.Id));
        Assert.Equal(InstrumentCategory.Strings, track.Stem("S06").Category);
        Assert.Equal(40, track.Stem("S06").Program);
    }

    [Fact]
    public void Categories_follow_the_program_rule()
    {
        var track = Manifest.Tracks.Single(t => t.Id == "Track00001");
        Assert.Equal([InstrumentCategory.Piano, InstrumentCategory.Bass, InstrumentCategory.Drums], track.Stems.Select(s => s.Category));
        Assert.Equal(128, track.Stem("S02").Program);
        Assert.Equal(1, Manifest.Summary.Categories[InstrumentCategory.Bass]);
        Assert.Equal(18, Manifest.Summary.Categories.Count);
    }

    [Fact]
    public void Songs_are_cut_into_segments_with_a_short_tail_kept_when_long_enough()
    {
        var five = Manifest.Tracks.Single(t => t.Id == "Track00001");
        // 5 s in 2 s segments: 2 + 2 + 1 (the 1 s tail meets the 1 s minimum).
        Assert.Equal([0, 1, 2], five.Segments.Select(s => s.Index));
        Assert.Equal([32000, 32000, 16000], five.Segments.Select(s => s.Frames));
        Assert.Equal([0.0, 2.0, 4.0], five.Segments.Select(s => s.Start));
        // 3.5 s: 2 + 1.5.
        Assert.Equal([32000, 24000], Manifest.Tracks.Single(t => t.Id == "Track00006").Segments.Select(s => s.Frames));
    }

    [Fact]
    public void A_tail_shorter_than_the_minimum_is_dropped()
    {
        using var output = new TempDirectory();
        var manifest = SlakhImporter.Import(fixture.Source["test/Track00006"], output.Path, ImportedFixture.Options with { MinSegmentSeconds = 1.6 });
        var track = Assert.Single(manifest.Tracks);
        Assert.Equal([32000], track.Segments.Select(s => s.Frames));
        Assert.Contains(track.Warnings, w => w.Contains("shorter than"));
        Assert.False(Directory.Exists(Path.Combine(output.Path, "test", "Track00006", "001")));
    }

    [Fact]
    public void Segment_files_are_mono_at_the_target_rate()
    {
        foreach (var segment in Manifest.Tracks.SelectMany(t => t.Segments))
            foreach (var stem in segment.Stems)
            {
                var info = AudioFile.Probe(Manifest.PathOf(stem.File));
                Assert.Equal(16000, info.SampleRate);
                Assert.Equal(1, info.Channels);
                Assert.Equal(segment.Frames, info.Frames);
                Assert.InRange(stem.ActiveFraction, 0.01, 1);
            }
    }

    [Fact]
    public void Resampled_audio_keeps_its_pitch()
    {
        var segment = Manifest.Tracks.Single(t => t.Id == "Track00001").Segments[0];
        var audio = AudioFile.Read(Manifest.PathOf(segment.Stems.Single(s => s.Id == "S00").File));
        // A 440 Hz sine at 16 kHz crosses zero 880 times a second.
        var samples = audio.Channel(0).ToArray();
        var crossings = Enumerable.Range(1, samples.Length - 1).Count(i => (samples[i] >= 0) != (samples[i - 1] >= 0));
        Assert.InRange(crossings / 2.0, 875, 885);
    }

    [Fact]
    public void The_manifest_is_saved_and_loads_back()
    {
        var loaded = ImportManifest.Load(fixture.Output.Path);
        Assert.Equal(Manifest.Tracks.Select(t => t.Name), loaded.Tracks.Select(t => t.Name));
        Assert.Equal(Manifest.Summary.Hours, loaded.Summary.Hours, 9);
        Assert.Equal(Manifest.Skipped, loaded.Skipped);
        Assert.Equal(fixture.Output.Path, loaded.Root);
        Assert.True(File.Exists(loaded.PathOf(loaded.Tracks[0].Segments[0].Stems[0].File)));
        Assert.Equal(16000, loaded.SampleRate);
    }

    [Fact]
    public void Summary_counts_splits_and_hours()
    {
        var s = Manifest.Summary;
        Assert.Equal(3, s.Tracks);
        Assert.Equal(["train", "test"], s.Splits.Keys);
        Assert.Equal(2, s.Splits["train"].Tracks);
        // Track00001 5 s + Track00002 4 s + Track00006 3.5 s.
        Assert.Equal(12.5 / 3600, s.Hours, 6);
    }

    [Fact]
    public void Progress_is_reported_for_every_track()
    {
        Assert.Equal(6, fixture.Reports.Count);
        Assert.Equal(Enumerable.Range(1, 6), fixture.Reports.Select(r => r.TracksDone).Order());
        Assert.All(fixture.Reports, r => Assert.Equal(6, r.TracksTotal));
    }

    [Fact]
    public void A_second_import_reuses_finished_tracks_and_redoes_changed_ones()
    {
        using var output = new TempDirectory();
        using var source = new TempDirectory();
        SlakhFixture.Create(source.Path);
        var first = SlakhImporter.Import(source.Path, output.Path, ImportedFixture.Options);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(output.Path, first.Tracks[0].Segments[0].Stems[0].File));
        // Change one source track: only it is imported again.
        var changed = Path.Combine(source.Path, "test", "Track00006", "stems", "S00.flac");
        AudioFile.Write(changed, Signals.Mono(Signals.Sine(440, 0.3, 2.5, SlakhFixture.Rate), SlakhFixture.Rate), AudioWriteFormat.Flac16);
        var second = SlakhImporter.Import(source.Path, output.Path, ImportedFixture.Options);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(output.Path, second.Tracks[0].Segments[0].Stems[0].File)));
        Assert.Equal(first.Skipped, second.Skipped);
        Assert.Equal(2.5, second.Tracks.Single(t => t.Id == "Track00006").Stems.Single(s => s.Id == "S00").Seconds, 3);
        Assert.Equal(3.5, first.Tracks.Single(t => t.Id == "Track00006").Stems.Single(s => s.Id == "S00").Seconds, 3);
    }

    [Fact]
    public void One_failing_track_never_stops_the_import()
    {
        using var source = new TempDirectory();
        using var output = new TempDirectory();
        SlakhFixture.Create(source.Path);
        // A track whose output folder cannot be created (a file is in the way) fails on its own.
        Directory.CreateDirectory(Path.Combine(output.Path, "test"));
        File.WriteAllText(Path.Combine(output.Path, "test", "Track00006"), "in the way");
        var manifest = SlakhImporter.Import(source.Path, output.Path, ImportedFixture.Options);
        Assert.Contains(manifest.Skipped, s => s is { Track: "test/Track00006", Reason: SkipReason.Failed });
        Assert.Equal(2, manifest.Summary.Tracks);
    }

    [Fact]
    public void Babyslakh_layout_without_split_folders_goes_to_the_default_split()
    {
        using var source = new TempDirectory();
        SlakhFixture.Create(source.Path);
        var flat = Path.Combine(source.Path, "babyslakh_16k");
        Directory.CreateDirectory(flat);
        Directory.Move(Path.Combine(source.Path, "train", "Track00001"), Path.Combine(flat, "Track00001"));
        var tracks = SlakhImporter.Discover(flat);
        Assert.Equal("train/Track00001", Assert.Single(tracks).Name);
    }
}
