using StemGen.Audio;

namespace StemGen.Web.Tests;

/// <summary>Real audio files made by the tests with StemGen.Audio.</summary>
public static class TestAudio
{
    /// <summary>A WAV (16-bit) of a sine at <paramref name="frequency"/> Hz, as bytes.</summary>
    public static byte[] Wav(double seconds = 1.0, double frequency = 220, int sampleRate = 16000, int channels = 1, string extension = ".wav")
    {
        var frames = (int)(seconds * sampleRate);
        var planes = Enumerable.Range(0, channels).Select(c =>
        {
            var samples = new float[frames];
            for (var i = 0; i < frames; i++) samples[i] = 0.4f * MathF.Sin(2 * MathF.PI * (float)(frequency * (c + 1)) * i / sampleRate);
            return samples;
        }).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"stemgen-web-{Guid.NewGuid():N}{extension}");
        try
        {
            AudioFile.Write(path, AudioBuffer.FromChannels(sampleRate, planes));
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    /// <summary>A WAV file whose bytes after the header are replaced by garbage, and a header that claims more data than there is.</summary>
    public static byte[] CorruptWav()
    {
        var bytes = Wav(0.5);
        var truncated = bytes[..(bytes.Length / 3)];
        return truncated;
    }
}
