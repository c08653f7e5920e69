using System.Diagnostics;
using System.Text.Json.Serialization;
using StemGen.Model.Transformer;
using StemGen.Torch;
using StemGen.Torch.Optim;

namespace StemGen.Model.Training;

/// <summary>Validation loss and accuracy per RVQ level on the held-out set, after <see cref="Step"/> updates.</summary>
public sealed record ValidationResult(long Step, IReadOnlyList<double> LevelLoss, IReadOnlyList<double> LevelAccuracy, long Tokens)
{
    /// <summary>Mean over levels (each level weighted equally).</summary>
    [JsonIgnore] public double Loss => LevelLoss.Average();

    /// <summary>Mean over levels: the number early stopping watches.</summary>
    [JsonIgnore] public double Accuracy => LevelAccuracy.Average();
}

/// <summary>
/// A live report from a training run. Loss and LevelAccuracy are averages over the steps since the
/// previous report (a level no example trained on in that window reads NaN); tokens are target
/// tokens (B x Q x T) per second of wall time; Eta assumes the run goes to MaxSteps.
/// </summary>
public sealed record TrainingProgress(
    long Step,
    long MaxSteps,
    double Loss,
    IReadOnlyList<double> LevelAccuracy,
    double LearningRate,
    double GradNorm,
    double TokensPerSecond,
    TimeSpan? Eta,
    ValidationResult? Validation,
    double BestValidationAccuracy,
    long BestStep);

public enum StopReason
{
    MaxSteps,
    EarlyStopping,
    Cancelled,
}

public sealed record TrainingOutcome(long Step, StopReason Reason, double BestValidationAccuracy, long BestStep, ValidationResult? LastValidation);

/// <summary>
/// The training loop of paper section 3: masked-token loss (Fig. 4) with independent dropout of
/// each conditioning source, AdamW, tri-stage learning rate, gradient clipping, bfloat16 autocast
/// on CUDA, validation per level, early stopping on validation accuracy, and atomic resumable
/// checkpoints. Every random draw of step s derives from (seed, s), so a resumed run continues
/// exactly as an uninterrupted one.
/// </summary>
/// <remarks>
/// A run directory holds <c>checkpoint.safetensors</c> (latest resumable state) and
/// <c>best.safetensors</c> (the weights with the best validation accuracy, for generation).
/// </remarks>
public sealed class StemGenTrainer : IDisposable
{
    public const string CheckpointFile = "checkpoint.safetensors";
    public const string BestModelFile = "best.safetensors";

    private enum RandomStream : ulong
    {
        Init = 1,
        Data = 2,
        Mask = 3,
        Dropout = 4,
        Validation = 5,
    }

    private readonly ITrainingBatchSource data;
    private readonly AdamW optimizer;
    private readonly Func<long, double> schedule;
    private readonly List<ValidationResult> history = [];

    private StemGenTrainer(string runDirectory, StemGenConfig modelConfig, TrainingConfig trainingConfig, ITrainingBatchSource data, Device device,
        TrainingCheckpoint? resume)
    {
        RunDirectory = Path.GetFullPath(runDirectory);
        ModelConfig = modelConfig.Validate();
        Config = trainingConfig.Validate();
        Device = device;
        this.data = data;
        schedule = Config.LearningRateSchedule();
        using var initGenerator = new Generator(DeriveSeed(Config.Seed, 0, RandomStream.Init));
        Model = new StemGenModel(ModelConfig, initGenerator);
        try
        {
            if (resume is not null) Model.LoadStateDict(resume.Model);
            Model.To(device);
            Model.Train();
            optimizer = AdamW.ForModule(Model, schedule(0), Config.WeightDecay, Config.Beta1, Config.Beta2, Config.AdamEps);
            if (resume is null) return;
            optimizer.LoadStateDict(resume.Optimizer);
            Step = resume.Get<long>(CheckpointKeys.Step);
            BestValidationAccuracy = resume.Get<double>(CheckpointKeys.BestAccuracy);
            BestStep = resume.Get<long>(CheckpointKeys.BestStep);
            NonFiniteSteps = resume.Get<long>(CheckpointKeys.NonFiniteSteps);
            history.AddRange(resume.Get<List<ValidationResult>>(CheckpointKeys.ValidationHistory));
        }
        catch
        {
            Model.Dispose();
            optimizer?.Dispose();
            throw;
        }
    }

