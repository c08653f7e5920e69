using StemGen.Model.Training;
using StemGen.Torch;
using StemGen.Torch.Modules;
using StemGen.Torch.Optim;

namespace StemGen.Model.Tests;

public class TrainingCheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("stemgen-ckpt-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private sealed record RunInfo(string Preset, int Layers);

    [Fact]
    public void Model_optimizer_and_metadata_round_trip()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var linear = new Linear(3, 2);
        using var optimizer = AdamW.ForModule(linear, 0.01);
        linear.Forward(Tensors.Randn([4, 3])).Sum().Backward();
        optimizer.Step();
        var path = Path.Combine(dir, "run", "step-1.safetensors");
        TrainingCheckpoint.Save(path, linear.StateDict(), optimizer.StateDict(),
            new Dictionary<string, object> { ["step"] = 1L, ["config"] = new RunInfo("tiny", 2) });

        using var restored = TrainingCheckpoint.Load(path);
        using var copy = new Linear(3, 2);
        copy.LoadStateDict(restored.Model);
        Assert.Equal(linear.Weight.ToArray<float>(), copy.Weight.ToArray<float>());
        Assert.Equal(optimizer.StateDict().Keys.Order(), restored.Optimizer.Keys.Order());
        Assert.Equal(1L, restored.Get<long>("step"));
        Assert.Equal(new RunInfo("tiny", 2), restored.Get<RunInfo>("config"));
        Assert.Throws<KeyNotFoundException>(() => restored.Get<long>("missing"));
    }
}
