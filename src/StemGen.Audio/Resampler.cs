using StemGen.Audio.Native;

namespace StemGen.Audio;

/// <summary>libsoxr quality recipes. High (soxr's HQ: 20-bit precision, linear phase) is the default.</summary>
public enum ResampleQuality
{
    /// <summary>Cubic interpolation: fast, audible aliasing; for previews only.</summary>
    Quick,
    Low,
    Medium,
    /// <summary>20-bit precision, passband to 91 % of Nyquist, linear phase.</summary>
    High,
    /// <summary>28-bit precision; slower, for reference conversions.</summary>
    VeryHigh,
}

/// <summary>
/// Sample-rate conversion with libsoxr, streaming: feed blocks with <see cref="Process"/>, read the
/// produced frames from <see cref="Output"/>, and call <see cref="Flush"/> once at the end for the
/// filter's tail. soxr compensates its own delay, so output frame 0 lines up with input frame 0.
/// Channels go in planar (soxr's split layout): no interleaving copies.
/// </summary>
public sealed unsafe class Resampler : IDisposable
{
    private IntPtr soxr;
    private readonly double ratio;
    private AudioBuffer output;

    public Resampler(int inputRate, int outputRate, int channels, ResampleQuality quality = ResampleQuality.High)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        InputRate = inputRate;
        OutputRate = outputRate;
        Channels = channels;
        ratio = (double)outputRate / inputRate;
        var recipe = quality switch
        {
            ResampleQuality.Quick => LibSoxr.Quick,
            ResampleQuality.Low => LibSoxr.Low,
            ResampleQuality.Medium => LibSoxr.Medium,
            ResampleQuality.High => LibSoxr.High,
            ResampleQuality.VeryHigh => LibSoxr.VeryHigh,
            _ => throw new ArgumentOutOfRangeException(nameof(quality)),
        };
        var io = LibSoxr.soxr_io_spec(LibSoxr.Float32Split, LibSoxr.Float32Split);
        var q = LibSoxr.soxr_quality_spec(recipe, 0);
        var runtime = LibSoxr.soxr_runtime_spec(1);
        IntPtr error;
        soxr = LibSoxr.soxr_create(inputRate, outputRate, (uint)channels, &error, &io, &q, &runtime);
        if (soxr == IntPtr.Zero || error != IntPtr.Zero)
        {
            if (soxr != IntPtr.Zero) LibSoxr.soxr_delete(soxr);
            soxr = IntPtr.Zero;
            throw new InvalidOperationException($"libsoxr refused {inputRate} Hz -> {outputRate} Hz x {channels}: {LibSoxr.Error(error)}");
        }
        output = new AudioBuffer(channels, 4096, outputRate);
    }

    public int InputRate { get; }
    public int OutputRate { get; }
    public int Channels { get; }

    /// <summary>The frames produced by the last <see cref="Process"/> or <see cref="Flush"/> call are its first N frames. Reused between calls.</summary>
    public AudioBuffer Output => output;

    /// <summary>Resamples the first <paramref name="frames"/> frames of <paramref name="input"/>; returns how many frames are in <see cref="Output"/>.</summary>
    public int Process(AudioBuffer input, int frames)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Channels != Channels) throw new ArgumentException($"input has {input.Channels} channels, the resampler {Channels}", nameof(input));
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frames, input.Frames);
        if (input.SampleRate != InputRate) throw new ArgumentException($"input is at {input.SampleRate} Hz, the resampler expects {InputRate} Hz", nameof(input));
        return Run(input, 0, frames);
    }

    /// <summary>Ends the stream: drains the filter's tail into <see cref="Output"/>; returns its frame count.</summary>
    public int Flush() => Run(null, 0, 0);

    private int Run(AudioBuffer? input, int start, int frames)
    {
        ObjectDisposedException.ThrowIf(soxr == IntPtr.Zero, this);
        EnsureCapacity((int)Math.Min(int.MaxValue / Channels - 1, Math.Ceiling(frames * ratio) + 1024));
        var inPointers = stackalloc float*[Channels];
        var outPointers = stackalloc float*[Channels];
        var consumed = 0;
        var produced = 0;
        var flushing = input is null;
        fixed (float* inBase = input is null ? null : input.Samples)
        {
            while (true)
            {
                if (produced == output.Frames) Grow(produced);
                fixed (float* outBase = output.Samples)
                {
                    for (var c = 0; c < Channels; c++)
                    {
                        if (!flushing) inPointers[c] = inBase + (long)c * input!.Frames + start + consumed;
                        outPointers[c] = outBase + (long)c * output.Frames + produced;
                    }
                    nuint inDone = 0, outDone = 0;
                    var error = LibSoxr.soxr_process(soxr, flushing ? null : inPointers, (nuint)(frames - consumed), &inDone,
                        outPointers, (nuint)(output.Frames - produced), &outDone);
                    if (error != IntPtr.Zero) throw new InvalidOperationException($"libsoxr: {LibSoxr.Error(error)}");
                    if (inDone == 0 && outDone == 0 && !flushing && consumed < frames && produced < output.Frames)
                        throw new InvalidOperationException("libsoxr made no progress"); // never loop forever on a library fault
                    consumed += (int)inDone;
                    produced += (int)outDone;
                    // Done when all input is in and soxr stopped short of filling the output (so it has nothing more now).
                    if ((flushing || consumed == frames) && produced < output.Frames) break;
                }
            }
        }
        return produced;
    }

    private void EnsureCapacity(int frames)
    {
        if (output.Frames < frames) output = new AudioBuffer(Channels, frames, OutputRate);
    }

    /// <summary>Enlarges the output buffer keeping its first <paramref name="keep"/> frames.</summary>
    private void Grow(int keep)
    {
        var larger = new AudioBuffer(Channels, Math.Max(4096, output.Frames * 2), OutputRate);
        for (var c = 0; c < Channels; c++) output.Channel(c)[..keep].CopyTo(larger.Channel(c));
        output = larger;
    }

    /// <summary>Ready for a new, unrelated stream with the same settings.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(soxr == IntPtr.Zero, this);
        LibSoxr.soxr_clear(soxr);
    }

    public void Dispose()
    {
        if (soxr != IntPtr.Zero) LibSoxr.soxr_delete(soxr);
        soxr = IntPtr.Zero;
    }

    /// <summary>
    /// Resamples a whole buffer. The result has exactly round(frames x out / in) frames, so lengths
    /// stay predictable (e.g. 5 s at 44.1 kHz is 160 000 frames at 32 kHz).
    /// </summary>
    public static AudioBuffer Resample(AudioBuffer audio, int outputRate, ResampleQuality quality = ResampleQuality.High)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (outputRate == audio.SampleRate) return audio.Clone();
        var expected = (int)Math.Round((double)audio.Frames * outputRate / audio.SampleRate);
        var result = new AudioBuffer(audio.Channels, expected, outputRate);
        using var resampler = new Resampler(audio.SampleRate, outputRate, audio.Channels, quality);
        var filled = 0;
        void Take(int n)
        {
            var take = Math.Min(n, expected - filled);
            for (var c = 0; c < audio.Channels; c++) resampler.Output.Channel(c)[..take].CopyTo(result.Channel(c)[filled..]);
            filled += take;
        }
        const int block = 1 << 16;
        for (var start = 0; start < audio.Frames; start += block)
        {
            // Blocks are windows on the same planar array: soxr gets pointers, nothing is copied.
            Take(resampler.Run(audio, start, Math.Min(block, audio.Frames - start)));
        }
        Take(resampler.Flush());
        return result; // any frames soxr did not produce stay zero (at most one, from rounding)
    }
}
