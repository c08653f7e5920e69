using StemGen.Audio.Formats;
using StemGen.Audio.Native;

namespace StemGen.Audio;

/// <summary>
/// Streams audio out of a file block by block (for files too long to hold, and for one-pass
/// analysis). Opening checks the content against the extension, walks the header, and applies
/// every limit before any audio is decoded; reading refuses NaN/infinity, enforces the limits
/// again (headers can lie), and reports truncation and FLAC checksum failures at the end.
/// </summary>
public sealed unsafe class AudioReader : IDisposable
{
    internal const int DefaultBlockFrames = 16_384;

    private readonly SndFile file;
    private readonly AudioReadOptions options;
    private readonly long maxFrames;
    private readonly long exactFrames; // frames the decoder must deliver, or -1 when the header only estimates
    private readonly FlacChecksum? checksum;
    private readonly byte[]? expectedMd5;
    private readonly long fileBytes;
    private float[] scratch = [];
    private bool finished;

    private AudioReader(SndFile file, AudioInfo info, AudioReadOptions options, long exactFrames, FlacChecksum? checksum, byte[]? expectedMd5, long fileBytes)
    {
        this.fileBytes = fileBytes;
        this.file = file;
        Info = info;
        this.options = options;
        maxFrames = options.MaxFrames(info.SampleRate);
        this.exactFrames = exactFrames;
        this.checksum = checksum;
        this.expectedMd5 = expectedMd5;
    }

    /// <summary>The header's description of the audio.</summary>
    public AudioInfo Info { get; }

    /// <summary>Frames delivered so far.</summary>
    public long Position { get; private set; }

    /// <summary>Opens a file, checking it as described on the class.</summary>
    public static AudioReader Open(string path, AudioReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = OpenFile(path);
        return Open(stream, path, options, ownsStream: true);
    }

