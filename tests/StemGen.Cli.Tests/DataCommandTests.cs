namespace StemGen.Cli.Tests;

public class DataCommandTests
{
    [Theory]
    [InlineData("--style", "jazz", "--style must be songs, listening or mixed, not 'jazz'")]
    [InlineData("--style", "7", "--style must be songs, listening or mixed, not '7'")]
    [InlineData("--hours", "0", "--hours must be positive")]
    [InlineData("--jobs", "0", "--jobs must be at least 1")]
    public async Task Bad_synth_dataset_options_are_refused_before_anything_is_written(string option, string value, string message)
    {
        var output = Path.Combine(Path.GetTempPath(), "stemgen-synth-" + Guid.NewGuid().ToString("N")[..8]);
        string[] args = ["synth-dataset", "--hours", "0.01", "--out", output, "--style", "listening"];
        var at = Array.IndexOf(args, option);
        if (at >= 0) args[at + 1] = value; else args = [.. args, option, value];
        var (code, _, err) = await Cli.Run(args);
        Assert.Equal(1, code);
        Assert.Contains(message, err);
        Assert.False(Directory.Exists(output), "a refused command created the output folder");
    }
}
