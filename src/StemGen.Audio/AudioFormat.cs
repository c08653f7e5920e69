namespace StemGen.Audio;

/// <summary>The containers StemGen reads (each covered by tests on libsndfile 1.2).</summary>
public enum AudioContainer
{
    Wav,
    Flac,
    /// <summary>Ogg with a Vorbis stream (.ogg, .oga).</summary>
    OggVorbis,
    /// <summary>Ogg with an Opus stream (.opus, also .ogg).</summary>
    OggOpus,
    /// <summary>MPEG-1/2 audio layer III (libsndfile 1.1+ through mpg123 and LAME).</summary>
    Mp3,
}

/// <summary>How samples are stored in the file.</summary>
public enum SampleEncoding
{
    Pcm8,
    Pcm16,
    Pcm24,
    Pcm32,
    Float32,
    Float64,
    ULaw,
    ALaw,
    Vorbis,
    Opus,
    Mp3,
}

/// <summary>A container plus encoding to write. The presets are the combinations StemGen writes and tests.</summary>
public readonly record struct AudioWriteFormat(AudioContainer Container, SampleEncoding Encoding)
{
    public static AudioWriteFormat Wav16 => new(AudioContainer.Wav, SampleEncoding.Pcm16);
    public static AudioWriteFormat Wav24 => new(AudioContainer.Wav, SampleEncoding.Pcm24);
    public static AudioWriteFormat WavFloat => new(AudioContainer.Wav, SampleEncoding.Float32);
    public static AudioWriteFormat Flac16 => new(AudioContainer.Flac, SampleEncoding.Pcm16);
    public static AudioWriteFormat Flac24 => new(AudioContainer.Flac, SampleEncoding.Pcm24);
    /// <summary>Lossy, for previews in the browser; rates 8/12/16/24/48 kHz only (an Opus rule).</summary>
    public static AudioWriteFormat Opus => new(AudioContainer.OggOpus, SampleEncoding.Opus);
    public static AudioWriteFormat OggVorbis => new(AudioContainer.OggVorbis, SampleEncoding.Vorbis);
    /// <summary>Lossy (LAME); rates up to 48 kHz, at most 2 channels.</summary>
    public static AudioWriteFormat Mp3 => new(AudioContainer.Mp3, SampleEncoding.Mp3);

    /// <summary>True for PCM encodings, which StemGen quantises itself (round to nearest, counted clipping).</summary>
    public bool IsPcm => Encoding is SampleEncoding.Pcm16 or SampleEncoding.Pcm24 or SampleEncoding.Pcm32;

    /// <summary>"WAV, 24-bit PCM"; lossy codecs by their name alone ("Opus", "MP3").</summary>
    public override string ToString() => AudioFormats.BitsPerSample(Encoding) is null
        ? AudioFormats.Name(Container)
        : $"{AudioFormats.Name(Container)}, {AudioFormats.Name(Encoding)}";
}

/// <summary>Names, extensions and the libsndfile format words of containers and encodings.</summary>
public static class AudioFormats
{
    public static string Name(AudioContainer container) => container switch
    {
        AudioContainer.Wav => "WAV",
        AudioContainer.Flac => "FLAC",
        AudioContainer.OggVorbis => "Ogg Vorbis",
        AudioContainer.OggOpus => "Opus",
        AudioContainer.Mp3 => "MP3",
        _ => container.ToString(),
    };

    public static string Name(SampleEncoding encoding) => encoding switch
    {
        SampleEncoding.Pcm8 => "8-bit PCM",
        SampleEncoding.Pcm16 => "16-bit PCM",
        SampleEncoding.Pcm24 => "24-bit PCM",
        SampleEncoding.Pcm32 => "32-bit PCM",
        SampleEncoding.Float32 => "32-bit float",
        SampleEncoding.Float64 => "64-bit float",
        SampleEncoding.ULaw => "u-law",
        SampleEncoding.ALaw => "A-law",
        _ => encoding.ToString(),
    };

