using StemGen.Model.Sampling;
using StemGen.Model.Training;

namespace StemGen.Model.Tests;

/// <summary>The settings the command line and the studio share: sampler presets and how a run reads its data.</summary>
public class WorkflowDefaultsTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"stemgen-workflow-{Guid.NewGuid():N}");

    public WorkflowDefaultsTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void The_presets_are_best_naive_and_fast_and_fast_is_best_with_an_eighth_of_the_steps()
    {
        Assert.Equal(new[] { "best", "naive", "fast" }, SamplingPresets.Names);
        Assert.Same(SamplingOptions.Best, SamplingPresets.Get("best"));
        Assert.Same(SamplingOptions.Naive, SamplingPresets.Get(" Naive "));
        var fast = SamplingPresets.Get("fast");
        Assert.Equal(new[] { 16, 8, 4, 4 }, fast.StepsPerLevel);
        Assert.Equal(SamplingOptions.Best with { StepsPerLevel = fast.StepsPerLevel }, fast);
        Assert.Equal(SamplingOptions.Best.TotalSteps, 8 * fast.TotalSteps);
    }

    [Fact]
    public void An_unknown_preset_is_refused_with_the_names_of_the_presets()
    {
        var e = Assert.Throws<ArgumentException>(() => SamplingPresets.Get("slow"));
        Assert.Contains("unknown preset 'slow' (use best, naive, fast)", e.Message);
    }

    [Fact]
    public void Data_settings_default_to_four_submixes_and_64_validation_pairs_and_round_trip_through_the_run_folder()
    {
        Assert.Null(TrainingDataSettings.Read(folder));
        var settings = new TrainingDataSettings(SeqFrames: 250, EncodeSeconds: 5);
        Assert.Equal((4, 1L, 64), (settings.Submixes, settings.SubmixSeed, settings.ValidationPairs));
        settings.Write(folder);
        Assert.Equal(settings, TrainingDataSettings.Read(folder));
        var options = settings.SourceOptions(jobs: 2);
        Assert.Equal((250, 4, 1L, 5.0, 64, 2), (options.Pairs.CropFrames, options.Pairs.SubmixesPerSegment, options.Pairs.SubmixSeed, options.Pairs.EncodeSeconds,
            options.ValidationPairs, options.Jobs));
    }

    [Fact]
    public void A_damaged_data_file_is_refused_naming_the_file()
    {
        File.WriteAllText(Path.Combine(folder, TrainingDataSettings.FileName), "{ not json");
        var e = Assert.Throws<InvalidDataException>(() => TrainingDataSettings.Read(folder));
        Assert.Contains(TrainingDataSettings.FileName, e.Message);
        Assert.Contains("damaged", e.Message);
    }

    [Fact]
    public void A_run_without_a_checkpoint_has_nothing_to_export()
    {
        Assert.Null(TrainingExport.SourceOf(folder));
        var e = Assert.Throws<InvalidOperationException>(() => TrainingExport.Export(folder));
        Assert.Contains($"no {StemGenTrainer.BestModelFile} or {StemGenTrainer.CheckpointFile} to export", e.Message);
        Assert.False(File.Exists(Path.Combine(folder, TrainingExport.FileName)));
    }
}
