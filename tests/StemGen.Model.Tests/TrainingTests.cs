using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;
using Xunit.Abstractions;

namespace StemGen.Model.Tests;

/// <summary>Collects progress events on the reporting thread (Progress&lt;T&gt; would post them asynchronously).</summary>
internal sealed class ProgressLog : IProgress<TrainingProgress>
{
    public List<TrainingProgress> Events { get; } = [];
    public void Report(TrainingProgress value) => Events.Add(value);
}

internal static class TinyRuns
{
    /// <summary>A very small model over a small vocabulary: trains on the CPU in seconds.</summary>
    public static readonly StemGenConfig Model = StemGenConfig.Tiny with
    {
        Levels = 2,
        CodebookSize = 16,
        Categories = 4,
        ModelDim = 32,
        Heads = 2,
        Layers = 1,
        MaxSequence = 64,
    };

    public static readonly TrainingConfig Training = new()
    {
        BatchSize = 16, PeakLearningRate = 3e-3, WarmupSteps = 10, HoldSteps = 1000, DecaySteps = 1000, MaxSteps = 100,
        ValidationInterval = 50, EarlyStoppingPatience = 0, CheckpointInterval = 1000, LogInterval = 10, WeightDecay = 0.01,
    };

    public static SyntheticTokenSource Data(int shift = 1) => new(Model.Levels, Model.CodebookSize, Model.Categories, length: 16, shift, validationBatches: 2);
}