    /// <summary>
    /// Opens a seekable stream (an upload in memory, a temp file). <paramref name="name"/> is used in
    /// messages and for the extension check; pass a name without extension to go by content alone.
    /// </summary>
    public static AudioReader Open(Stream stream, string name, AudioReadOptions? options = null, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!stream.CanRead || !stream.CanSeek) throw new ArgumentException("audio streams must be readable and seekable", nameof(stream));
        options ??= AudioReadOptions.Default;
        options.Validate();
        try
        {
            return OpenChecked(stream, name, options, ownsStream);
        }
        catch
        {
            if (ownsStream) stream.Dispose();
            throw;
        }
    }

    private static AudioReader OpenChecked(Stream stream, string name, AudioReadOptions options, bool ownsStream)
    {
        long length;
        try { length = stream.Length; }
        catch (IOException e) { throw new AudioFormatException(name, AudioErrorReason.IoError, $"cannot read: {e.Message}", e); }
        if (length == 0) throw new AudioFormatException(name, AudioErrorReason.Empty, "the file is empty (0 bytes)");

        var container = Identify(stream, name, options);
        long exactFrames = -1;
        FlacHeader.StreamInfo? flac = null;
        switch (container)
        {
            case AudioContainer.Wav:
                var wav = WavHeader.Check(stream, name, options);
                exactFrames = wav.AvailableFrames;
                break;
            case AudioContainer.Flac:
                flac = FlacHeader.Check(stream, name, options);
                if (flac.Value.TotalFrames > 0) exactFrames = flac.Value.TotalFrames;
                break;
        }

        stream.Position = 0;
        SndFile? file;
        int code;
        string text;
        try
        {
            file = SndFile.Open(stream, ownsStream, LibSndFile.ModeRead, default, out code, out text);
        }
        catch (IOException e)
        {
            throw new AudioFormatException(name, AudioErrorReason.IoError, $"cannot read: {e.Message}", e);
        }
        if (file is null)
        {
            if (code == LibSndFile.ErrUnsupportedEncoding)
                throw new AudioFormatException(name, AudioErrorReason.Unsupported, $"{AudioFormats.Name(container)} with an encoding libsndfile cannot decode ({Clean(text)})");
            throw new AudioFormatException(name, AudioErrorReason.Corrupt,
                $"not a readable {AudioFormats.Name(container)} file: it is damaged or cut off (libsndfile: {Clean(text)})");
        }

        try
        {
            var sf = file.Info;
            var encoding = AudioFormats.EncodingOf(sf.Format)
                ?? throw new AudioFormatException(name, AudioErrorReason.Unsupported, $"{AudioFormats.Name(container)} with encoding 0x{sf.Format & LibSndFile.SubMask:X} is not supported");
            if (sf.Channels <= 0) throw new AudioFormatException(name, AudioErrorReason.Corrupt, $"the header declares {sf.Channels} channels");
            WavHeader.CheckChannels(name, options, sf.Channels);
            WavHeader.CheckRate(name, options, sf.SampleRate);
            // libsndfile reports SF_COUNT_MAX (or nonsense) when a stream does not say how long it is.
            var frames = sf.Frames is < 0 or >= long.MaxValue / 4 ? -1 : sf.Frames;
            if (frames == 0) throw new AudioFormatException(name, AudioErrorReason.Empty, "contains no audio (header only, 0 frames)");
            if (frames > 0) WavHeader.CheckLength(name, options, sf.SampleRate, frames);
            if (exactFrames > 0 && container == AudioContainer.Wav) exactFrames = Math.Min(exactFrames, frames);
            var checksum = options.VerifyFlacChecksum && flac is { } f ? FlacChecksum.For(f) : null;
            var info = new AudioInfo(name, container, encoding, sf.SampleRate, sf.Channels, frames > 0 ? frames : exactFrames);
            return new AudioReader(file, info, options, exactFrames, checksum, flac?.Md5, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The container by content; refuses unknown content and, unless allowed, a mismatching extension.</summary>
    private static AudioContainer Identify(Stream stream, string name, AudioReadOptions options)
    {
        var promised = AudioFormats.FromExtension(name);
        var verdict = ContentSniffer.Detect(stream);
        if (verdict.Container is not { } actual)
        {
            var what = verdict.KnownUnsupported;
            if (promised is { } p)
                throw new AudioFormatException(name, what is null ? AudioErrorReason.Corrupt : AudioErrorReason.WrongExtension,
                    what is null ? $"not a{Article(p)} {AudioFormats.Name(p)} stream (bad magic)" : $"not a{Article(p)} {AudioFormats.Name(p)} stream: the content is {what}");
            throw new AudioFormatException(name, AudioErrorReason.Unsupported,
                what is null ? "not a recognised audio file (StemGen reads WAV, FLAC, Ogg Vorbis, Opus and MP3)"
                             : $"{what} is not supported (StemGen reads WAV, FLAC, Ogg Vorbis, Opus and MP3); convert it first");
        }
        if (promised is { } expected && !AudioFormats.Compatible(expected, actual) && !options.AllowExtensionMismatch)
            throw new AudioFormatException(name, AudioErrorReason.WrongExtension,
                $"not a{Article(expected)} {AudioFormats.Name(expected)} stream (bad magic): the content is {AudioFormats.Name(actual)}; " +
                $"rename it to {Extension(actual)} (or read it with AllowExtensionMismatch)");
        return actual;
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> frames into destination frames [offset, offset + count).
    /// Returns the frames read; 0 means the end. Channel count and sample rate must match the file.
    /// </summary>
    public int Read(AudioBuffer destination, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Channels != Info.Channels)
            throw new ArgumentException($"destination has {destination.Channels} channels, the file {Info.Channels}", nameof(destination));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + count, destination.Frames, nameof(count));
        if (finished || count == 0) return 0;

        int read;
        ReadOnlySpan<float> interleaved;
        if (Info.Channels == 1)
        {
            var target = destination.Channel(0).Slice(offset, count);
            fixed (float* p = target) read = Decode(p, count);
            interleaved = target[..read];
        }
        else
        {
            var needed = count * Info.Channels;
            if (scratch.Length < needed) scratch = new float[needed];
            fixed (float* p = scratch) read = Decode(p, count);
            interleaved = scratch.AsSpan(0, read * Info.Channels);
        }
        if (read < 0 || read > count) throw Corrupt($"the decoder returned {read} frames");
        var failed = read < count && file.ErrorCode != LibSndFile.ErrNone;
        if (failed && !(exactFrames > 0 && Position + read < exactFrames && file.AtEndOfStream))
            throw Corrupt($"decoding failed at {WavHeader.Seconds(Position + read, Info.SampleRate)}: {Clean(file.ErrorText)}");
        // A decode error with every byte consumed is a file cut off mid-frame: Finish reports it as truncation.

        var bad = Levels.FirstNonFinite(interleaved);
        if (bad >= 0)
            throw new AudioFormatException(Info.Path, AudioErrorReason.NonFinite,
                $"contains NaN or infinite samples (first at {WavHeader.Seconds(Position + bad / Info.Channels, Info.SampleRate)}, channel {bad % Info.Channels + 1}); " +
                "the file is damaged or was written by a broken tool");
        checksum?.Append(interleaved);
        if (Info.Channels > 1) Interleaving.Deinterleave(interleaved, destination, offset, read);

        Position += read;
        if (Position > maxFrames)
            throw new AudioFormatException(Info.Path, AudioErrorReason.TooLong,
                $"decodes to more than the {options.MaxDuration.TotalMinutes:0.#} minutes allowed (the header understated the length)");
        if (read == 0 || failed) Finish();
        return read;
    }

    private int Decode(float* interleaved, int frames)
    {
        try
        {
            return (int)file.ReadFrames(interleaved, frames);
        }
        catch (IOException e)
        {
            throw new AudioFormatException(Info.Path, AudioErrorReason.IoError, $"cannot read: {e.Message}", e);
        }
    }

    /// <summary>Reads the next block into the start of <paramref name="block"/>; returns the frames read (0 at the end).</summary>
    public int Read(AudioBuffer block) => Read(block, 0, block.Frames);

    /// <summary>A buffer shaped for this file, for use with <see cref="Read(AudioBuffer)"/>.</summary>
    public AudioBuffer CreateBlock(int frames = DefaultBlockFrames) => new(Info.Channels, frames, Info.SampleRate);

    /// <summary>Reads everything that is left into one buffer.</summary>
    public AudioBuffer ReadToEnd()
    {
        var expected = Info.Frames > 0 ? Info.Frames - Position : 0;
        var capacity = expected > 0 ? expected : 1L << 20;
        // Ogg and MP3 lengths are estimates: leave room so a small overshoot needs no reallocation.
        if (exactFrames < 0) capacity += 8192;
        // A compressed header's length is only a claim: a 1 KB file saying "1.5 hours" must not get
        // 1.5 hours of memory up front. Start from what the bytes could plausibly hold and grow.
        if (Info.Container != AudioContainer.Wav) capacity = Math.Min(capacity, fileBytes * 16 / Info.Channels + 65_536);
        var buffer = new AudioBuffer(Info.Channels, CheckedCapacity(capacity), Info.SampleRate);
        var filled = 0;
        AudioBuffer? probe = null;
        while (true)
        {
            if (filled == buffer.Frames)
            {
                // Full: a small read tells the end (the usual case, no copy) from more audio than expected.
                probe ??= CreateBlock(8192);
                var more = Read(probe, 0, probe.Frames);
                if (more == 0) break;
                // Double, but land exactly on the header's length when it is still ahead.
                var next = Math.Max(buffer.Frames + (long)more, buffer.Frames * 2L);
                if (expected >= buffer.Frames + more) next = Math.Min(next, expected);
                var grown = new AudioBuffer(Info.Channels, CheckedCapacity(next), Info.SampleRate);
                for (var c = 0; c < Info.Channels; c++)
                {
                    buffer.Channel(c).CopyTo(grown.Channel(c));
                    probe.Channel(c)[..more].CopyTo(grown.Channel(c)[filled..]);
                }
                buffer = grown;
                filled += more;
                continue;
            }
            var n = Read(buffer, filled, Math.Min(buffer.Frames - filled, 1 << 20));
            if (n == 0) break;
            filled += n;
        }
        if (filled == 0) throw new AudioFormatException(Info.Path, AudioErrorReason.Empty, "contains no decodable audio");
        return filled == buffer.Frames ? buffer : buffer.Slice(0, filled);
    }

    private int CheckedCapacity(long frames)
    {
        var limit = Math.Min(maxFrames + 1, Array.MaxLength / Info.Channels);
        if (frames > limit && limit <= maxFrames)
            throw new AudioFormatException(Info.Path, AudioErrorReason.TooLong,
                $"{WavHeader.Seconds(frames, Info.SampleRate)} of {Info.Channels}-channel audio is too large to hold in memory; stream it with AudioReader.Read");
        return (int)Math.Min(frames, limit);
    }

    /// <summary>End of stream: the checks that need every frame.</summary>
    private void Finish()
    {
        finished = true;
        if (exactFrames > 0 && Position < exactFrames && !options.AllowTruncated)
            throw new AudioFormatException(Info.Path, AudioErrorReason.Truncated,
                $"truncated: the header promises {WavHeader.Seconds(exactFrames, Info.SampleRate)} of audio but only " +
                $"{WavHeader.Seconds(Position, Info.SampleRate)} could be decoded; the file was cut off or damaged");
        if (checksum is not null && Position == exactFrames && !checksum.Matches(expectedMd5!))
            throw Corrupt("the decoded audio does not match the MD5 checksum in the FLAC header: the file is damaged");
    }

    private AudioFormatException Corrupt(string problem) => new(Info.Path, AudioErrorReason.Corrupt, problem);

    public void Dispose()
    {
        file.Dispose();
        checksum?.Dispose();
    }

    internal static Stream OpenFile(string path)
    {
        if (Directory.Exists(path)) throw new AudioFormatException(path, AudioErrorReason.NotFound, "is a folder, not an audio file");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new AudioFormatException(path, AudioErrorReason.NotFound, "no such file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, AudioErrorReason.IoError, $"cannot open: {e.Message}", e);
        }
    }

    private static string Article(AudioContainer container) => container is AudioContainer.OggOpus or AudioContainer.OggVorbis or AudioContainer.Mp3 ? "n" : "";

    internal static string Extension(AudioContainer container) => container switch
    {
        AudioContainer.Wav => ".wav",
        AudioContainer.Flac => ".flac",
        AudioContainer.OggVorbis => ".ogg",
        AudioContainer.OggOpus => ".opus",
        AudioContainer.Mp3 => ".mp3",
        _ => "",
    };

    /// <summary>libsndfile messages start with "Error : " or end with a newline; keep the substance.</summary>
    private static string Clean(string text)
    {
        var t = text.Trim();
        if (t.StartsWith("Error :", StringComparison.OrdinalIgnoreCase)) t = t[7..].Trim();
        return t.Length == 0 ? "unknown error" : char.ToLowerInvariant(t[0]) + t[1..].TrimEnd('.');
    }
}
