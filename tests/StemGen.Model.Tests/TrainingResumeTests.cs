using StemGen.Model.Training;
using StemGen.Torch;

namespace StemGen.Model.Tests;

/// <summary>
/// Tests that seed libtorch's process-wide default generator (model dropout draws from it), so
/// they must not run beside tests that draw from it too.
/// </summary>
[CollectionDefinition(nameof(GlobalRandomState), DisableParallelization = true)]
public sealed class GlobalRandomState;

[Collection(nameof(GlobalRandomState))]
public class TrainingResumeTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("stemgen-resume-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Run(string name) => Path.Combine(dir, name);

    private static float[] Weights(Transformer.StemGenModel model) => TrainingTests.Weights(model);

    [Fact]
    public void Resuming_from_a_checkpoint_continues_bit_identically()
    {
        var data = TinyRuns.Data();
        // Dropout on, so the per-step dropout seeds are exercised too.
        var model = TinyRuns.Model with { Dropout = 0.1 };
        var training = TinyRuns.Training with { MaxSteps = 6, ValidationInterval = 3, CheckpointInterval = 3 };

        using var straight = StemGenTrainer.Create(Run("straight"), model, training, data, Device.CPU);
        var straightLog = new ProgressLog();
        straight.Run(straightLog);

        using (var first = StemGenTrainer.Create(Run("split"), model, training with { MaxSteps = 3 }, data, Device.CPU))
            Assert.Equal(StopReason.MaxSteps, first.Run().Reason);
        using var resumed = StemGenTrainer.Resume(Run("split"), data, Device.CPU, training);
        Assert.Equal(3, resumed.Step);
        var resumedLog = new ProgressLog();
        var outcome = resumed.Run(resumedLog);

        Assert.Equal(6, outcome.Step);
        Assert.Equal(Weights(straight.Model), Weights(resumed.Model));
        Assert.Equal(straightLog.Events.Last().Loss, resumedLog.Events.Last().Loss);
        Assert.Equal(straight.ValidationHistory.Select(v => v.LevelLoss.ToArray()), resumed.ValidationHistory.Select(v => v.LevelLoss.ToArray()));
    }
}