public class TrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("stemgen-train-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Run(string name) => Path.Combine(dir, name);

    // Target tokens = context tokens of the same frame; alone they are uniform noise (chance 1/16).
    // The same model trained with its context always dropped can only guess.
    [Fact]
    public void Synthetic_task_is_learned_through_the_context_and_not_without_it()
    {
        var data = TinyRuns.Data(shift: 0);
        var training = TinyRuns.Training with { MaxSteps = 100, ValidationInterval = 100, PeakLearningRate = 1e-2 };
        var started = DateTime.UtcNow;
        using var withContext = StemGenTrainer.Create(Run("with"), TinyRuns.Model with { ContextDropout = 0.1, CategoryDropout = 0.1 }, training, data, Device.CPU);
        withContext.Run();
        var heard = withContext.Validate();
        var unheard = withContext.Validate(dropContext: true);

        using var deaf = StemGenTrainer.Create(Run("deaf"), TinyRuns.Model with { ContextDropout = 1.0 }, training, data, Device.CPU);
        deaf.Run();
        var deafResult = deaf.Validate(dropContext: true);

        output.WriteLine($"chance {data.Chance:P1}; with context {heard.Accuracy:P1} [{string.Join(", ", heard.LevelAccuracy.Select(a => a.ToString("P1")))}]; " +
            $"same model, context dropped {unheard.Accuracy:P1}; trained with context always dropped {deafResult.Accuracy:P1}; {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        Assert.True(heard.Accuracy > 0.9, $"with context: {heard.Accuracy:P1}");
        Assert.All(heard.LevelAccuracy, a => Assert.True(a > 0.85, $"level accuracy {a:P1}"));
        Assert.True(unheard.Accuracy < 2.5 * data.Chance, $"context dropped at evaluation: {unheard.Accuracy:P1}");
        Assert.True(deafResult.Accuracy < 2.5 * data.Chance, $"context always dropped: {deafResult.Accuracy:P1}");
    }

    /// <summary>The same batch at every step (and as the validation set): a model can memorise it.</summary>
    private sealed class OneBatch(TokenBatch batch) : ITrainingBatchSource
    {
        public string CodecIdentity => "one-batch";

        public TokenBatch TrainingBatch(int batchSize, ulong seed) => Copy();

        public IEnumerable<TokenBatch> ValidationBatches(int batchSize) { yield return Copy(); }

        private TokenBatch Copy() => new(batch.Context.Clone(), batch.Target.Clone(), batch.Category.Clone());
    }

    // Random targets that no context explains: only memorising this very batch gets above chance.
    [Fact]
    public void A_tiny_model_overfits_a_tiny_batch()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var generator = new Generator(11);
        var config = TinyRuns.Model with { ModelDim = 64, Heads = 4, Layers = 2, ContextDropout = 0, CategoryDropout = 0 };
        var context = Tensors.RandInt(0, config.CodebookSize, [4, config.Levels, 16], generator);
        var target = Tensors.RandInt(0, config.CodebookSize, [4, config.Levels, 16], generator);
        var category = Tensors.RandInt(0, config.Categories, [4], generator);
        using var batch = new TokenBatch(context, target, category);
        var training = TinyRuns.Training with { BatchSize = 4, MaxSteps = 120, ValidationInterval = 120, PeakLearningRate = 1e-2, WarmupSteps = 10, WeightDecay = 0 };
        using var trainer = StemGenTrainer.Create(Run("overfit"), config, training, new OneBatch(batch), Device.CPU);
        trainer.Run();
        var result = trainer.Validate();
        output.WriteLine($"after {trainer.Step} steps on one batch: accuracy {result.Accuracy:P1} [{string.Join(", ", result.LevelAccuracy.Select(a => a.ToString("P1")))}], chance {1.0 / config.CodebookSize:P1}");
        Assert.True(result.Accuracy > 0.95, $"accuracy {result.Accuracy:P1}");
        Assert.All(result.LevelAccuracy, a => Assert.True(a > 0.95, $"level accuracy {a:P1}"));
    }

    internal static float[] Weights(StemGenModel model) =>
        model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();

    [Fact]
    public void Paper_training_defaults_are_the_papers_numbers()
    {
        var paper = TrainingConfig.Preset("paper");
        Assert.Equal((40, 5e-4, 10_000L, 50_000L, 300_000L, 20_000L),
            (paper.BatchSize, paper.PeakLearningRate, paper.WarmupSteps, paper.HoldSteps, paper.DecaySteps, paper.EarlyStoppingPatience));
        Assert.Same(TrainingConfig.Tiny, TrainingConfig.Preset("tiny"));
        Assert.Throws<ArgumentException>(() => (TrainingConfig.Tiny with { BatchSize = 0 }).Validate());
    }

    [Fact]
    public void Learning_rate_follows_the_tri_stage_schedule()
    {
        var training = TinyRuns.Training with
        {
            PeakLearningRate = 1e-3,
            WarmupSteps = 4,
            HoldSteps = 3,
            DecaySteps = 4,
            MaxSteps = 14,
            LogInterval = 1,
            ValidationInterval = 100,
        };
        using var trainer = StemGenTrainer.Create(Run("lr"), TinyRuns.Model, training, TinyRuns.Data(), Device.CPU);
        var log = new ProgressLog();
        trainer.Run(log);
        var rates = log.Events.Select(e => e.LearningRate).ToArray();           // the rate of update number Step - 1
        Assert.Equal(14, rates.Length);
        Assert.Equal(1e-5, rates[0], 12);                                        // warm-up starts at 1 % of the peak
        Assert.Equal(1e-5 + (1e-3 - 1e-5) * 3 / 4, rates[3], 12);                // linear warm-up
        Assert.All(rates[4..7], r => Assert.Equal(1e-3, r, 12));                 // hold
        Assert.Equal(1e-3 * Math.Pow(0.01, 2.0 / 4), rates[9], 12);              // exponential decay, half-way
        Assert.All(rates[11..], r => Assert.Equal(1e-5, r, 12));                 // 1 % after the decay
        Assert.Equal(rates, Enumerable.Range(0, 14).Select(s => trainer.LearningRate(s)));
    }

    [Fact]
    public void Training_stops_early_when_validation_accuracy_stops_improving()
    {
        // A learning rate of zero: accuracy can never improve after the first validation.
        var training = TinyRuns.Training with
        {
            PeakLearningRate = 0,
            MaxSteps = 100,
            ValidationInterval = 2,
            EarlyStoppingPatience = 4,
            LogInterval = 100,
        };
        using var trainer = StemGenTrainer.Create(Run("early"), TinyRuns.Model, training, TinyRuns.Data(), Device.CPU);
        var outcome = trainer.Run();
        Assert.Equal(StopReason.EarlyStopping, outcome.Reason);
        Assert.Equal(6, outcome.Step);          // best at step 2; 4 steps later (step 6) without improvement
        Assert.Equal(2, outcome.BestStep);
        Assert.Equal(3, trainer.ValidationHistory.Count);
        Assert.True(File.Exists(trainer.BestModelPath));

        // Resuming a stopped run stops again at once.
        trainer.Dispose();
        using var resumed = StemGenTrainer.Resume(Run("early"), TinyRuns.Data(), Device.CPU);
        Assert.Equal(StopReason.EarlyStopping, resumed.Run().Reason);
        Assert.Equal(6, resumed.Step);
    }

    [Fact]
    public void Cancelling_stops_after_the_current_step_and_leaves_a_checkpoint()
    {
        using var cancel = new CancellationTokenSource();
        var training = TinyRuns.Training with { MaxSteps = 50, LogInterval = 1 };
        using var trainer = StemGenTrainer.Create(Run("cancel"), TinyRuns.Model, training, TinyRuns.Data(), Device.CPU);
        var outcome = trainer.Run(new CancelAt(3, cancel), cancel.Token);
        Assert.Equal((StopReason.Cancelled, 3L), (outcome.Reason, outcome.Step));
        trainer.Dispose();
        using var resumed = StemGenTrainer.Resume(Run("cancel"), TinyRuns.Data(), Device.CPU);
        Assert.Equal(3, resumed.Step);
    }

    private sealed class CancelAt(long step, CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step >= step) source.Cancel();
        }
    }

    [Fact]
    public void Progress_events_arrive_with_step_loss_accuracy_rate_and_throughput()
    {
        var training = TinyRuns.Training with { MaxSteps = 8, LogInterval = 2, ValidationInterval = 5 };
        using var trainer = StemGenTrainer.Create(Run("progress"), TinyRuns.Model, training, TinyRuns.Data(), Device.CPU);
        var log = new ProgressLog();
        trainer.Run(log);
        Assert.Equal(new long[] { 2, 4, 5, 6, 8 }, log.Events.Select(e => e.Step));
        Assert.All(log.Events, e =>
        {
            Assert.Equal(8, e.MaxSteps);
            Assert.True(double.IsFinite(e.Loss) && e.Loss > 0);
            Assert.Equal(TinyRuns.Model.Levels, e.LevelAccuracy.Count);
            Assert.True(e.TokensPerSecond > 0);
            Assert.True(e.GradNorm > 0);
            Assert.NotNull(e.Eta);
        });
        var validation = Assert.Single(log.Events, e => e.Validation is not null).Validation!;
        Assert.Equal(5, validation.Step);
        Assert.Equal(TinyRuns.Model.Levels, validation.LevelAccuracy.Count);
        Assert.All(validation.LevelAccuracy, a => Assert.InRange(a, 0, 1));
        Assert.Equal(TimeSpan.Zero, log.Events[^1].Eta);
    }

    [Fact]
    public void A_run_resumes_only_with_the_same_codec_and_model_and_its_best_model_loads()
    {
        var data = TinyRuns.Data();
        var training = TinyRuns.Training with { MaxSteps = 2, ValidationInterval = 2 };
        using (var trainer = StemGenTrainer.CreateOrResume(Run("run"), TinyRuns.Model, training, data, Device.CPU))
            trainer.Run();
        Assert.Throws<InvalidOperationException>(() => StemGenTrainer.Create(Run("run"), TinyRuns.Model, training, data, Device.CPU));
        Assert.Throws<InvalidOperationException>(() => StemGenTrainer.Resume(Run("run"), TinyRuns.Data(shift: 3), Device.CPU));
        Assert.Throws<InvalidOperationException>(() =>
            StemGenTrainer.CreateOrResume(Run("run"), TinyRuns.Model with { Layers = 3 }, training, data, Device.CPU));

        using (var checkpoint = TrainingCheckpoint.Load(Path.Combine(Run("run"), StemGenTrainer.CheckpointFile)))
        {
            Assert.Equal(TinyRuns.Model, checkpoint.Get<StemGenConfig>(CheckpointKeys.ModelConfig));
            Assert.Equal(training, checkpoint.Get<TrainingConfig>(CheckpointKeys.TrainingConfig));
            Assert.Equal(data.CodecIdentity, checkpoint.Get<string>(CheckpointKeys.Codec));
            Assert.Equal((2L, training.Seed), (checkpoint.Get<long>(CheckpointKeys.Step), checkpoint.Get<ulong>(CheckpointKeys.Seed)));
            Assert.NotEmpty(checkpoint.Optimizer);
        }

        using var resumed = StemGenTrainer.CreateOrResume(Run("run"), TinyRuns.Model, training with { MaxSteps = 4 }, data, Device.CPU);
        Assert.Equal(2, resumed.Step);
        Assert.Equal(2, resumed.Config.MaxSteps); // an existing run keeps its own training config

        var loaded = ModelCheckpoint.Load(resumed.BestModelPath);
        using var best = loaded.Model;
        Assert.Equal((data.CodecIdentity, 2L), (loaded.CodecIdentity, loaded.Step));
        Assert.Equal(Weights(resumed.Model), Weights(best));
    }
}