    /// <summary>Bits per sample for PCM and float encodings; null for compressed ones.</summary>
    public static int? BitsPerSample(SampleEncoding encoding) => encoding switch
    {
        SampleEncoding.Pcm8 or SampleEncoding.ULaw or SampleEncoding.ALaw => 8,
        SampleEncoding.Pcm16 => 16,
        SampleEncoding.Pcm24 => 24,
        SampleEncoding.Pcm32 or SampleEncoding.Float32 => 32,
        SampleEncoding.Float64 => 64,
        _ => null,
    };

    /// <summary>The container a file name's extension promises, or null for an extension that promises nothing.</summary>
    public static AudioContainer? FromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".wav" or ".wave" => AudioContainer.Wav,
        ".flac" => AudioContainer.Flac,
        ".ogg" or ".oga" => AudioContainer.OggVorbis,
        ".opus" => AudioContainer.OggOpus,
        ".mp3" => AudioContainer.Mp3,
        _ => null,
    };

    /// <summary>The default write format for a file name: 16-bit WAV/FLAC, or the lossy codec the extension names.</summary>
    public static AudioWriteFormat? WriteFormatFor(string path) => FromExtension(path) switch
    {
        AudioContainer.Wav => AudioWriteFormat.Wav16,
        AudioContainer.Flac => AudioWriteFormat.Flac16,
        AudioContainer.OggVorbis => Path.GetExtension(path).Equals(".opus", StringComparison.OrdinalIgnoreCase) ? AudioWriteFormat.Opus : AudioWriteFormat.OggVorbis,
        AudioContainer.OggOpus => AudioWriteFormat.Opus,
        AudioContainer.Mp3 => AudioWriteFormat.Mp3,
        _ => null,
    };

    /// <summary>Whether content of one container is acceptable under a name promising another (Ogg holds either codec).</summary>
    internal static bool Compatible(AudioContainer promised, AudioContainer actual) =>
        promised == actual || (IsOgg(promised) && IsOgg(actual));

    internal static bool IsOgg(AudioContainer container) => container is AudioContainer.OggVorbis or AudioContainer.OggOpus;

    internal static int SndFileFormat(AudioWriteFormat format)
    {
        var major = format.Container switch
        {
            AudioContainer.Wav => Native.LibSndFile.FormatWav,
            AudioContainer.Flac => Native.LibSndFile.FormatFlac,
            AudioContainer.OggVorbis or AudioContainer.OggOpus => Native.LibSndFile.FormatOgg,
            AudioContainer.Mp3 => Native.LibSndFile.FormatMpeg,
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        var sub = format.Encoding switch
        {
            SampleEncoding.Pcm16 => Native.LibSndFile.Pcm16,
            SampleEncoding.Pcm24 => Native.LibSndFile.Pcm24,
            SampleEncoding.Pcm32 => Native.LibSndFile.Pcm32,
            SampleEncoding.Float32 => Native.LibSndFile.Float,
            SampleEncoding.Vorbis => Native.LibSndFile.Vorbis,
            SampleEncoding.Opus => Native.LibSndFile.Opus,
            SampleEncoding.Mp3 => Native.LibSndFile.MpegLayerIII,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a writable encoding"),
        };
        return major | sub;
    }

    internal static SampleEncoding? EncodingOf(int sndFileFormat) => (sndFileFormat & Native.LibSndFile.SubMask) switch
    {
        Native.LibSndFile.PcmS8 or Native.LibSndFile.PcmU8 => SampleEncoding.Pcm8,
        Native.LibSndFile.Pcm16 => SampleEncoding.Pcm16,
        Native.LibSndFile.Pcm24 => SampleEncoding.Pcm24,
        Native.LibSndFile.Pcm32 => SampleEncoding.Pcm32,
        Native.LibSndFile.Float => SampleEncoding.Float32,
        Native.LibSndFile.Double => SampleEncoding.Float64,
        Native.LibSndFile.Ulaw => SampleEncoding.ULaw,
        Native.LibSndFile.Alaw => SampleEncoding.ALaw,
        Native.LibSndFile.Vorbis => SampleEncoding.Vorbis,
        Native.LibSndFile.Opus => SampleEncoding.Opus,
        Native.LibSndFile.MpegLayerI or Native.LibSndFile.MpegLayerII or Native.LibSndFile.MpegLayerIII => SampleEncoding.Mp3,
        _ => null,
    };
}
