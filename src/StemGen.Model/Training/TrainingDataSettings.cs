using System.Text.Json;
using StemGen.Data.Tokens;

namespace StemGen.Model.Training;

/// <summary>
/// How a run reads its data, with the defaults `stemgen train` and the studio's training runs share; saved as
/// RUN/data.json when the run starts, so a resumed run (and its listening check) draws exactly the same pairs.
/// </summary>
public sealed record TrainingDataSettings(int SeqFrames, int Submixes = TrainingDataSettings.DefaultSubmixes, long SubmixSeed = TrainingDataSettings.DefaultSubmixSeed,
    int ValidationPairs = TrainingDataSettings.DefaultValidationPairs, double EncodeSeconds = 0)
{
    public const string FileName = "data.json";
    public const int DefaultSubmixes = 4;
    public const long DefaultSubmixSeed = 1;
    public const int DefaultValidationPairs = 64;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The run's data.json, or null when it has none (a new run, or one started before runs kept it).</summary>
    public static TrainingDataSettings? Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrainingDataSettings>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message})");
        }
    }

    public void Write(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, Indented));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public TokenCacheSourceOptions SourceOptions(int jobs = 1) => new()
    {
        Pairs = new TokenPairOptions { CropFrames = SeqFrames, SubmixesPerSegment = Submixes, SubmixSeed = SubmixSeed, EncodeSeconds = EncodeSeconds },
        ValidationPairs = ValidationPairs,
        Jobs = jobs,
    };
}
