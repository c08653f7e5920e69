using StemGen.Audio;
using StemGen.Web.Data;
using StemGen.Web.Storage;

namespace StemGen.Web.Projects;

/// <summary>
/// A stored stem read block by block at a chosen rate and channel count, so a mix, a tempo estimate or a
/// click track never holds more than a few blocks of any stem in memory. Channels are mapped before
/// resampling (mono to stereo duplicates, stereo to mono averages); the resampler is libsoxr's (streaming).
/// </summary>
public sealed class StemAudioSource : IDisposable
{
    private const int BlockFrames = 16_384;
    private readonly AudioReader reader;
    private readonly Resampler? resampler;
    private readonly ChannelPolicy policy;
    private readonly AudioBuffer block;
    private readonly AudioBuffer? mapped;
    private AudioBuffer pending;
    private int pendingStart, pendingCount;
    private bool ended;

    private StemAudioSource(AudioReader reader, int sampleRate, int channels)
    {
        this.reader = reader;
        SampleRate = sampleRate;
        Channels = channels;
        policy = channels == reader.Info.Channels ? ChannelPolicy.Keep : channels == 1 ? ChannelPolicy.Mono : ChannelPolicy.Stereo;
        block = reader.CreateBlock(BlockFrames);
        if (policy != ChannelPolicy.Keep) mapped = new AudioBuffer(channels, BlockFrames, reader.Info.SampleRate);
        if (reader.Info.SampleRate != sampleRate) resampler = new Resampler(reader.Info.SampleRate, sampleRate, channels);
        pending = block;
    }

    public int SampleRate { get; }
    public int Channels { get; }

    /// <summary>Opens a stem's blob; <paramref name="channels"/> is 1 or 2.</summary>
    public static StemAudioSource Open(IBlobStore store, Stem stem, int sampleRate, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 2);
        var reader = AudioReader.Open(store.OpenRead(stem.BlobHash), stem.Name + StemFiles.Extension(stem.Format), ownsStream: true);
        try { return new StemAudioSource(reader, sampleRate, channels); }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Fills frames [0, count) of <paramref name="destination"/>; returns how many were filled (fewer only at the end).</summary>
    public int Read(AudioBuffer destination, int count)
    {
        if (destination.Channels != Channels || destination.SampleRate != SampleRate)
            throw new ArgumentException($"destination is {destination.Channels} ch at {destination.SampleRate} Hz, the source {Channels} ch at {SampleRate} Hz", nameof(destination));
        var filled = 0;
        while (filled < count)
        {
            if (pendingCount == 0 && !Refill()) break;
            var take = Math.Min(pendingCount, count - filled);
            for (var c = 0; c < Channels; c++)
                pending.Channel(c).Slice(pendingStart, take).CopyTo(destination.Channel(c).Slice(filled, take));
            pendingStart += take;
            pendingCount -= take;
            filled += take;
        }
        return filled;
    }

    /// <summary>Decodes (and maps, and resamples) the next block into <see cref="pending"/>; false at the end.</summary>
    private bool Refill()
    {
        while (!ended)
        {
            var n = reader.Read(block);
            int produced;
            if (n == 0)
            {
                ended = true;
                if (resampler is null) return false;
                produced = resampler.Flush();
                pending = resampler.Output;
            }
            else
            {
                var source = policy == ChannelPolicy.Keep ? block : ChannelMapper.Apply(block, n, policy, mapped!);
                if (resampler is null)
                {
                    pending = source;
                    produced = n;
                }
                else
                {
                    produced = resampler.Process(source, n);
                    pending = resampler.Output;
                }
            }
            pendingStart = 0;
            pendingCount = produced;
            if (produced > 0) return true;
        }
        return false;
    }

    public void Dispose()
    {
        resampler?.Dispose();
        reader.Dispose();
    }
}
