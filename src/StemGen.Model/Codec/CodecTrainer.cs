using System.Diagnostics;
using StemGen.Model.Training;
using StemGen.Torch;
using StemGen.Torch.Optim;

namespace StemGen.Model.Codec;

/// <summary>
/// Hyper-parameters of codec training without a discriminator: reconstruction in time (L1) and in
/// multi-scale log-mel spectrograms, commitment loss, EMA codebooks. Optimiser: AdamW with
/// audiocraft's codec betas (0.5, 0.9), linear warm-up then constant rate, global-norm clipping.
/// </summary>
public sealed record CodecTrainingOptions
{
    public int BatchSize { get; init; } = 16;
    /// <summary>Samples per training example (clips are cropped at random or zero-padded to this).</summary>
    public int SegmentSamples { get; init; } = 32000;
    public double LearningRate { get; init; } = 3e-4;
    public long WarmupSteps { get; init; }
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.9;
    public double WeightDecay { get; init; }
    /// <summary>Global gradient-norm limit; 0 = no clipping.</summary>
    public double MaxGradNorm { get; init; } = 10.0;
    public double TimeWeight { get; init; } = 0.1;
    /// <summary>
    /// Steps trained as a plain autoencoder (quantizer bypassed) before the codebooks are
    /// k-means-initialised on the then-informative latents. Without it, small CPU runs collapse:
    /// the EMA codebooks lag the moving encoder, the decoder gets nothing it can use, and the
    /// commitment loss shrinks the latents to a constant.
    /// </summary>
    public long QuantizerWarmupSteps { get; init; }
    public double MelWeight { get; init; } = 1.0;
    public double CommitmentWeight { get; init; } = 1.0;
    public IReadOnlyList<int> MelFfts { get; init; } = [512, 1024, 2048];
    public int MelBands { get; init; } = 64;
    /// <summary>
    /// EMA codebook settings. The dead-code threshold counts latent vectors per code per step: a step
    /// holds BatchSize * SegmentSamples / hop vectors per level for CodebookSize codes (800 for 2048
    /// with the defaults, 0.39 per code), so the default 0.25 re-draws codes used less than about
    /// two thirds as often as a uniform share. audiocraft's 2.0 suits its batches of thousands of vectors.
    /// </summary>
    public CodebookTraining Codebooks { get; init; } = new(DeadCodeThreshold: 0.25);
    /// <summary>Seeds crops and codebook sampling; step s uses a stream derived from (Seed, s), so a resumed run draws what the uninterrupted one would have.</summary>
    public ulong Seed { get; init; }

    public CodecTrainingOptions Validate()
    {
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be positive");
        if (SegmentSamples <= 0) throw new ArgumentOutOfRangeException(nameof(SegmentSamples), SegmentSamples, "segment must be positive");
        if (QuantizerWarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(QuantizerWarmupSteps), QuantizerWarmupSteps, "warm-up steps cannot be negative");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be positive");
        if (MelFfts.Count == 0 && MelWeight > 0) throw new ArgumentException("mel loss needs at least one FFT size");
        return this;
    }
}

/// <summary>Losses of one step (the weighted total and its parts, unweighted).</summary>
public sealed record CodecLosses(double Total, double TimeL1, double Mel, double Commitment, double GradNorm, int ReplacedCodes);

/// <summary>What <see cref="CodecTrainer"/> reports after each step.</summary>
public sealed record CodecTrainingProgress(long Step, long TotalSteps, CodecLosses Losses, double StepsPerSecond, double LearningRate);

/// <summary>Reconstruction figures of the codec as it runs at inference (real quantization, no gradients).</summary>
public sealed record CodecEvaluation(double TimeL1, double Mel, double SiSdr, double MelDistance);

/// <summary>
/// Trains an EnCodec-family codec on mono clips from the caller (float[] at the codec's sample
/// rate): each step crops BatchSize clips to SegmentSamples, runs encoder -> EMA quantizer
/// (straight-through) -> decoder, and minimises TimeWeight * L1 + MelWeight * multi-scale mel +
/// CommitmentWeight * commitment. Checkpoints (<see cref="TrainingCheckpoint"/>) hold the model
/// with its codebook statistics, the optimiser, the step and the options; <see cref="Resume"/>
/// continues exactly where the run stopped.
/// </summary>
public sealed class CodecTrainer : IDisposable
{
    public const string CheckpointKind = "stemgen.codec";

    private readonly AdamW optimizer;
    private readonly MultiScaleMelLoss melLoss;
    private readonly Generator generator;
    private readonly bool ownsModel;

    public CodecTrainer(EncodecModel model, CodecTrainingOptions? options = null) : this(model, options, ownsModel: false) { }

