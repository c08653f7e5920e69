using StemGen.Audio.Native;

namespace StemGen.Audio;

/// <summary>
/// Writes audio block by block into a temp file beside the destination; <see cref="Commit"/>
/// renames it into place. Disposing without a commit (an exception, a cancelled conversion)
/// deletes the temp file and leaves any existing destination untouched.
/// PCM is quantised here, not by libsndfile: round to nearest on a 2^(bits-1) scale, so
/// k / 2^(bits-1) written and read back is bit-exact (libsndfile's own float-to-PCM path
/// scales by 2^(bits-1) - 1 and is not).
/// </summary>
public sealed unsafe class AudioWriter : IDisposable
{
    private readonly AtomicFile target;
    private readonly SndFile file;
    private readonly int bits;
    private int[] intScratch = [];
    private float[] floatScratch = [];
    private long clipped;
    private float peak;

    private AudioWriter(string path, AudioWriteFormat format, int sampleRate, int channels, AtomicFile target, SndFile file)
    {
        Path = path;
        Format = format;
        SampleRate = sampleRate;
        Channels = channels;
        this.target = target;
        this.file = file;
        bits = format.Encoding switch
        {
            SampleEncoding.Pcm16 => 16,
            SampleEncoding.Pcm24 => 24,
            SampleEncoding.Pcm32 => 32,
            _ => 0,
        };
    }

    public string Path { get; }
    public AudioWriteFormat Format { get; }
    public int SampleRate { get; }
    public int Channels { get; }
    public long FramesWritten { get; private set; }

    /// <summary>
    /// Starts a file. The format must suit the extension (.wav, .flac, .ogg/.oga, .opus, .mp3; other
    /// extensions are taken as given). Combinations the encoder refuses (Opus at 44.1 kHz, FLAC with
    /// 9 channels) fail here with the encoder's reason, before any file appears.
    /// </summary>
    public static AudioWriter Create(string path, AudioWriteFormat format, int sampleRate, int channels, AudioWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        options ??= AudioWriteOptions.Default;
        if (AudioFormats.FromExtension(path) is { } promised && !AudioFormats.Compatible(promised, format.Container))
            throw new AudioFormatException(path, AudioErrorReason.WrongExtension,
                $"cannot write {AudioFormats.Name(format.Container)} to a {System.IO.Path.GetExtension(path)} file; name it {AudioReader.Extension(format.Container)}");
        if (format.Encoding == SampleEncoding.Float64 || AudioFormats.BitsPerSample(format.Encoding) == 8)
            throw new AudioFormatException(path, AudioErrorReason.Unsupported, $"writing {format} is not supported");

        var target = AtomicFile.Create(path);
        try
        {
            var info = new SfInfo { SampleRate = sampleRate, Channels = channels, Format = AudioFormats.SndFileFormat(format) };
            if (LibSndFile.sf_format_check(&info) == 0)
                throw new AudioFormatException(path, AudioErrorReason.Unsupported, $"libsndfile cannot write {format} with {ChannelText(channels)} at {sampleRate} Hz");
            var file = SndFile.Open(target.Stream, ownsStream: false, LibSndFile.ModeWrite, info, out _, out var text)
                ?? throw new AudioFormatException(path, AudioErrorReason.Unsupported,
                    $"cannot write {format} with {ChannelText(channels)} at {sampleRate} Hz: {text.Replace("Error : ", "").Trim()}");
            var writer = new AudioWriter(path, format, sampleRate, channels, target, file);
            writer.Configure(options);
            return writer;
        }
        catch (IOException e)
        {
            target.Dispose();
            throw new AudioFormatException(path, AudioErrorReason.IoError, $"cannot write: {e.Message}", e);
        }
        catch
        {
            target.Dispose();
            throw;
        }
    }

    private static string ChannelText(int count) => count == 1 ? "1 channel" : $"{count} channels";

    private void Configure(AudioWriteOptions options)
    {
        if (options.CompressionLevel is { } level && Format.Container == AudioContainer.Flac)
        {
            var value = Math.Clamp(level, 0, 1);
            file.Command(LibSndFile.CmdSetCompressionLevel, &value, sizeof(double));
        }
        if (options.Quality is { } quality && Format.Container is not (AudioContainer.Wav or AudioContainer.Flac))
        {
            var value = Math.Clamp(quality, 0, 1);
            file.Command(LibSndFile.CmdSetVbrEncodingQuality, &value, sizeof(double));
        }
    }

