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

    /// <summary>Stands for the process dying: an exception out of the progress callback skips the trainer's final save.</summary>
    private sealed class Crash(long atStep) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step >= atStep) throw new InvalidProgramException($"killed at step {value.Step}");
        }
    }

    [Fact]
    public void A_run_killed_between_checkpoints_resumes_from_the_last_one_and_ends_identical()
    {
        var data = TinyRuns.Data();
        var model = TinyRuns.Model with { Dropout = 0.1 };
        var training = TinyRuns.Training with { MaxSteps = 8, ValidationInterval = 4, CheckpointInterval = 3, LogInterval = 1 };

        using var straight = StemGenTrainer.Create(Run("straight"), model, training, data, Device.CPU);
        straight.Run();

        // Killed at step 5: the last checkpoint is step 3's, and steps 4-5 are lost.
        using (var killed = StemGenTrainer.Create(Run("killed"), model, training, data, Device.CPU))
            Assert.Throws<InvalidProgramException>(() => killed.Run(new Crash(5)));
        using var resumed = StemGenTrainer.CreateOrResume(Run("killed"), model, training, data, Device.CPU);
        Assert.Equal(3, resumed.Step);
        Assert.Equal(8, resumed.Run().Step);
        Assert.Equal(Weights(straight.Model), Weights(resumed.Model));
        Assert.Equal(straight.BestStep, resumed.BestStep);
    }

    [Fact]
    public void A_wall_time_checkpoint_interval_saves_between_step_checkpoints()
    {
        var data = TinyRuns.Data();
        var training = TinyRuns.Training with { MaxSteps = 8, ValidationInterval = 100, CheckpointInterval = 100, LogInterval = 1 };

        // Steps alone: nothing saved before the kill at step 5, so the run starts over.
        using (var killed = StemGenTrainer.Create(Run("steps"), TinyRuns.Model, training, data, Device.CPU))
            Assert.Throws<InvalidProgramException>(() => killed.Run(new Crash(5)));
        using (var again = StemGenTrainer.CreateOrResume(Run("steps"), TinyRuns.Model, training, data, Device.CPU))
            Assert.Equal(0, again.Step);

        // Any wall time at all: every step is past it, so step 5 was saved before the kill.
        var timed = training with { CheckpointSeconds = 1e-9 };
        using (var killed = StemGenTrainer.Create(Run("timed"), TinyRuns.Model, timed, data, Device.CPU))
            Assert.Throws<InvalidProgramException>(() => killed.Run(new Crash(5)));
        using var resumed = StemGenTrainer.CreateOrResume(Run("timed"), TinyRuns.Model, timed, data, Device.CPU);
        Assert.Equal(5, resumed.Step);
        Assert.Throws<ArgumentException>(() => (training with { CheckpointSeconds = -1 }).Validate());
    }
}
