using StemGen.Audio;
using StemGen.Data;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;

namespace StemGen.Model.Tests;

/// <summary>
/// A tiny imported dataset (what `stemgen import` writes: mono FLAC segments and manifest.json),
/// made on the fly at 16 kHz with 4 s segments (200 frames at 50 Hz):
/// <list type="bullet">
/// <item>train/Track00001: piano 440 Hz, bass 110 Hz, drums (bursts).</item>
/// <item>train/Track00002: guitar 330 Hz, organ 550 Hz, brass 660 Hz, and a silent strings stem (never a target or a context alone).</item>
/// <item>validation/Track00003: reed 220 Hz, pipe 770 Hz.</item>
/// </list>
/// Also shared by the CLI tests (linked).
/// </summary>
internal static class TinyImport
{
    public const int Rate = 16000;
    public const double Seconds = 4;

    public static ImportManifest Create(string root)
    {
        var frames = (int)(Rate * Seconds);
        ImportedTrack Track(string split, string id, params (string Id, InstrumentCategory Category, float[] Samples)[] stems)
        {
            var segmentStems = new List<SegmentStem>();
            foreach (var stem in stems)
            {
                var file = Path.Combine(split, id, "000", stem.Id + ".flac");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
                AudioFile.Write(Path.Combine(root, file), new AudioBuffer(stem.Samples, 1, Rate), AudioWriteFormat.Flac16);
                segmentStems.Add(new SegmentStem(stem.Id, file, 1));
            }
            return new ImportedTrack
            {
                Split = split, Id = id, Source = id, Seconds = Seconds,
                Stems = stems.Select(s => new ImportedStem { Id = s.Id, Category = s.Category, Seconds = Seconds }).ToList(),
                Segments = [new ImportedSegment { Index = 0, Start = 0, Frames = frames, Stems = segmentStems }],
            };
        }

        var tracks = new List<ImportedTrack>
        {
            Track("train", "Track00001", ("S00", InstrumentCategory.Piano, Sine(440, frames)), ("S01", InstrumentCategory.Bass, Sine(110, frames)),
                ("S02", InstrumentCategory.Drums, Bursts(frames))),
            Track("train", "Track00002", ("S00", InstrumentCategory.Guitar, Sine(330, frames)), ("S01", InstrumentCategory.Organ, Sine(550, frames)),
                ("S02", InstrumentCategory.Brass, Sine(660, frames)), ("S03", InstrumentCategory.Strings, new float[frames])),
            Track("validation", "Track00003", ("S00", InstrumentCategory.Reed, Sine(220, frames)), ("S01", InstrumentCategory.Pipe, Sine(770, frames))),
        };
        var manifest = new ImportManifest
        {
            Source = "tiny test import", Format = "flac16", SampleRate = Rate, SegmentSeconds = Seconds, MinSegmentSeconds = 1,
            Tracks = tracks, Summary = ImportSummary.Of(tracks, [], Rate),
        };
        manifest.Save(Path.Combine(root, ImportManifest.FileName));
        return ImportManifest.Load(Path.Combine(root, ImportManifest.FileName));
    }

    private static float[] Sine(double hz, int frames) =>
        Enumerable.Range(0, frames).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * hz * i / Rate))).ToArray();

    // 8 Hz bursts of decaying noise, deterministic.
    private static float[] Bursts(int frames)
    {
        var random = new SeededRandom(7);
        return Enumerable.Range(0, frames).Select(i => (float)(0.5 * Math.Exp(-(i % (Rate / 8)) / 400.0) * (random.NextDouble() * 2 - 1))).ToArray();
    }
}

/// <summary>
/// A stand-in codec for tests: per 50 Hz frame, level 0 is the RMS in 2 dB steps above -100 dB and
/// level 1 the zero-crossing count (so different sines give different tokens). Counts its calls.
/// </summary>
internal sealed class FrameStatsTokenizer(string identity = "frame-stats/v1") : IAudioTokenizer
{
    public const int CodebookSize = 64;
    private int calls;

    public string Identity { get; } = identity;
    public int SampleRate => TinyImport.Rate;
    public int Levels => 2;
    public int FrameRate => 50;
    public int Calls => Volatile.Read(ref calls);

    public short[,] Encode(float[] mono)
    {
        Interlocked.Increment(ref calls);
        var hop = SampleRate / FrameRate;
        var frames = (mono.Length + hop - 1) / hop;
        var tokens = new short[Levels, frames];
        for (var f = 0; f < frames; f++)
        {
            var (start, end) = (f * hop, Math.Min(mono.Length, (f + 1) * hop));
            double sum = 0;
            var crossings = 0;
            for (var i = start; i < end; i++)
            {
                sum += mono[i] * (double)mono[i];
                if (i > start && (mono[i] >= 0) != (mono[i - 1] >= 0)) crossings++;
            }
            var db = sum > 0 ? 10 * Math.Log10(sum / (end - start)) : -100;
            tokens[0, f] = (short)Math.Clamp((db + 100) / 2, 0, CodebookSize - 1);
            tokens[1, f] = (short)Math.Min(crossings, CodebookSize - 1);
        }
        return tokens;
    }
}
