using System.Text.Json;
using StemGen.Audio;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tokens;

/// <summary>
/// Which token frames of a segment's stems and stem mixes are active (RMS above the threshold, at
/// the codec's frame rate), so training pairs can be checked against the activity rule without
/// reading audio. Computed once from the audio and kept under ROOT/activity/{split}/{track}/{segment}.json
/// of the token cache (it does not depend on the codec); a file whose source audio, frame rate or
/// threshold differs, or that lacks a wanted stem set, is computed again.
/// </summary>
internal static class SegmentActivity
{
    private const int Version = 1;

    private sealed record Stored(int Version, double FrameRate, double ThresholdDb, string Source, Dictionary<string, string> Sets);

    /// <summary>The key of a stem set: its ids joined by '+'.</summary>
    public static string Key(IEnumerable<string> stems) => string.Join("+", stems);

    /// <summary>Active frames of each wanted stem set (a single stem is a set of one), keyed by <see cref="Key"/>.</summary>
    public static Dictionary<string, bool[]> GetOrCompute(TokenCache cache, ImportManifest manifest, ImportedTrack track, ImportedSegment segment,
        IReadOnlyList<IReadOnlyList<string>> sets, double frameRate, double thresholdDb, SegmentAudio? loaded = null)
    {
        var path = Path.Combine(cache.Root, "activity", track.Split, track.Id, segment.Index.ToString("000") + ".json");
        var source = SourceHash(cache, manifest, segment);
        var keys = sets.Select(Key).Distinct().ToList();
        var stored = TryRead(path);
        if (stored is not null && stored.Version == Version && stored.FrameRate == frameRate && stored.ThresholdDb == thresholdDb && stored.Source == source
            && keys.All(stored.Sets.ContainsKey))
        {
            try
            {
                return keys.ToDictionary(k => k, k => Unpack(stored.Sets[k]));
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException)
            {
                // damaged bits: computed again below
            }
        }

        var audio = loaded ?? SegmentAudio.Load(manifest, track, segment);
        var result = new Dictionary<string, bool[]>();
        foreach (var set in sets)
        {
            var key = Key(set);
            if (result.ContainsKey(key)) continue;
            var mix = new AudioBuffer(audio.Mix(set, 0, audio.Frames), 1, audio.SampleRate);
            result[key] = Activity.ActiveFrames(mix, thresholdDb, frameRate);
        }
        var packed = result.ToDictionary(p => p.Key, p => Pack(p.Value));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicWrite.Text(path, JsonSerializer.Serialize(new Stored(Version, frameRate, thresholdDb, source, packed)));
        return result;
    }

    private static Stored? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Stored>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or FormatException)
        {
            return null; // damaged: computed again
        }
    }

    private static string SourceHash(TokenCache cache, ImportManifest manifest, ImportedSegment segment) =>
        TokenFile.Fnv1a(string.Join("|", segment.Stems.Select(s => $"{s.Id}:{cache.Fingerprint(manifest, s.File):x16}"))).ToString("x16");

    // Length as 4 bytes, then one bit per frame.
    private static string Pack(bool[] frames)
    {
        var bytes = new byte[4 + (frames.Length + 7) / 8];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), frames.Length);
        for (var i = 0; i < frames.Length; i++)
            if (frames[i]) bytes[4 + i / 8] |= (byte)(1 << (i % 8));
        return Convert.ToBase64String(bytes);
    }

    private static bool[] Unpack(string text)
    {
        var bytes = Convert.FromBase64String(text);
        var length = BitConverter.ToInt32(bytes, 0);
        if (length < 0 || 4 + (length + 7) / 8 != bytes.Length) throw new InvalidDataException("damaged activity bits");
        var frames = new bool[length];
        for (var i = 0; i < length; i++) frames[i] = (bytes[4 + i / 8] & (1 << (i % 8))) != 0;
        return frames;
    }
}
