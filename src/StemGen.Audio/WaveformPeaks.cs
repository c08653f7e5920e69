namespace StemGen.Audio;

/// <summary>
/// One zoom level of a waveform overview: for each bucket of <see cref="SamplesPerBucket"/> frames,
/// the minimum and maximum sample over all channels, scaled to -127..127 (value / 127 is the
/// amplitude; min rounds down and max up, so the drawn envelope always covers the audio).
/// </summary>
/// <param name="SamplesPerBucket">Frames per bucket.</param>
/// <param name="Data">Interleaved pairs: min0, max0, min1, max1, ... (sbyte serialises to a JSON number array).</param>
public sealed record WaveformLevel(int SamplesPerBucket, sbyte[] Data)
{
    public int Buckets => Data.Length / 2;
    public sbyte Min(int bucket) => Data[2 * bucket];
    public sbyte Max(int bucket) => Data[2 * bucket + 1];
}

/// <summary>
/// A waveform overview for the browser at several zoom levels, computed in one streaming pass. With
/// the default levels a 5-minute 44.1 kHz stem is about 140 KB in all; a page asks for the level that
/// matches its width.
/// </summary>
public sealed record WaveformPeaks(int SampleRate, int Channels, long Frames, IReadOnlyList<WaveformLevel> Levels)
{
    /// <summary>256, 1024, 4096 and 16384 frames per bucket.</summary>
    public static IReadOnlyList<int> DefaultLevels { get; } = [256, 1024, 4096, 16384];

    /// <summary>The level with the fewest buckets that still has at least <paramref name="buckets"/> (or the finest).</summary>
    public WaveformLevel ForWidth(int buckets) =>
        Levels.Where(l => l.Buckets >= buckets).OrderBy(l => l.Buckets).FirstOrDefault() ?? Levels.OrderByDescending(l => l.Buckets).First();

    public static WaveformPeaks Compute(AudioBuffer audio, IReadOnlyList<int>? samplesPerBucket = null)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var builder = new WaveformPeaksBuilder(audio.SampleRate, audio.Channels, samplesPerBucket);
        builder.Add(audio, audio.Frames);
        return builder.Build();
    }

    /// <summary>Streams a file once; memory is the block plus the peaks themselves.</summary>
    public static WaveformPeaks FromFile(string path, IReadOnlyList<int>? samplesPerBucket = null, AudioReadOptions? options = null)
    {
        using var reader = AudioReader.Open(path, options);
        var builder = new WaveformPeaksBuilder(reader.Info.SampleRate, reader.Info.Channels, samplesPerBucket);
        var block = reader.CreateBlock();
        int n;
        while ((n = reader.Read(block)) > 0) builder.Add(block, n);
        return builder.Build();
    }
}

/// <summary>
/// Accumulates <see cref="WaveformPeaks"/> block by block. The finest level is computed from
/// samples; each coarser level from the finished buckets of the one below (levels must be
/// increasing multiples of each other), so the cost is one min/max per sample whatever the levels.
/// </summary>
public sealed class WaveformPeaksBuilder
{
    private readonly int sampleRate;
    private readonly int channels;
    private readonly int[] sizes;
    private readonly int[] factors; // factors[k]: buckets of level k - 1 per bucket of level k
    private readonly List<sbyte>[] data;
    private readonly float[] min;
    private readonly float[] max;
    private readonly int[] filled; // level 0: frames; level k: finished buckets of level k - 1
    private long frames;
    private bool built;

    public WaveformPeaksBuilder(int sampleRate, int channels, IReadOnlyList<int>? samplesPerBucket = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        sizes = (samplesPerBucket ?? WaveformPeaks.DefaultLevels).ToArray();
        if (sizes.Length == 0) throw new ArgumentException("need at least one level", nameof(samplesPerBucket));
        factors = new int[sizes.Length];
        for (var k = 0; k < sizes.Length; k++)
        {
            if (sizes[k] < 1) throw new ArgumentException("samples per bucket must be positive", nameof(samplesPerBucket));
            if (k > 0 && (sizes[k] <= sizes[k - 1] || sizes[k] % sizes[k - 1] != 0))
                throw new ArgumentException($"levels must increase by whole factors ({sizes[k - 1]} then {sizes[k]})", nameof(samplesPerBucket));
            factors[k] = k == 0 ? sizes[0] : sizes[k] / sizes[k - 1];
        }
        this.sampleRate = sampleRate;
        this.channels = channels;
        data = sizes.Select(_ => new List<sbyte>()).ToArray();
        min = new float[sizes.Length];
        max = new float[sizes.Length];
        filled = new int[sizes.Length];
        for (var k = 0; k < sizes.Length; k++) Reset(k);
    }

    /// <summary>Adds the first <paramref name="count"/> frames of a block.</summary>
    public void Add(AudioBuffer block, int count)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (built) throw new InvalidOperationException("already built");
        if (block.Channels != channels) throw new ArgumentException($"block has {block.Channels} channels, expected {channels}", nameof(block));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, block.Frames);
        var position = 0;
        while (position < count)
        {
            // Take the rest of the current finest bucket (or of the block) in one run per channel.
            var run = Math.Min(sizes[0] - filled[0], count - position);
            var lo = min[0];
            var hi = max[0];
            for (var c = 0; c < channels; c++)
            {
                foreach (var x in block.Channel(c).Slice(position, run))
                {
                    if (x < lo) lo = x;
                    if (x > hi) hi = x;
                }
            }
            min[0] = lo;
            max[0] = hi;
            filled[0] += run;
            position += run;
            if (filled[0] == sizes[0]) Emit(0);
        }
        frames += count;
    }

    public WaveformPeaks Build()
    {
        if (built) throw new InvalidOperationException("already built");
        built = true;
        // Partial buckets at the end: flush from the finest up so each reaches the coarser levels.
        for (var k = 0; k < sizes.Length; k++)
            if (filled[k] > 0) Emit(k);
        var levels = sizes.Select((size, k) => new WaveformLevel(size, data[k].ToArray())).ToArray();
        return new WaveformPeaks(sampleRate, channels, frames, levels);
    }

    /// <summary>Finishes the current bucket of level k and feeds it to level k + 1.</summary>
    private void Emit(int k)
    {
        data[k].Add(Quantize(min[k], floor: true));
        data[k].Add(Quantize(max[k], floor: false));
        if (k + 1 < sizes.Length)
        {
            min[k + 1] = Math.Min(min[k + 1], min[k]);
            max[k + 1] = Math.Max(max[k + 1], max[k]);
            filled[k + 1]++;
            if (filled[k + 1] == factors[k + 1]) Emit(k + 1);
        }
        Reset(k);
    }

    private void Reset(int k)
    {
        min[k] = float.PositiveInfinity;
        max[k] = float.NegativeInfinity;
        filled[k] = 0;
    }

    private static sbyte Quantize(float value, bool floor)
    {
        var scaled = value * 127f;
        var rounded = floor ? MathF.Floor(scaled) : MathF.Ceiling(scaled);
        return (sbyte)Math.Clamp(rounded, -127f, 127f);
    }
}
