using System.Runtime.InteropServices;
using StemGen.Audio;

namespace StemGen.Web.Storage;

/// <summary>
/// An audio file in the blob store as the studio describes it: its blob, container, rate, channels, duration and the
/// waveform overview the pages draw (min/max pairs, signed bytes, per bucket of <see cref="PeaksSamplesPerBucket"/> frames).
/// Stems and candidates keep these in their own columns (<c>Stem.Audio</c>, <c>GenerationCandidate.Audio</c>).
/// </summary>
public sealed record StoredAudio(string BlobHash, long SizeBytes, string Format, int SampleRate, int Channels, double DurationSeconds,
    byte[] Peaks, int PeaksSamplesPerBucket);

/// <summary>The one way audio goes into the blob store: uploads, generated candidates and listening-study clips.</summary>
public static class AudioStore
{
    /// <summary>Buckets of the stored overview: enough for a wide waveform, small enough to send with every stem.</summary>
    public const int PeakBuckets = 2000;

    /// <summary>Stores the file at <paramref name="path"/> (already read as audio: <paramref name="peaks"/> come from it) with its overview.</summary>
    public static async Task<StoredAudio> StoreAudioAsync(this IBlobStore blobs, string path, string format, int sampleRate, int channels, WaveformPeaks peaks, CancellationToken cancellationToken)
    {
        StoredBlob blob;
        await using (var content = File.OpenRead(path)) blob = await blobs.PutAsync(content, cancellationToken);
        var level = peaks.ForWidth(PeakBuckets);
        return new StoredAudio(blob.Hash, blob.Size, format, sampleRate, channels, (double)peaks.Frames / sampleRate,
            MemoryMarshal.AsBytes(level.Data.AsSpan()).ToArray(), level.SamplesPerBucket);
    }

    /// <summary>Stores a WAV file the studio wrote or received, whose samples are <paramref name="audio"/>.</summary>
    public static Task<StoredAudio> StoreWavAsync(this IBlobStore blobs, string path, AudioBuffer audio, CancellationToken cancellationToken) =>
        blobs.StoreAudioAsync(path, "WAV", audio.SampleRate, audio.Channels, WaveformPeaks.Compute(audio), cancellationToken);
}