    /// <summary>A trainer that disposes <paramref name="model"/> with itself when <paramref name="ownsModel"/>.</summary>
    public CodecTrainer(EncodecModel model, CodecTrainingOptions? options, bool ownsModel)
    {
        Model = model;
        Options = (options ?? new CodecTrainingOptions()).Validate();
        this.ownsModel = ownsModel;
        optimizer = AdamW.ForModule(model, Options.LearningRate, Options.WeightDecay, Options.Beta1, Options.Beta2);
        melLoss = new MultiScaleMelLoss(model.Config.SampleRate, Options.MelFfts, Options.MelBands);
        generator = new Generator(Options.Seed);
    }

    public EncodecModel Model { get; }
    public CodecTrainingOptions Options { get; }
    /// <summary>Optimiser steps taken (across resumes).</summary>
    public long Step { get; private set; }
    /// <summary>Clips drawn from data sources (across resumes): skip this many to continue a deterministic source.</summary>
    public long ClipsConsumed { get; private set; }

    public double LearningRateAt(long step) =>
        step < Options.WarmupSteps ? Options.LearningRate * (step + 1) / Options.WarmupSteps : Options.LearningRate;

    /// <summary>One optimiser step on a batch (B, C, L) of audio.</summary>
    public CodecLosses TrainStep(Tensor batch)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Model.Train();
        generator.SetSeed(StepSeed(Step));
        optimizer.LearningRate = LearningRateAt(Step);
        var audio = batch.To(Model.Device, ScalarType.Float32);
        var quantize = Step >= Options.QuantizerWarmupSteps;
        var forward = quantize ? Model.ForwardTraining(audio, Options.Codebooks, generator) : null;
        var reconstruction = forward?.Reconstruction ?? Model.ForwardUnquantized(audio);
        var commitment = forward?.CommitmentLoss ?? Tensor.Scalar(0f, Model.Device);
        var time = Functional.L1Loss(reconstruction, audio);
        var mel = melLoss.Forward(reconstruction, audio);
        var total = time * Options.TimeWeight + mel * Options.MelWeight + commitment * Options.CommitmentWeight;
        optimizer.ZeroGrad();
        total.Backward();
        var norm = Options.MaxGradNorm > 0 ? GradientClipping.ClipByGlobalNorm(Model.Parameters(), Options.MaxGradNorm) : double.NaN;
        optimizer.Step();
        Step++;
        return new CodecLosses(total.ToDouble(), time.ToDouble(), mel.ToDouble(), commitment.ToDouble(), norm, forward?.ReplacedCodes ?? 0);
    }

    /// <summary>
    /// Trains until <see cref="Step"/> reaches <paramref name="totalSteps"/> or the clips run out,
    /// reporting every step and, when a path is given, checkpointing every
    /// <paramref name="checkpointEvery"/> steps and at the end.
    /// </summary>
    public void Train(IEnumerable<float[]> clips, long totalSteps, IProgress<CodecTrainingProgress>? progress = null,
        string? checkpointPath = null, int checkpointEvery = 0, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var startStep = Step;
        var pending = new List<float[]>(Options.BatchSize);
        using var source = clips.GetEnumerator();
        while (Step < totalSteps && !cancellation.IsCancellationRequested)
        {
            pending.Clear();
            while (pending.Count < Options.BatchSize && source.MoveNext()) pending.Add(source.Current);
            if (pending.Count < Options.BatchSize) break;
            RunBatch(pending, totalSteps, progress, checkpointPath, checkpointEvery, clock, startStep);
        }
        if (checkpointPath is not null && Step > startStep) SaveCheckpoint(checkpointPath);
    }

    /// <summary><see cref="Train"/> over an asynchronous source of clips.</summary>
    public async Task TrainAsync(IAsyncEnumerable<float[]> clips, long totalSteps, IProgress<CodecTrainingProgress>? progress = null,
        string? checkpointPath = null, int checkpointEvery = 0, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var startStep = Step;
        var pending = new List<float[]>(Options.BatchSize);
        await using var source = clips.GetAsyncEnumerator(cancellation);
        while (Step < totalSteps && !cancellation.IsCancellationRequested)
        {
            pending.Clear();
            while (pending.Count < Options.BatchSize && await source.MoveNextAsync()) pending.Add(source.Current);
            if (pending.Count < Options.BatchSize) break;
            // Tensor work stays on one thread per step: dispose scopes are thread-local.
            RunBatch(pending, totalSteps, progress, checkpointPath, checkpointEvery, clock, startStep);
        }
        if (checkpointPath is not null && Step > startStep) SaveCheckpoint(checkpointPath);
    }

    private void RunBatch(List<float[]> clips, long totalSteps, IProgress<CodecTrainingProgress>? progress, string? checkpointPath,
        int checkpointEvery, Stopwatch clock, long startStep)
    {
        CodecLosses losses;
        using (var batch = MakeBatch(clips, Step))
            losses = TrainStep(batch);
        ClipsConsumed += clips.Count;
        var rate = (Step - startStep) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        progress?.Report(new CodecTrainingProgress(Step, totalSteps, losses, rate, LearningRateAt(Step - 1)));
        if (checkpointPath is not null && checkpointEvery > 0 && Step % checkpointEvery == 0) SaveCheckpoint(checkpointPath);
    }

    /// <summary>
    /// (B, 1, SegmentSamples) from B mono clips: a random crop of longer clips, zero-padding after
    /// shorter ones. The crop positions depend only on (Seed, step).
    /// </summary>
    public Tensor MakeBatch(IReadOnlyList<float[]> clips, long step)
    {
        if (Model.Config.Channels != 1) throw new InvalidOperationException("clip batches are mono; pass (B, C, L) tensors to TrainStep for multichannel codecs");
        var segment = Options.SegmentSamples;
        var random = new Random(unchecked((int)(StepSeed(step) ^ (StepSeed(step) >> 32))));
        var data = new float[clips.Count * segment];
        for (var i = 0; i < clips.Count; i++)
        {
            var clip = clips[i];
            var offset = clip.Length > segment ? random.Next(clip.Length - segment + 1) : 0;
            clip.AsSpan(offset, Math.Min(segment, clip.Length)).CopyTo(data.AsSpan(i * segment, segment));
        }
        return Tensor.FromArray(data, clips.Count, 1, segment);
    }

    /// <summary>Reconstruction of a batch (B, C, L) through real encode/decode, with SI-SDR and mel distance (batch means).</summary>
    public CodecEvaluation Evaluate(Tensor batch)
    {
        using var noGrad = TorchRuntime.NoGrad();
        using var scope = TorchRuntime.NewDisposeScope();
        var wasTraining = Model.Training;
        Model.Eval();
        try
        {
            var audio = batch.To(Model.Device, ScalarType.Float32);
            var decoded = Model.Decode(Model.Encode(audio), audio.Size(2));
            var time = Functional.L1Loss(decoded, audio).ToDouble();
            var mel = melLoss.Forward(decoded, audio).ToDouble();
            var sdr = CodecMetrics.SiSdr(decoded, audio).Average();
            var distance = CodecMetrics.MelDistance(decoded, audio, Model.Config.SampleRate, Options.MelFfts, Options.MelBands);
            return new CodecEvaluation(time, mel, sdr, distance);
        }
        finally
        {
            Model.Train(wasTraining);
        }
    }

    /// <summary>Writes model (with codebook statistics), optimiser, step, options and config atomically.</summary>
    public void SaveCheckpoint(string path) =>
        TrainingCheckpoint.Save(path, Model.StateDict(), optimizer.StateDict(), new Dictionary<string, object>
        {
            ["kind"] = CheckpointKind,
            ["config"] = Model.Config,
            ["options"] = Options,
            ["step"] = Step,
            ["clips_consumed"] = ClipsConsumed,
        });

    /// <summary>
    /// A trainer (owning its model) in the state a checkpoint saved; the options are the saved
    /// ones unless <paramref name="options"/> overrides them (e.g. a longer run or another rate).
    /// </summary>
    public static CodecTrainer Resume(string path, CodecTrainingOptions? options = null, Device? device = null)
    {
        using var checkpoint = TrainingCheckpoint.Load(path, device);
        var kind = checkpoint.Metadata.ContainsKey("kind") ? checkpoint.Get<string>("kind") : "";
        if (kind != CheckpointKind) throw new InvalidDataException($"{path} is not a codec training checkpoint (kind '{kind}')");
        var model = new EncodecModel(checkpoint.Get<CodecConfig>("config"));
        try
        {
            if (device is { } d) model.To(d);
            model.LoadStateDict(checkpoint.Model);
            var trainer = new CodecTrainer(model, options ?? checkpoint.Get<CodecTrainingOptions>("options"), ownsModel: true);
            trainer.optimizer.LoadStateDict(checkpoint.Optimizer);
            trainer.Step = checkpoint.Get<long>("step");
            trainer.ClipsConsumed = checkpoint.Get<long>("clips_consumed");
            return trainer;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private ulong StepSeed(long step) => unchecked(Options.Seed * 0x9E3779B97F4A7C15UL + (ulong)step * 0xBF58476D1CE4E5B9UL + 1);

    public void Dispose()
    {
        optimizer.Dispose();
        melLoss.Dispose();
        generator.Dispose();
        if (ownsModel) Model.Dispose();
    }
}