    /// <summary>Starts a new run in <paramref name="runDirectory"/>, which must not hold a checkpoint yet.</summary>
    public static StemGenTrainer Create(string runDirectory, StemGenConfig model, TrainingConfig training, ITrainingBatchSource data, Device? device = null)
    {
        if (HasCheckpoint(runDirectory))
            throw new InvalidOperationException($"{runDirectory} already holds a training run: resume it, or choose another directory");
        return new StemGenTrainer(runDirectory, model, training, data, device ?? Device.Best, null);
    }

    /// <summary>
    /// Continues the run saved in <paramref name="runDirectory"/> with its own configs
    /// (<paramref name="training"/> replaces the training config, e.g. to change MaxSteps).
    /// The data must come from the same codec.
    /// </summary>
    public static StemGenTrainer Resume(string runDirectory, ITrainingBatchSource data, Device? device = null, TrainingConfig? training = null)
    {
        var path = Path.Combine(runDirectory, CheckpointFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"no training checkpoint in {runDirectory}", path);
        using var checkpoint = TrainingCheckpoint.Load(path);
        var format = checkpoint.Get<string>(CheckpointKeys.Format);
        if (format != CheckpointKeys.TrainingFormat)
            throw new InvalidDataException($"{path} is a '{format}' file, not a training checkpoint ({CheckpointKeys.TrainingFormat})");
        var codec = checkpoint.Get<string>(CheckpointKeys.Codec);
        if (codec != data.CodecIdentity)
            throw new InvalidOperationException($"the run was trained on tokens of codec '{codec}', but the data comes from '{data.CodecIdentity}'");
        var storedTraining = checkpoint.Get<TrainingConfig>(CheckpointKeys.TrainingConfig);
        if (training is not null && training.Seed != storedTraining.Seed)
            throw new ArgumentException($"a resumed run keeps its seed ({storedTraining.Seed}); got {training.Seed}", nameof(training));
        return new StemGenTrainer(runDirectory, checkpoint.Get<StemGenConfig>(CheckpointKeys.ModelConfig), training ?? storedTraining, data,
            device ?? Device.Best, checkpoint);
    }

    /// <summary>
    /// What <c>stemgen train</c> does: resumes the run in <paramref name="runDirectory"/> if there
    /// is one (it must be of the same model config; it keeps its training config), else starts it.
    /// </summary>
    public static StemGenTrainer CreateOrResume(string runDirectory, StemGenConfig model, TrainingConfig training, ITrainingBatchSource data, Device? device = null)
    {
        if (!HasCheckpoint(runDirectory)) return Create(runDirectory, model, training, data, device);
        var trainer = Resume(runDirectory, data, device);
        if (trainer.ModelConfig == model) return trainer;
        trainer.Dispose();
        throw new InvalidOperationException($"{runDirectory} holds a run of another model config; choose another directory");
    }

    /// <summary>Replaces the model's weights with a model file's of the same config (e.g. the run's best, to validate it).</summary>
    public void LoadWeights(string modelPath)
    {
        using var file = TrainingCheckpoint.Load(modelPath);
        if (file.Get<StemGenConfig>(CheckpointKeys.ModelConfig) != ModelConfig)
            throw new InvalidDataException($"{modelPath} holds a model of another config than this run's");
        Model.LoadStateDict(file.Model);
    }

    public static bool HasCheckpoint(string runDirectory) => File.Exists(Path.Combine(runDirectory, CheckpointFile));

    public string RunDirectory { get; }
    public string CheckpointPath => Path.Combine(RunDirectory, CheckpointFile);
    public string BestModelPath => Path.Combine(RunDirectory, BestModelFile);
    public StemGenConfig ModelConfig { get; }
    public TrainingConfig Config { get; }
    public Device Device { get; }
    public StemGenModel Model { get; }

    /// <summary>Updates done so far.</summary>
    public long Step { get; private set; }

    public double BestValidationAccuracy { get; private set; } = -1;
    public long BestStep { get; private set; } = -1;

    /// <summary>Steps whose gradient norm was not finite; their update was skipped.</summary>
    public long NonFiniteSteps { get; private set; }

    public IReadOnlyList<ValidationResult> ValidationHistory => history;

    /// <summary>The learning rate of update number <paramref name="step"/> (0-based).</summary>
    public double LearningRate(long step) => schedule(step);

    private bool UseAutocast => Config.MixedPrecision && Device.Type == DeviceType.CUDA;

