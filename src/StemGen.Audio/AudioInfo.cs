namespace StemGen.Audio;

/// <summary>What a file's header says, known before decoding any audio.</summary>
/// <param name="Path">The file as the caller named it.</param>
/// <param name="Container">The container, from the content (not the extension).</param>
/// <param name="Encoding">How samples are stored.</param>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="Channels">Channel count.</param>
/// <param name="Frames">Frames per channel. Exact for WAV and FLAC; for Ogg and MP3 it is what the
/// stream's index says (end granule, Xing/LAME header) and decoding may differ slightly; -1 when the
/// stream does not say (a FLAC written without a total, a WAV still being recorded).</param>
public sealed record AudioInfo(string Path, AudioContainer Container, SampleEncoding Encoding, int SampleRate, int Channels, long Frames)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Frames / SampleRate);

    /// <summary>Bits per stored sample for PCM and float; null for lossy codecs.</summary>
    public int? BitsPerSample => AudioFormats.BitsPerSample(Encoding);

    /// <summary>"FLAC, 16-bit PCM", "Opus".</summary>
    public string FormatName => new AudioWriteFormat(Container, Encoding).ToString();
}
