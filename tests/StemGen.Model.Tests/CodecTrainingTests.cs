using StemGen.Model.Codec;
using StemGen.Model.Training;
using StemGen.Torch;
using Xunit.Abstractions;

namespace StemGen.Model.Tests;

public class CodecTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("stemgen-codec-train-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Batches of 4 x 8192 samples hold 256 latent vectors for 64 codes: the dead-code threshold scales with that.</summary>
    private static CodecTrainingOptions Options => new()
    {
        BatchSize = 4, SegmentSamples = 8192, LearningRate = 3e-3, MelFfts = [256, 512, 1024], MelBands = 40, Seed = 5,
        Codebooks = new CodebookTraining(DeadCodeThreshold: 0.5),
    };

    private sealed class Collect<T> : IProgress<T>
    {
        public List<T> Items { get; } = [];
        public void Report(T value) => Items.Add(value);
    }

    [Fact]
    public void Training_a_small_codec_on_synthetic_signals_clearly_reduces_reconstruction_loss()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        TorchRuntime.ManualSeed(1);
        using var codec = new EncodecModel(CodecTestData.Trainable);
        using var trainer = new CodecTrainer(codec, Options);
        var heldOut = trainer.MakeBatch(CodecTestData.SyntheticClips(99, 8192).Take(8).ToList(), 0);
        var before = trainer.Evaluate(heldOut);

        var progress = new Collect<CodecTrainingProgress>();
        trainer.Train(CodecTestData.SyntheticClips(1, 12000), 40, progress);
        var after = trainer.Evaluate(heldOut);

        output.WriteLine($"{codec.ParameterCount} parameters, {progress.Items[^1].StepsPerSecond:F1} steps/s");
        foreach (var p in progress.Items.Where((_, i) => i % 10 == 0 || i == progress.Items.Count - 1))
            output.WriteLine($"step {p.Step}: {p.Losses}");
        output.WriteLine($"held-out before: {before}");
        output.WriteLine($"held-out after:  {after}");

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), progress.Items.Select(p => p.Step));
        Assert.All(progress.Items, p => Assert.True(double.IsFinite(p.Losses.Total) && p.StepsPerSecond > 0));
        Assert.True(after.Mel < 0.75 * before.Mel, $"multi-scale mel loss {before.Mel:F3} -> {after.Mel:F3}");
        Assert.True(after.MelDistance < 0.85 * before.MelDistance, $"mel distance {before.MelDistance:F3} -> {after.MelDistance:F3}");
    }

    private static CodecTrainingOptions QuickOptions => Options with { BatchSize = 2, SegmentSamples = 4096 };

    [Fact]
    public void Resuming_from_a_checkpoint_continues_with_the_same_step_count_and_state()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var clips = CodecTestData.SyntheticClips(7, 6000).Take(10).ToList();
        var checkpoint = Path.Combine(dir, "codec.safetensors");
        TorchRuntime.ManualSeed(3);
        using var codec = new EncodecModel(CodecTestData.Trainable);
        using var straight = new CodecTrainer(codec, QuickOptions);
        straight.Train(clips, 3, checkpointPath: checkpoint);
        straight.Train(clips.Skip(6), 5);
        Assert.Equal(5, straight.Step);

        using var resumed = CodecTrainer.Resume(checkpoint);
        Assert.Equal(3, resumed.Step);
        Assert.Equal(6, resumed.ClipsConsumed);
        Assert.Equal(CodecTestData.Trainable, resumed.Model.Config);
        Assert.Equal(QuickOptions.LearningRate, resumed.Options.LearningRate);
        resumed.Train(clips.Skip((int)resumed.ClipsConsumed), 5);
        Assert.Equal(5, resumed.Step);

        var expected = straight.Model.StateDict();
        foreach (var (name, tensor) in resumed.Model.StateDict())
            CodecTestData.AssertClose(CodecTestData.Values(expected[name]), CodecTestData.Values(tensor), 1e-5);
        Assert.Equal(straight.Model.ComputeIdentity(), resumed.Model.ComputeIdentity());
    }

    [Fact]
    public void Checkpoints_are_codec_training_checkpoints_with_config_and_codebook_statistics()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Trainable);
        using var trainer = new CodecTrainer(codec, QuickOptions);
        var path = Path.Combine(dir, "every.safetensors");
        trainer.Train(CodecTestData.SyntheticClips(2, 5000), 2, checkpointPath: path, checkpointEvery: 1);
        using var saved = TrainingCheckpoint.Load(path);
        Assert.Equal(CodecTrainer.CheckpointKind, saved.Get<string>("kind"));
        Assert.Equal(2L, saved.Get<long>("step"));
        Assert.Equal(CodecTestData.Trainable, saved.Get<CodecConfig>("config"));
        Assert.Contains("quantizer.layers.1.codebook.cluster_size", saved.Model.Keys);
        Assert.Equal(1, saved.Model["quantizer.layers.0.codebook.inited"].ToDouble());
        Assert.NotEmpty(saved.Optimizer);

        var other = Path.Combine(dir, "other.safetensors");
        TrainingCheckpoint.Save(other, codec.StateDict(), null, new Dictionary<string, object> { ["kind"] = "transformer" });
        Assert.Throws<InvalidDataException>(() => CodecTrainer.Resume(other));
    }

    private static async IAsyncEnumerable<float[]> ClipsAsync(int count)
    {
        foreach (var clip in CodecTestData.SyntheticClips(4, 5000).Take(count))
        {
            await Task.Yield();
            yield return clip;
        }
    }

    [Fact]
    public async Task Training_from_an_async_source_stops_when_the_clips_run_out()
    {
        using var codec = new EncodecModel(CodecTestData.Trainable);
        using var trainer = new CodecTrainer(codec, QuickOptions);
        await trainer.TrainAsync(ClipsAsync(5), 10); // 5 clips make 2 batches of 2
        Assert.Equal(2, trainer.Step);
        Assert.Equal(4, trainer.ClipsConsumed);
    }
}