    private bool EarlyStoppingDue => Config.EarlyStoppingPatience > 0 && BestStep >= 0 && Step - BestStep >= Config.EarlyStoppingPatience;

    /// <summary>
    /// Trains until MaxSteps, early stopping or cancellation; validates, checkpoints and reports
    /// progress on the configured intervals, and always leaves a checkpoint of where it stopped.
    /// </summary>
    public TrainingOutcome Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var window = new LevelTally(ModelConfig.Levels);
        var (windowLoss, windowSteps, windowTokens) = (0.0, 0L, 0L);
        var clock = Stopwatch.StartNew();
        var sinceCheckpoint = Stopwatch.StartNew();
        StopReason reason;
        while (true)
        {
            if (Step >= Config.MaxSteps) { reason = StopReason.MaxSteps; break; }
            if (EarlyStoppingDue) { reason = StopReason.EarlyStopping; break; }
            if (cancellationToken.IsCancellationRequested) { reason = StopReason.Cancelled; break; }

            var result = TrainStep();
            window.Add(result.Tally);
            (windowLoss, windowSteps, windowTokens) = (windowLoss + result.Loss, windowSteps + 1, windowTokens + result.Tokens);

            ValidationResult? validation = null;
            if (Step % Config.ValidationInterval == 0) validation = ValidateAndTrack();
            if (Step % Config.CheckpointInterval == 0 || (Config.CheckpointSeconds > 0 && sinceCheckpoint.Elapsed.TotalSeconds >= Config.CheckpointSeconds))
            {
                SaveCheckpoint();
                sinceCheckpoint.Restart();
            }
            if (Step % Config.LogInterval != 0 && validation is null) continue;

            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            var eta = TimeSpan.FromSeconds(seconds / windowSteps * (Config.MaxSteps - Step));
            progress?.Report(new TrainingProgress(Step, Config.MaxSteps, windowLoss / windowSteps, window.LevelAccuracies(), result.LearningRate,
                result.GradNorm, windowTokens / seconds, eta, validation, BestValidationAccuracy, BestStep));
            window = new LevelTally(ModelConfig.Levels);
            (windowLoss, windowSteps, windowTokens) = (0.0, 0L, 0L);
            clock.Restart();
        }
        SaveCheckpoint();
        return new TrainingOutcome(Step, reason, BestValidationAccuracy, BestStep, history.Count > 0 ? history[^1] : null);
    }

    private sealed record StepResult(double Loss, LevelTally Tally, double LearningRate, double GradNorm, long Tokens);

    /// <summary>One update: batch, mask and condition dropout of this step, forward, loss, backward, clip, AdamW.</summary>
    private StepResult TrainStep()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Model.Train();
        using var batch = data.TrainingBatch(Config.BatchSize, DeriveSeed(Config.Seed, Step, RandomStream.Data));
        using var maskGenerator = new Generator(DeriveSeed(Config.Seed, Step, RandomStream.Mask));
        var masked = Masking.Apply(ToDevice(batch), ModelConfig, maskGenerator);
        var (dropContext, dropCategory) = Masking.DrawConditionDropout(batch.BatchSize, ModelConfig.ContextDropout, ModelConfig.CategoryDropout, maskGenerator);
        // Model dropout draws from libtorch's process-wide default generator (the binding's dropout
        // takes none): seed it per step, which keeps resume exact unless another thread draws from it.
        if (ModelConfig.Dropout > 0) TorchRuntime.ManualSeed(DeriveSeed(Config.Seed, Step, RandomStream.Dropout));

        var learningRate = schedule(Step);
        optimizer.LearningRate = learningRate;
        var (loss, tally) = LossOf(masked, dropContext.To(Device), dropCategory.To(Device));
        loss.Backward();
        var gradNorm = GradientClipping.ClipByGlobalNorm(Model.Parameters(), Config.ClipNorm);
        if (double.IsFinite(gradNorm)) optimizer.Step();
        else NonFiniteSteps++;
        optimizer.ZeroGrad();
        Step++;
        return new StepResult(tally.MeanLoss, tally, learningRate, gradNorm, batch.Target.NumEl);
    }

    // The forward pass and the masked-token loss, under bfloat16 autocast on CUDA.
    private (Tensor Loss, LevelTally Tally) LossOf(MaskedBatch batch, Tensor? dropContext, Tensor? dropCategory)
    {
        using var autocast = UseAutocast ? TorchRuntime.Autocast(DeviceType.CUDA, ScalarType.BFloat16) : (IDisposable?)null;
        var hidden = Model.Hidden(batch.Context, batch.Target, batch.Category, dropContext, dropCategory); // (B, T, D)
        return MaskedTokenLoss.Compute(Model, hidden, batch);
    }

    /// <summary>
    /// Loss and accuracy per level on the held-out set: every level of every validation batch is
    /// masked on its own (fixed masks, the same at every evaluation; all of it with
    /// <paramref name="wholeLevel"/>), with full conditioning unless a source is dropped here.
    /// </summary>
    public ValidationResult Validate(bool dropContext = false, bool dropCategory = false, bool wholeLevel = false)
    {
        var tally = new LevelTally(ModelConfig.Levels);
        Model.Eval();
        try
        {
            using var noGrad = TorchRuntime.NoGrad();
            var index = 0L;
            foreach (var source in data.ValidationBatches(Config.BatchSize))
            {
                using var scope = TorchRuntime.NewDisposeScope();
                using var batch = source;
                var onDevice = ToDevice(batch);
                var b = batch.BatchSize;
                var dropA = Tensors.Full([b], dropContext ? 1 : 0, ScalarType.Bool, Device);
                var dropI = Tensors.Full([b], dropCategory ? 1 : 0, ScalarType.Bool, Device);
                for (var q = 0; q < ModelConfig.Levels; q++)
                {
                    using var generator = new Generator(DeriveSeed(DeriveSeed(Config.Seed, index, RandomStream.Validation), q, RandomStream.Mask));
                    var (_, levelTally) = LossOf(Masking.Apply(onDevice, ModelConfig, generator, level: q, wholeLevel: wholeLevel), dropA, dropI);
                    tally.Add(levelTally);
                }
                if (++index == Config.ValidationBatches) break;
            }
        }
        finally
        {
            Model.Train();
        }
        if (tally.TotalCount == 0) throw new InvalidOperationException("the validation set is empty: the data source gave no validation batch");
        return new ValidationResult(Step, tally.LevelLosses(), tally.LevelAccuracies(), tally.TotalCount);
    }

    private ValidationResult ValidateAndTrack()
    {
        // A source the model is trained never to see (dropout 1, e.g. the context-free baseline)
        // is dropped in validation too: its embeddings were never trained.
        var validation = Validate(dropContext: ModelConfig.ContextDropout >= 1, dropCategory: ModelConfig.CategoryDropout >= 1);
        history.Add(validation);
        if (validation.Accuracy > BestValidationAccuracy)
        {
            (BestValidationAccuracy, BestStep) = (validation.Accuracy, Step);
            ModelCheckpoint.Save(BestModelPath, Model, data.CodecIdentity, Step, validation);
        }
        return validation;
    }

    /// <summary>Writes the resumable state (atomically replacing the previous checkpoint).</summary>
    public void SaveCheckpoint() =>
        TrainingCheckpoint.Save(CheckpointPath, Model.StateDict(), optimizer.StateDict(), new Dictionary<string, object>
        {
            [CheckpointKeys.Format] = CheckpointKeys.TrainingFormat,
            [CheckpointKeys.Step] = Step,
            [CheckpointKeys.Seed] = Config.Seed,
            [CheckpointKeys.ModelConfig] = ModelConfig,
            [CheckpointKeys.TrainingConfig] = Config,
            [CheckpointKeys.Codec] = data.CodecIdentity,
            [CheckpointKeys.BestAccuracy] = BestValidationAccuracy,
            [CheckpointKeys.BestStep] = BestStep,
            [CheckpointKeys.NonFiniteSteps] = NonFiniteSteps,
            [CheckpointKeys.ValidationHistory] = history,
        });

    private TokenBatch ToDevice(TokenBatch batch) =>
        batch.Context.Device == Device ? batch : new TokenBatch(batch.Context.To(Device), batch.Target.To(Device), batch.Category.To(Device));

    /// <summary>The seed of one random stream at one step: SplitMix64 over (run seed, step, stream).</summary>
    internal static ulong DeriveSeed(ulong seed, long step, ulong stream) => Mix(Mix(seed ^ Mix((ulong)step + 0x9E3779B97F4A7C15UL)) ^ stream);

    private static ulong DeriveSeed(ulong seed, long step, RandomStream stream) => DeriveSeed(seed, step, (ulong)stream);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Model.Dispose();
    }
}
