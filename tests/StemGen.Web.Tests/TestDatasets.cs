using StemGen.Audio;
using StemGen.Data;
using StemGen.Data.Slakh;

namespace StemGen.Web.Tests;

/// <summary>Tiny imported datasets (what `stemgen import` writes: manifest.json and one WAV per stem and segment) for listening studies.</summary>
public static class TestDatasets
{
    public const int SampleRate = 16000;

    private static readonly (string Id, InstrumentCategory Category, int? Program, bool Drum)[] Stems =
        [("S00", InstrumentCategory.Bass, 33, false), ("S01", InstrumentCategory.Piano, 0, false), ("S02", InstrumentCategory.Drums, 128, true)];

    /// <summary>Writes <paramref name="songs"/> songs of one <paramref name="seconds"/>-long segment each into ROOT/NAME, all in <paramref name="split"/>.</summary>
    public static string Write(string root, string name, int songs = 3, double seconds = 4, string split = "test")
    {
        var folder = Path.Combine(root, name);
        var frames = (int)(seconds * SampleRate);
        var tracks = new List<ImportedTrack>();
        for (var song = 0; song < songs; song++)
        {
            var id = $"Track{song + 1:00000}";
            var segmentStems = new List<SegmentStem>();
            foreach (var (stemId, _, _, _) in Stems)
            {
                var file = $"{split}/{id}/000/{stemId}.wav";
                var path = Path.Combine(folder, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var frequency = 110.0 * (1 + song) * (1 + Array.FindIndex(Stems, s => s.Id == stemId));
                var samples = new float[frames];
                for (var i = 0; i < frames; i++) samples[i] = 0.2f * MathF.Sin(2 * MathF.PI * (float)frequency * i / SampleRate);
                AudioFile.Write(path, AudioBuffer.FromChannels(SampleRate, samples));
                segmentStems.Add(new SegmentStem(stemId, file, 1.0));
            }
            tracks.Add(new ImportedTrack
            {
                Split = split, Id = id, Source = $"synthetic/{id}", Seconds = seconds,
                Stems = Stems.Select(s => new ImportedStem { Id = s.Id, Category = s.Category, Program = s.Program, IsDrum = s.Drum, Seconds = seconds }).ToList(),
                Segments = [new ImportedSegment { Index = 0, Start = 0, Frames = frames, Stems = segmentStems }],
            });
        }
        new ImportManifest
        {
            Source = "tests", Format = "wavf", SampleRate = SampleRate, SegmentSeconds = 60, MinSegmentSeconds = 1, Created = DateTimeOffset.UtcNow,
            Tracks = tracks, Summary = ImportSummary.Of(tracks, [], SampleRate),
        }.Save(Path.Combine(folder, ImportManifest.FileName));
        return folder;
    }
}
