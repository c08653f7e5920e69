using StemGen.Model.Codec;
using StemGen.Model.Tests;
using StemGen.Model.Training;

namespace StemGen.Cli.Tests;

/// <summary>Runs `stemgen` in-process with its output captured (one test at a time: the console is process-wide).</summary>
internal static class Cli
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        await Gate.WaitAsync();
        var (stdout, stderr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            var code = await StemGenCli.Root().Parse(args).InvokeAsync();
            return (code, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            Gate.Release();
        }
    }
}

/// <summary>A tiny import, two random tiny codecs saved to files, and a token cache, shared by the class.</summary>
public sealed class CliData : IDisposable
{
    public CliData()
    {
        TinyImport.Create(Import);
        foreach (var path in new[] { Codec, OtherCodec })
        {
            using var codec = new EncodecModel(CodecConfig.Tiny);
            codec.Save(path);
        }
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("stemgen-cli-").FullName;
    public string Import => Path.Combine(Root, "import");
    public string Codec => Path.Combine(Root, "codec.safetensors");
    public string OtherCodec => Path.Combine(Root, "other-codec.safetensors");
    public string Cache => Path.Combine(Root, "tokens");

    /// <summary>Arguments of a quick run: 2 s heads, one submix per segment, 50-frame crops.</summary>
    /// <remarks><paramref name="more"/> replaces the value of an option already there, or adds it.</remarks>
    public string[] TrainArgs(string run, string codec, params string[] more)
    {
        var args = new List<string>
        {
            "train", "--preset", "tiny", "--data", Import, "--codec", codec, "--cache", Cache, "--run", run, "--steps", "2", "--batch", "2",
            "--seq-frames", "50", "--validation-pairs", "2", "--submixes", "1", "--encode-seconds", "2", "--device", "cpu",
        };
        for (var i = 0; i < more.Length; i++)
        {
            var at = args.IndexOf(more[i]);
            var hasValue = i + 1 < more.Length && !more[i + 1].StartsWith("--", StringComparison.Ordinal);
            if (at >= 0 && hasValue) args[at + 1] = more[++i];
            else
            {
                args.Add(more[i]);
                if (hasValue) args.Add(more[++i]);
            }
        }
        return args.ToArray();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public class TrainCommandTests(CliData data) : IClassFixture<CliData>
{
    private string NewRun() => Path.Combine(data.Root, "run-" + Guid.NewGuid().ToString("N")[..8]);

    [Theory]
    [InlineData("--steps", "0", "--steps must be positive")]
    [InlineData("--batch", "0", "--batch must be at least 1")]
    [InlineData("--seq-frames", "0", "--seq-frames must be at least 1")]
    [InlineData("--lr", "5", "--lr must be in (0, 1)")]
    [InlineData("--context-dropout", "1.5", "--context-dropout must be in [0, 1]")]
    [InlineData("--submixes", "0", "--submixes must be at least 1")]
    [InlineData("--encode-seconds", "-1", "--encode-seconds must be 0 (all) or positive")]
    [InlineData("--checkpoint-minutes", "-1", "--checkpoint-minutes must be 0 or positive")]
    [InlineData("--preset", "huge", "unknown --preset 'huge'")]
    [InlineData("--device", "tpu", "--device")]
    public async Task Bad_numbers_are_refused_before_anything_is_written(string option, string value, string message)
    {
        var run = NewRun();
        var (code, _, err) = await Cli.Run(data.TrainArgs(run, data.Codec, option, value));
        Assert.Equal(1, code);
        Assert.Contains(message, err);
        Assert.False(Directory.Exists(run), "a refused command created the run folder");
    }

    [Fact]
    public async Task Contradicting_context_options_are_refused()
    {
        var (code, _, err) = await Cli.Run(data.TrainArgs(NewRun(), data.Codec, "--drop-context-always", "--context-dropout", "0.5"));
        Assert.Equal(1, code);
        Assert.Contains("--drop-context-always contradicts --context-dropout 0.5", err);
    }

    [Fact]
    public async Task Missing_data_codec_and_manifest_are_named()
    {
        var run = NewRun();
        var missing = Path.Combine(data.Root, "nowhere");
        var (code, _, err) = await Cli.Run("train", "--data", missing, "--codec", data.Codec, "--run", run);
        Assert.Equal((1, true), (code, err.Contains($"--data {missing}: no such folder")));

        var empty = Directory.CreateDirectory(Path.Combine(data.Root, "empty-import")).FullName;
        (code, _, err) = await Cli.Run("train", "--data", empty, "--codec", data.Codec, "--run", run);
        Assert.Equal((1, true), (code, err.Contains("no manifest.json")));

        (code, _, err) = await Cli.Run("train", "--data", data.Import, "--codec", Path.Combine(data.Root, "none.safetensors"), "--run", run);
        Assert.Equal((1, true), (code, err.Contains("none.safetensors: no such file")));

        (code, _, err) = await Cli.Run("train", "--codec", data.Codec, "--run", run);
        Assert.Equal((1, true), (code, err.Contains("--data is required")));

        (code, _, err) = await Cli.Run("tokens", "build", "--data", missing, "--codec", data.Codec);
        Assert.Equal((1, true), (code, err.Contains("no such folder")));
        (code, _, err) = await Cli.Run("tokens", "build", "--data", data.Import, "--codec", data.Codec, "--submixes", "0");
        Assert.Equal((1, true), (code, err.Contains("--submixes must be at least 1")));
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public async Task Export_only_needs_a_run_with_a_model()
    {
        var (code, _, err) = await Cli.Run("train", "--run", NewRun(), "--export-only");
        Assert.Equal((1, true), (code, err.Contains("no such folder")));
        var empty = Directory.CreateDirectory(NewRun()).FullName;
        (code, _, err) = await Cli.Run("train", "--run", empty, "--export-only");
        Assert.Equal((1, true), (code, err.Contains("no best.safetensors or checkpoint.safetensors")));
    }

    // Builds tokens, trains two steps, exports; then refuses another codec and changed data settings for that run.
    [Fact]
    public async Task Tokens_build_then_train_exports_a_model_of_the_codec_and_resumes_only_with_it()
    {
        var (code, stdout, err) = await Cli.Run("tokens", "build", "--data", data.Import, "--codec", data.Codec, "--cache", data.Cache,
            "--submixes", "1", "--encode-seconds", "2");
        Assert.True(code == 0, err);
        Assert.Contains("2 segments", stdout);
        Assert.Contains("done", stdout);

        var run = NewRun();
        (code, stdout, err) = await Cli.Run(data.TrainArgs(run, data.Codec));
        Assert.True(code == 0, err);
        Assert.Contains("step 2/2", stdout);
        Assert.Contains("validation step 2", stdout);
        Assert.Contains("tokens/s", stdout);
        Assert.Contains("exported", stdout);
        string identity;
        using (var codec = EncodecModel.Load(data.Codec)) identity = codec.ComputeIdentity();
        var exported = ModelCheckpoint.Load(Path.Combine(run, "model.safetensors"));
        using (exported.Model)
        {
            Assert.Equal((identity, 2L), (exported.CodecIdentity, exported.Step));
            Assert.Equal(2048, exported.Model.Config.CodebookSize);
            Assert.Equal(50, exported.Model.Config.TrainingFrames);           // --seq-frames: generation windows follow it
        }

        (code, _, err) = await Cli.Run(data.TrainArgs(run, data.OtherCodec));
        Assert.Equal(1, code);
        Assert.Contains($"was trained with codec {identity}", err);

        (code, _, err) = await Cli.Run(data.TrainArgs(run, data.Codec, "--seq-frames", "40"));
        Assert.Equal(1, code);
        Assert.Contains("a resumed run keeps them", err);

        (code, stdout, err) = await Cli.Run("train", "--run", run, "--export-only");
        Assert.True(code == 0, err);
        Assert.Contains("validation accuracy", stdout);

        (code, stdout, err) = await Cli.Run(data.TrainArgs(run, data.Codec, "--listening-check"));
        Assert.True(code == 0, err);
        Assert.Contains("best model (step 2)", stdout);
        Assert.Contains("training masks      context gain", stdout);
        Assert.Contains("level masked whole  context dropped", stdout);
        Assert.DoesNotContain("step 3/", stdout);                                        // validates only, trains nothing

        (code, _, err) = await Cli.Run(data.TrainArgs(NewRun(), data.Codec, "--listening-check"));
        Assert.Equal(1, code);
        Assert.Contains("needs a run with a checkpoint", err);

        // Fine-tuning starts a new run from the exported weights; a run with a checkpoint is not restarted that way.
        var exportedModel = Path.Combine(run, "model.safetensors");
        (code, stdout, err) = await Cli.Run(data.TrainArgs(NewRun(), data.Codec, "--init", exportedModel));
        Assert.True(code == 0, err);
        Assert.Contains($"init       weights of {exportedModel} (step 2)", stdout);
        (code, _, err) = await Cli.Run(data.TrainArgs(run, data.Codec, "--init", exportedModel));
        Assert.Equal(1, code);
        Assert.Contains("--init starts a new run", err);

        // A token pack trains on its own: no audio in it.
        var pack = Path.Combine(data.Root, "pack-" + Guid.NewGuid().ToString("N")[..8]);
        (code, stdout, err) = await Cli.Run("tokens", "pack", "--data", data.Import, "--codec", data.Codec, "--cache", data.Cache, "--out", pack, "--max-mib", "1");
        Assert.True(code == 0, err);
        Assert.Contains("packed", stdout);
        Assert.Empty(Directory.EnumerateFiles(pack, "*.flac", SearchOption.AllDirectories));
        (code, stdout, err) = await Cli.Run(data.TrainArgs(NewRun(), data.Codec, "--data", pack, "--cache", Path.Combine(pack, "tokens")));
        Assert.True(code == 0, err);
        Assert.Contains("exported", stdout); // with no audio to encode, every token came from the pack
    }
}
