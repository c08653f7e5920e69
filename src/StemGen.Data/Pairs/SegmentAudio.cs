using StemGen.Audio;
using StemGen.Data.Slakh;

namespace StemGen.Data.Pairs;

/// <summary>One stem of a segment in memory: mono samples at the segment's rate.</summary>
public sealed record StemAudio(string Id, InstrumentCategory Category, float[] Samples);

/// <summary>
/// A segment's stems in memory, all of one length (shorter files are padded with silence), ready
/// for pair construction. <see cref="Load"/> reads an imported segment.
/// </summary>
public sealed record SegmentAudio
{
    public SegmentAudio(string track, int segment, int sampleRate, IReadOnlyList<StemAudio> stems)
    {
        ArgumentNullException.ThrowIfNull(stems);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (stems.Select(s => s.Samples.Length).Distinct().Count() > 1)
            throw new ArgumentException("stems of a segment must have one length", nameof(stems));
        if (stems.Select(s => s.Id).Distinct().Count() != stems.Count)
            throw new ArgumentException("stem ids of a segment must differ", nameof(stems));
        Track = track;
        Segment = segment;
        SampleRate = sampleRate;
        Stems = stems;
    }

    /// <summary>"split/TrackNNNNN".</summary>
    public string Track { get; }
    public int Segment { get; }
    public int SampleRate { get; }
    public IReadOnlyList<StemAudio> Stems { get; }
    public int Frames => Stems.Count == 0 ? 0 : Stems[0].Samples.Length;

    public StemAudio Stem(string id) => Stems.FirstOrDefault(s => s.Id == id) ?? throw new KeyNotFoundException($"{Track} segment {Segment} has no stem {id}");

    /// <summary>Reads an imported segment's stem files (mono at the import rate).</summary>
    public static SegmentAudio Load(ImportManifest manifest, ImportedTrack track, ImportedSegment segment)
    {
        var stems = new List<StemAudio>();
        foreach (var stem in segment.Stems)
        {
            var audio = AudioFile.Load(manifest.PathOf(stem.File), manifest.SampleRate, ChannelPolicy.Mono);
            var samples = new float[segment.Frames];
            audio.Channel(0)[..Math.Min(segment.Frames, audio.Frames)].CopyTo(samples);
            stems.Add(new StemAudio(stem.Id, track.Stem(stem.Id).Category, samples));
        }
        return new SegmentAudio(track.Name, segment.Index, manifest.SampleRate, stems);
    }

    /// <summary>The plain sum of some stems over frames [start, start + count): a context mix (Slakh's mix is a plain sum).</summary>
    public float[] Mix(IEnumerable<string> stemIds, int start, int count)
    {
        var mix = new float[count];
        foreach (var id in stemIds)
        {
            var source = Stem(id).Samples.AsSpan(start, count);
            for (var i = 0; i < count; i++) mix[i] += source[i];
        }
        return mix;
    }

    /// <summary>Frames [start, start + count) of one stem.</summary>
    public float[] Slice(string stemId, int start, int count) => Stem(stemId).Samples.AsSpan(start, count).ToArray();
}