    /// <summary>Appends frames [offset, offset + count) of <paramref name="block"/>. NaN or infinity is refused.</summary>
    public void Write(AudioBuffer block, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Channels != Channels) throw new ArgumentException($"block has {block.Channels} channels, the file {Channels}", nameof(block));
        if (block.SampleRate != SampleRate) throw new ArgumentException($"block is at {block.SampleRate} Hz, the file at {SampleRate} Hz", nameof(block));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + count, block.Frames, nameof(count));
        if (count == 0) return;

        var samples = count * Channels;
        if (floatScratch.Length < samples) floatScratch = new float[samples];
        var interleaved = floatScratch.AsSpan(0, samples);
        Interleaving.Interleave(block, offset, count, interleaved);
        var bad = Levels.FirstNonFinite(interleaved);
        if (bad >= 0)
            throw new AudioFormatException(Path, AudioErrorReason.NonFinite,
                $"refusing to write NaN or infinite samples (first at frame {FramesWritten + bad / Channels}, channel {bad % Channels + 1})");

        long written;
        try
        {
            if (bits > 0)
            {
                if (intScratch.Length < samples) intScratch = new int[samples];
                clipped += Quantize(interleaved, intScratch.AsSpan(0, samples), bits, ref peak);
                fixed (int* p = intScratch) written = file.WriteFrames(p, count);
            }
            else
            {
                var blockPeak = Levels.Peak(interleaved);
                peak = Math.Max(peak, blockPeak);
                if (Format.Encoding != SampleEncoding.Float32 && blockPeak > 1f) clipped += CountAbove(interleaved, 1f);
                fixed (float* p = floatScratch) written = file.WriteFrames(p, count);
            }
        }
        catch (IOException e)
        {
            throw new AudioFormatException(Path, AudioErrorReason.IoError, $"cannot write: {e.Message}", e);
        }
        if (written != count)
            throw new AudioFormatException(Path, AudioErrorReason.IoError, $"the encoder wrote {written} of {count} frames: {file.ErrorText}");
        FramesWritten += count;
    }

    public void Write(AudioBuffer block) => Write(block, 0, block.Frames);

    /// <summary>Finishes the file (header, seek tables) and renames it over the destination.</summary>
    public AudioWriteResult Commit()
    {
        if (target.Committed) throw new InvalidOperationException("already committed");
        int result;
        try
        {
            result = file.Close();
        }
        catch (IOException e)
        {
            throw new AudioFormatException(Path, AudioErrorReason.IoError, $"cannot write: {e.Message}", e);
        }
        if (result != 0) throw new AudioFormatException(Path, AudioErrorReason.IoError, $"the encoder failed to finish the file (libsndfile error {result})");
        target.Commit();
        return new AudioWriteResult(Path, FramesWritten, clipped, peak);
    }

    public void Dispose()
    {
        file.Dispose();
        target.Dispose();
    }

    /// <summary>x -> round(x * 2^(bits-1)), clamped, left-aligned in 32 bits as sf_writef_int expects. Returns the clip count.</summary>
    internal static long Quantize(ReadOnlySpan<float> source, Span<int> destination, int bits, ref float peak)
    {
        var scale = Math.Pow(2, bits - 1);
        var max = scale - 1;
        var shift = 32 - bits;
        long clips = 0;
        var localPeak = peak;
        for (var i = 0; i < source.Length; i++)
        {
            var x = source[i];
            var magnitude = Math.Abs(x);
            if (magnitude > localPeak) localPeak = magnitude;
            if (magnitude > 1f) clips++;
            var q = Math.Round(x * scale, MidpointRounding.ToEven);
            q = Math.Clamp(q, -scale, max);
            destination[i] = (int)q << shift;
        }
        peak = localPeak;
        return clips;
    }

    private static long CountAbove(ReadOnlySpan<float> samples, float limit)
    {
        long n = 0;
        foreach (var x in samples)
            if (Math.Abs(x) > limit) n++;
        return n;
    }
}
