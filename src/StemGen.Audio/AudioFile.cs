using StemGen.Audio.Native;

namespace StemGen.Audio;

/// <summary>
/// Whole-file operations: probe, read, load (read + channel policy + resample), write and convert.
/// Bad input always ends in an <see cref="AudioFormatException"/> whose message starts with the file name.
/// </summary>
public static class AudioFile
{
    /// <summary>The versions of the C libraries in use (for `stemgen audio info` and bug reports).</summary>
    public static string LibraryVersions => $"{LibSndFile.Version}, {LibSoxr.Version}, {LibEbur128.Version}";

    /// <summary>Format, rate, channels and length from the header; decodes nothing. Applies the same checks as reading.</summary>
    public static AudioInfo Probe(string path, AudioReadOptions? options = null)
    {
        using var reader = AudioReader.Open(path, options);
        return reader.Info;
    }

    /// <summary>Decodes a whole file into memory at its own rate and channel count.</summary>
    public static AudioBuffer Read(string path, AudioReadOptions? options = null)
    {
        using var reader = AudioReader.Open(path, options);
        return reader.ReadToEnd();
    }

    /// <summary>Decodes a whole stream (an upload); <paramref name="name"/> is used in messages and for the extension check.</summary>
    public static AudioBuffer Read(Stream stream, string name, AudioReadOptions? options = null)
    {
        using var reader = AudioReader.Open(stream, name, options);
        return reader.ReadToEnd();
    }

    /// <summary>Opens a file for block-by-block reading.</summary>
    public static AudioReader OpenRead(string path, AudioReadOptions? options = null) => AudioReader.Open(path, options);

    /// <summary>
    /// What the model and the dataset code want: decode, apply the channel policy, resample to
    /// <paramref name="sampleRate"/> (unchanged when null) with soxr at the given quality.
    /// </summary>
    public static AudioBuffer Load(string path, int? sampleRate = null, ChannelPolicy channels = ChannelPolicy.Keep,
        AudioReadOptions? options = null, ResampleQuality quality = ResampleQuality.High)
    {
        var audio = ChannelMapper.Apply(Read(path, options), channels, path);
        return sampleRate is { } rate && rate != audio.SampleRate ? Resampler.Resample(audio, rate, quality) : audio;
    }

    /// <summary>Writes a buffer atomically. The format defaults to the extension's (16-bit for .wav and .flac).</summary>
    public static AudioWriteResult Write(string path, AudioBuffer audio, AudioWriteFormat? format = null, AudioWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(audio);
        using var writer = AudioWriter.Create(path, format ?? FormatFor(path), audio.SampleRate, audio.Channels, options);
        writer.Write(audio);
        return writer.Commit();
    }

    /// <summary>
    /// Streams <paramref name="input"/> into <paramref name="output"/> with optional channel policy and
    /// resampling, in constant memory. The output is written atomically: on any failure nothing is left.
    /// </summary>
    public static ConvertResult Convert(string input, string output, ConvertOptions? options = null)
    {
        options ??= new ConvertOptions();
        using var reader = AudioReader.Open(input, options.Read);
        var info = reader.Info;
        var channels = ChannelMapper.OutputChannels(info.Channels, options.Channels, input);
        var rate = options.SampleRate ?? info.SampleRate;
        if (rate < 1) throw new ArgumentOutOfRangeException(nameof(options), rate, "the target sample rate must be positive");
        var format = options.Format ?? DefaultConvertFormat(output, info);

        using var writer = AudioWriter.Create(output, format, rate, channels, options.Write);
        using var resampler = rate != info.SampleRate ? new Resampler(info.SampleRate, rate, channels, options.Quality) : null;
        var block = reader.CreateBlock();
        var mapped = new AudioBuffer(channels, block.Frames, info.SampleRate);
        while (true)
        {
            var n = reader.Read(block);
            if (n == 0) break;
            var source = ChannelMapper.Apply(block, n, options.Channels, mapped, input);
            if (resampler is null)
            {
                writer.Write(source, 0, n);
                continue;
            }
            var produced = resampler.Process(source, n);
            writer.Write(resampler.Output, 0, produced);
        }
        if (resampler is not null)
        {
            var tail = resampler.Flush();
            writer.Write(resampler.Output, 0, tail);
        }
        var result = writer.Commit();
        return new ConvertResult(info, result, format, rate, channels);
    }

    private static AudioWriteFormat FormatFor(string path) => AudioFormats.WriteFormatFor(path)
        ?? throw new AudioFormatException(path, AudioErrorReason.Unsupported, "cannot tell the format from the extension: use .wav, .flac, .ogg, .opus or .mp3, or pass a format");

    /// <summary>Keep the source's resolution where the target can hold it: 24-bit stays 24-bit, float WAV stays float.</summary>
    private static AudioWriteFormat DefaultConvertFormat(string output, AudioInfo source)
    {
        var format = FormatFor(output);
        var deep = source.Encoding is SampleEncoding.Pcm24 or SampleEncoding.Pcm32 or SampleEncoding.Float32 or SampleEncoding.Float64;
        return format.Container switch
        {
            AudioContainer.Wav when source.Encoding is SampleEncoding.Float32 or SampleEncoding.Float64 => AudioWriteFormat.WavFloat,
            AudioContainer.Wav when deep => AudioWriteFormat.Wav24,
            AudioContainer.Flac when deep => AudioWriteFormat.Flac24,
            _ => format,
        };
    }
}

/// <summary>Settings for <see cref="AudioFile.Convert"/>; everything optional.</summary>
public sealed record ConvertOptions
{
    /// <summary>Target rate; null keeps the source rate.</summary>
    public int? SampleRate { get; init; }
    public ChannelPolicy Channels { get; init; } = ChannelPolicy.Keep;
    /// <summary>Output format; null picks it from the extension, keeping 24-bit/float resolution.</summary>
    public AudioWriteFormat? Format { get; init; }
    public ResampleQuality Quality { get; init; } = ResampleQuality.High;
    public AudioReadOptions? Read { get; init; }
    public AudioWriteOptions? Write { get; init; }
}

/// <summary>What a conversion read and wrote; <c>Output.ClippedSamples</c> reports any clipping.</summary>
public sealed record ConvertResult(AudioInfo Input, AudioWriteResult Output, AudioWriteFormat Format, int SampleRate, int Channels);
