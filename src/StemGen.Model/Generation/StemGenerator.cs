using System.Diagnostics;
using System.Globalization;
using StemGen.Audio;
using StemGen.Model.Codec;
using StemGen.Model.Sampling;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;
using TorchDevice = StemGen.Torch.Device;

namespace StemGen.Model.Generation;

/// <summary>
/// The generation service: context stems -> mono mix at the codec rate -> context tokens ->
/// iterative decoding of the target stem's tokens (windowed when longer than the model's window;
/// variations batched; an existing stem's tokens kept outside the region when inpainting) ->
/// audio -> the context's sample rate and length. Every check of a request runs before any codec
/// or transformer work. One generation runs at a time per instance.
/// </summary>
public sealed class StemGenerator : IStemGenerator, IDisposable
{
    public const int MaxVariations = 16;

    /// <summary>Cross-fade at the edges of a region, centred on each edge.</summary>
    private const double RegionFadeSeconds = 0.02;

    private readonly EncodecModel codec;
    private readonly StemGenModel model;
    private readonly StemGenLogitsSource logits;
    private readonly bool ownsModels;
    private readonly Lock gate = new();

    /// <summary>
    /// A generator over models already loaded (they stay where they are; both are put in
    /// evaluation mode). The codec must be mono and make the model's tokens (levels and codebook
    /// size); checking that the model was trained on this very codec is <see cref="Load"/>'s job.
    /// </summary>
    public StemGenerator(EncodecModel codec, StemGenModel model, double maxContextSeconds = 600, GenerationWindow? window = null, bool ownsModels = false)
    {
        this.codec = codec ?? throw new ArgumentNullException(nameof(codec));
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        if (codec.Config.Channels != 1)
            throw new ArgumentException($"generation needs a mono codec, this one has {codec.Config.Channels} channels", nameof(codec));
        if (codec.Config.Levels != model.Config.Levels || codec.Config.CodebookSize != model.Config.CodebookSize)
            throw new InvalidDataException($"the model reads {model.Config.Levels} levels x {model.Config.CodebookSize} codes, " +
                                           $"but the codec makes {codec.Config.Levels} x {codec.Config.CodebookSize}: they do not belong together");
        if (!double.IsFinite(maxContextSeconds) || maxContextSeconds <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxContextSeconds), maxContextSeconds, "the context limit must be a positive number of seconds");
        Window = (window ?? DefaultWindow(codec.Config, model.Config)).Validate(model.Config.MaxSequence);
        MaxContextSeconds = maxContextSeconds;
        this.ownsModels = ownsModels;
        codec.Eval();
        model.Eval();
        logits = new StemGenLogitsSource(model);
        var device = logits.Device;
        Device = device.Type == DeviceType.CUDA ? $"CUDA ({device})" : $"CPU ({TorchThreads.Policy})";
    }

    /// <summary>
    /// Loads the codec and the model checkpoint onto <paramref name="device"/> (null: CUDA when
    /// available, else the CPU) and refuses a model trained on another codec's tokens.
    /// </summary>
    public static StemGenerator Load(string codecWeightsPath, string modelCheckpointPath, Device? device = null, double maxContextSeconds = 600, GenerationWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(codecWeightsPath);
        ArgumentNullException.ThrowIfNull(modelCheckpointPath);
        if (!File.Exists(codecWeightsPath)) throw new FileNotFoundException($"codec weights not found: {codecWeightsPath}", codecWeightsPath);
        if (!File.Exists(modelCheckpointPath)) throw new FileNotFoundException($"model checkpoint not found: {modelCheckpointPath}", modelCheckpointPath);
        var target = device ?? TorchDevice.Best;
        var codec = EncodecModel.Load(codecWeightsPath, device: target);
        try
        {
            var loaded = LoadCheckpoint(modelCheckpointPath, target);
            try
            {
                var identity = codec.ComputeIdentity();
                if (loaded.CodecIdentity != identity)
                    throw new InvalidDataException($"{modelCheckpointPath} was trained on the tokens of codec {loaded.CodecIdentity}, " +
                                                   $"but {codecWeightsPath} is codec {identity}: use the codec the model was trained with");
                return new StemGenerator(codec, loaded.Model, maxContextSeconds, window, ownsModels: true);
            }
            catch
            {
                loaded.Model.Dispose();
                throw;
            }
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    private static LoadedModel LoadCheckpoint(string path, Device device)
    {
        try
        {
            return ModelCheckpoint.Load(path, device);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{path} is not a StemGen model checkpoint ({e.Message})", e);
        }
    }

    /// <summary>
    /// The model's training crop (or the paper's 20 s when the checkpoint does not say) in the
    /// codec's frames, within the model's maximum sequence; a quarter of it overlaps.
    /// </summary>
    public static GenerationWindow DefaultWindow(CodecConfig codec, StemGenConfig model)
    {
        var trained = model.TrainingFrames > 0 ? model.TrainingFrames : (int)Math.Round(20 * codec.FrameRate);
        var frames = Math.Min(model.MaxSequence, trained);
        return new GenerationWindow(frames, Math.Max(1, frames / 4));
    }

    /// <summary>Where it runs, the same for every request: "CUDA (cuda:0)", or on the CPU the thread policy ("CPU (idle cores of 2)").</summary>
    public string Device { get; }

    public double MaxContextSeconds { get; }

    /// <summary>Windows of long generations.</summary>
    public GenerationWindow Window { get; }

    public EncodecModel Codec => codec;

    public StemGenModel Model => model;

    /// <summary>Codec calls and transformer forward passes made so far (a refused request makes none).</summary>
    public int ModelCalls { get; private set; }

    public GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var job = Prepare(request);                     // every refusal happens here, before any model work
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            // On the CPU, the thread policy's count now (by default the idle cores), on this thread.
            using var threads = logits.Device.Type == DeviceType.CPU ? TorchThreads.Use() : null;
            var device = threads is null ? Device : $"CPU ({TorchThreads.Describe(threads.Threads)})";
            using var noGrad = TorchRuntime.NoGrad();
            using var scope = TorchRuntime.NewDisposeScope();
            var total = job.Windows * job.Sampling.TotalSteps;
            progress?.Report(new GenerationProgress("encoding", 0, job.Windows, 0, 0, 0, 0, total, clock.Elapsed, null));
            var context = Encode(job.ContextSpan);                                  // (1, Q, L)
            var existing = job.ExistingSpan is null ? null : Encode(job.ExistingSpan); // (1, Q, L)

            var decodingStart = clock.Elapsed;
            var decodingProgress = progress is null ? null : new InlineProgress<GenerationProgress>(p => progress.Report(p with { Elapsed = decodingStart + p.Elapsed }));
            Tensor tokens;                                                          // (V, Q, L)
            try
            {
                tokens = job.Decoder.Decode(context, (long)request.Category, request.Variations, 0, job.To - job.From,
                    existing, job.KeptFrames, decodingProgress, cancellationToken);
            }
            finally
            {
                ModelCalls += job.Decoder.ForwardPasses;
            }

            progress?.Report(new GenerationProgress("rendering", job.Windows, job.Windows, 0, 0, 0, total, total, clock.Elapsed, null));
            var stems = Render(tokens, job);
            progress?.Report(new GenerationProgress("done", job.Windows, job.Windows, 0, 0, 0, total, total, clock.Elapsed, TimeSpan.Zero));
            return new GenerationResult(stems, device, clock.Elapsed);
        }
    }

    // ---- the request, checked and turned into audio at the codec rate ----

    /// <summary>
    /// A checked request: the context mix (and the existing stem) over the span of token frames
    /// [From, To) at the codec rate, the frames of the span kept (inpainting), the output's shape.
    /// </summary>
    private sealed record Job(
        AudioBuffer ContextSpan, int OutputRate, int OutputFrames, SamplingOptions Sampling,
        int From, int To, bool[]? KeptFrames, AudioBuffer? ExistingSpan, AudioBuffer? ExistingAtOutputRate,
        (int Start, int End)? RegionSamples, WindowedDecoder Decoder, int Windows);

    private Job Prepare(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var stems = request.Context;
        if (stems is null || stems.Count == 0) throw Refuse("no context: give at least one context stem");
        for (var i = 0; i < stems.Count; i++)
        {
            if (stems[i] is null) throw Refuse($"context stem {i + 1} is missing");
            if (stems[i].Frames == 0) throw Refuse($"context stem {i + 1} is empty");
            if (!AllFinite(stems[i])) throw Refuse($"context stem {i + 1} has NaN or infinite samples");
        }
        if (!Enum.IsDefined(request.Category) || (int)request.Category >= model.Config.Categories)
            throw Refuse($"unsupported instrument category {(int)request.Category}: this model knows categories 0 to {model.Config.Categories - 1}");
        if (request.Sampling is null) throw Refuse("sampling options are missing");
        try
        {
            request.Sampling.Validate(model.Config.Levels);
        }
        catch (ArgumentException e)
        {
            throw Refuse(e.Message);
        }
        if (request.Variations is < 1 or > MaxVariations)
            throw Refuse($"variations must be 1 to {MaxVariations}, got {request.Variations}");

        // The output has the first context stem's rate; the others are resampled to it.
        var rate = stems[0].SampleRate;
        var seconds = stems.Max(s => (double)s.Frames / s.SampleRate);
        if (seconds > MaxContextSeconds)
            throw Refuse($"the context is {Seconds(seconds)} s long; this generator accepts at most {Seconds(MaxContextSeconds)} s");
        var outputFrames = stems.Max(s => FramesAt(s, rate));

        (int Start, int End)? regionSamples = null;
        if (request.Region is { } region)
        {
            if (!double.IsFinite(region.Start) || !double.IsFinite(region.End))
                throw Refuse($"region {region.Start}:{region.End} must be finite numbers of seconds");
            if (region.Start < 0) throw Refuse($"region starts at {Seconds(region.Start)} s, before the context");
            if (region.End <= region.Start) throw Refuse($"region {Seconds(region.Start)}:{Seconds(region.End)} is empty: its end must come after its start");
            var duration = (double)outputFrames / rate;
            if (region.End > duration + 0.5 / rate)
                throw Refuse($"region ends at {Seconds(region.End)} s, after the end of the {Seconds(duration)} s context");
            var (start, end) = ((int)Math.Round(region.Start * rate), Math.Min(outputFrames, (int)Math.Round(region.End * rate)));
            if (end <= start) throw Refuse($"region {Seconds(region.Start)}:{Seconds(region.End)} is shorter than one sample");
            regionSamples = (start, end);
        }
        if (request.ExistingStem is { } given)
        {
            if (request.Region is null) throw Refuse("an existing stem is kept outside a region: give the region to regenerate");
            if (given.Frames == 0) throw Refuse("the existing stem is empty");
            if (!AllFinite(given)) throw Refuse("the existing stem has NaN or infinite samples");
            var frames = FramesAt(given, rate);
            if (Math.Abs(frames - outputFrames) > (given.SampleRate == rate ? 0 : 1))
                throw Refuse($"the existing stem is {Seconds(given.Duration.TotalSeconds)} s long but the context is {Seconds((double)outputFrames / rate)} s: they must be equally long");
        }

        // Audio only from here: the mono context mix, at the codec's rate.
        var mix = FitLength(Mixer.Mix(stems.Select(s => MonoAt(s, rate)).ToArray()).Audio, outputFrames);
        if (mix.IsSilent())
            throw Refuse($"the context is silent (no 20 ms frame above {StemGen.Audio.Activity.DefaultThresholdDb} dB RMS): there is nothing to accompany");
        var codecRate = codec.Config.SampleRate;
        var contextMix = MonoAt(mix, codecRate);
        var frameCount = (int)codec.Config.FramesFor(contextMix.Frames);

        // The span of token frames to work on: all of them; a region alone; or, inpainting, the region
        // widened to one window (the model hears the kept stem around it), with the frames fully
        // outside the region kept (at least one overlap of them each side). Only the span's audio is
        // encoded and decoded.
        var (from, to) = (0, frameCount);
        bool[]? keptFrames = null;
        AudioBuffer? existingAtOutput = null, existingSpan = null;
        if (request.Region is { } r)
        {
            var frameRate = codec.Config.FrameRate;
            var first = Math.Clamp((int)Math.Floor(r.Start * frameRate + 1e-9), 0, frameCount - 1);
            var last = Math.Clamp((int)Math.Ceiling(r.End * frameRate - 1e-9), first + 1, frameCount);
            (from, to) = (first, last);
            if (request.ExistingStem is { } existing)
            {
                var margin = Math.Max(Window.OverlapFrames, (Window.Frames - (last - first)) / 2);
                from = Math.Max(0, Math.Min(first - margin, frameCount - Window.Frames));
                to = Math.Min(frameCount, Math.Max(last + margin, from + Window.Frames));
                keptFrames = Enumerable.Range(from, to - from).Select(f => f < first || f >= last).ToArray();
                existingAtOutput = FitLength(MonoAt(existing, rate), outputFrames);
                existingSpan = SpanOf(FitLength(MonoAt(existingAtOutput, codecRate), contextMix.Frames), from, to);
            }
        }

        var decoder = new WindowedDecoder(logits, request.Sampling, Window);
        var windows = decoder.WindowsToDecode(to - from, keptFrames ?? new bool[to - from]).Count;
        return new Job(SpanOf(contextMix, from, to), rate, outputFrames, request.Sampling, from, to, keptFrames, existingSpan, existingAtOutput,
            regionSamples, decoder, windows);
    }

    /// <summary>The samples of token frames [from, to) at the codec rate (the last frame may be partial).</summary>
    private AudioBuffer SpanOf(AudioBuffer audio, int from, int to)
    {
        var hop = codec.Config.HopLength;
        var start = from * hop;
        return audio.Slice(start, Math.Min(audio.Frames, to * hop) - start);
    }

    // ---- model work ----

    private Tensor Encode(AudioBuffer mono)
    {
        ModelCalls++;
        using var audio = Tensor.FromSpan<float>(mono.Channel(0), [1, 1, mono.Frames]);
        return codec.EncodeLong(audio);                                             // (1, Q, T)
    }

    /// <summary>Tokens (V, Q, L) of the span -> one stem per variation at the context's rate and length.</summary>
    private List<GeneratedStem> Render(Tensor tokens, Job job)
    {
        var hop = codec.Config.HopLength;
        var (variations, levels, length) = ((int)tokens.Size(0), (int)tokens.Size(1), (int)tokens.Size(2));
        var spanSamples = job.ContextSpan.Frames;
        ModelCalls++;
        var audio = codec.DecodeLong(tokens, spanSamples).Contiguous().ToArray<float>(); // (V, 1, S)
        var tokenValues = tokens.Contiguous().ToArray<long>();
        var offset = (int)Math.Round((double)job.From * hop * job.OutputRate / codec.Config.SampleRate);

        var stems = new List<GeneratedStem>(variations);
        for (var v = 0; v < variations; v++)
        {
            var piece = new AudioBuffer(audio.AsSpan(v * spanSamples, spanSamples).ToArray(), 1, codec.Config.SampleRate);
            var generated = new AudioBuffer(1, job.OutputFrames, job.OutputRate);
            var resampled = MonoAt(piece, job.OutputRate).Channel(0);
            var count = Math.Min(resampled.Length, job.OutputFrames - offset);
            resampled[..count].CopyTo(generated.Channel(0)[offset..]);
            if (job.RegionSamples is { } region)
                generated = Splice(job.ExistingAtOutputRate ?? new AudioBuffer(1, job.OutputFrames, job.OutputRate), generated, region.Start, region.End);

            var stemTokens = new long[levels, length];
            for (var q = 0; q < levels; q++)
                for (var t = 0; t < length; t++) stemTokens[q, t] = tokenValues[(v * levels + q) * length + t];
            stems.Add(new GeneratedStem(generated, stemTokens) { StartFrame = job.From });
        }
        return stems;
    }

    // ---- audio helpers ----

    /// <summary>
    /// <paramref name="background"/> with [start, end) taken from <paramref name="generated"/>, cross-faded
    /// over <see cref="RegionFadeSeconds"/> centred on each edge (no fade at the buffer's own ends).
    /// </summary>
    private static AudioBuffer Splice(AudioBuffer background, AudioBuffer generated, int start, int end)
    {
        var result = new AudioBuffer(1, background.Frames, background.SampleRate);
        var fade = Math.Max(1.0, RegionFadeSeconds * background.SampleRate);
        var bg = background.Channel(0);
        var gen = generated.Channel(0);
        var output = result.Channel(0);
        for (var n = 0; n < output.Length; n++)
        {
            var weight = 1.0;                                                        // of the generated audio
            if (start > 0) weight = Math.Min(weight, Math.Clamp((n - start + fade / 2) / fade, 0, 1));
            if (end < output.Length) weight = Math.Min(weight, Math.Clamp((end + fade / 2 - n) / fade, 0, 1));
            output[n] = (float)(bg[n] + weight * (gen[n] - bg[n]));
        }
        return result;
    }

    private static AudioBuffer MonoAt(AudioBuffer audio, int rate)
    {
        var mono = ChannelMapper.Apply(audio, ChannelPolicy.Mono);
        return mono.SampleRate == rate ? mono : Resampler.Resample(mono, rate);
    }

    /// <summary>Frames after resampling to <paramref name="rate"/> (as <see cref="Resampler.Resample"/> makes them).</summary>
    private static int FramesAt(AudioBuffer audio, int rate) =>
        audio.SampleRate == rate ? audio.Frames : (int)Math.Round((double)audio.Frames * rate / audio.SampleRate);

    /// <summary>The audio cut or padded with silence to exactly <paramref name="frames"/> frames.</summary>
    public static AudioBuffer FitLength(AudioBuffer audio, int frames)
    {
        if (audio.Frames == frames) return audio;
        var result = new AudioBuffer(audio.Channels, frames, audio.SampleRate);
        var count = Math.Min(frames, audio.Frames);
        for (var c = 0; c < audio.Channels; c++) audio.Channel(c)[..count].CopyTo(result.Channel(c));
        return result;
    }

    private static bool AllFinite(AudioBuffer audio)
    {
        foreach (var x in audio.Samples)
            if (!float.IsFinite(x)) return false;
        return true;
    }

    private static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static GenerationRequestException Refuse(string message) => new(message);

    public void Dispose()
    {
        if (!ownsModels) return;
        model.Dispose();
        codec.Dispose();
    }
}
