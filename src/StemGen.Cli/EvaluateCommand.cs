using StemGen.Model;
using System.CommandLine;
using System.Globalization;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Suite;
using StemGen.Model.Generation;
using StemGen.Model.Sampling;
using StemGen.Torch;

namespace StemGen.Cli;

/// <summary>
/// `stemgen evaluate`: the paper's evaluation (section 3.2) on held-out imported data. Draws N examples
/// (context mix + random target category, real stem as reference), generates a stem for each under
/// every requested sampling setting (presets naive/best, grids table1/table2/table3), and writes
/// report.json and report.csv with FAD and KAD (embedding named), MIRDD per descriptor and coherence metrics.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Imported dataset folder (manifest.json from `stemgen import`).", Required = true };
        var split = new Option<string>("--split") { Description = "Held-out split to draw examples from.", DefaultValueFactory = _ => "test" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "StemGen model checkpoint (.safetensors; default: $STEMGEN_CHECKPOINT or models/stemgen-tiny.safetensors); unused when --run is only baseline." };
        var codec = new Option<string?>("--codec") { Description = "Codec weights (.safetensors) the checkpoint was trained with (default: $STEMGEN_CODEC or models/codec-tiny.safetensors)." };
        var examples = new Option<int>("--examples") { Description = "Examples per setting (paper: 400).", DefaultValueFactory = _ => 400 };
        var seconds = new Option<double>("--seconds") { Description = "Example length in seconds (paper: 20 s crops).", DefaultValueFactory = _ => 20 };
        var runs = new Option<string>("--run") { Description = "Comma-separated: naive, best, table1 (guidance), table2 (w_s), table3 (naive vs best), steps (best at each --steps-grid count), baseline (a real stem of another song, no model needed).", DefaultValueFactory = _ => "table3" };
        var scales = new Option<string>("--table1-scales") { Description = "Guidance scales > 1 averaged in table 1's cells (paper: values up to 4).", DefaultValueFactory = _ => "3" };
        var causal = new Option<string>("--table2-ws") { Description = "Causal-bias weights w_s of table 2.", DefaultValueFactory = _ => "0,0.1,0.2,0.5" };
        var steps = new Option<string>("--steps") { Description = "Decoding steps per level (paper: 128,64,32,32; fewer for quick runs).", DefaultValueFactory = _ => "128,64,32,32" };
        var stepsGrid = new Option<string>("--steps-grid") { Description = "First-level step counts S of the steps run (levels S, S/2, S/4, S/4 as the paper's 128,64,32,32).", DefaultValueFactory = _ => "4,8,16" };
        var embedding = new Option<string>("--embedding") { Description = "FAD embedding: logmel-stats (weight-free, default) or vggish (needs --vggish-weights).", DefaultValueFactory = _ => "logmel-stats" };
        var vggishWeights = new Option<string?>("--vggish-weights") { Description = "VGGish weights as safetensors (torchvggish names)." };
        var seed = new Option<long>("--seed") { Description = "Seed of example drawing and sampling.", DefaultValueFactory = _ => 1 };
        var jobs = new Option<int>("--jobs") { Description = "Parallel MIR analyses (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = new Option<string>("--out") { Description = "Output folder for report.json and report.csv.", Required = true };
        var command = new Command("evaluate", "Evaluate a model as the paper's section 3.2: FAD, MIRDD and listening coherence over held-out examples.");
        foreach (var o in new Option[] { data, split, checkpoint, codec, examples, seconds, runs, scales, causal, steps, stepsGrid, embedding, vggishWeights, seed, jobs, output })
            command.Options.Add(o);
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(CommandErrors.Run(() =>
        {
            var n = parseResult.GetValue(examples);
            if (n < 2) throw new UsageException($"--examples must be at least 2 (FAD needs a covariance), not {n}");
            var clip = parseResult.GetValue(seconds);
            if (!(clip is >= 1 and <= 60)) throw new UsageException($"--seconds must be between 1 and 60, not {clip}");
            var parallel = parseResult.GetValue(jobs);
            if (parallel < 1) throw new UsageException($"--jobs must be at least 1, not {parallel}");
            var template = new SamplingOptions { StepsPerLevel = ParseList(parseResult.GetValue(steps)!, "--steps").Select(v => (int)v).ToList() };
            EvaluationPlan plan;
            try
            {
                plan = EvaluationSuite.Plan(parseResult.GetValue(runs)!, template, ParseList(parseResult.GetValue(scales)!, "--table1-scales"),
                    ParseList(parseResult.GetValue(causal)!, "--table2-ws"), ParseList(parseResult.GetValue(stepsGrid)!, "--steps-grid"));
            }
            catch (ArgumentException e) { throw new UsageException(e.Message + (e.Message.StartsWith("unknown run", StringComparison.Ordinal) ? "; baseline scores a stem of another song, no model needed" : "")); }

            var manifest = LoadManifest(parseResult.GetValue(data)!);
            IStemGenerator? generator = null;
            var generatorName = "none (baseline only)";
            if (plan.Points.Count > 0)
            {
                var checkpointPath = ShippedModels.CheckpointPath(parseResult.GetValue(checkpoint));
                var codecPath = ShippedModels.CodecPath(parseResult.GetValue(codec));
                generator = StemGenerator.Load(codecPath, checkpointPath);
                generatorName = $"{checkpointPath} (codec {codecPath})";
            }
            using var embedder = CreateEmbedding(parseResult.GetValue(embedding)!, parseResult.GetValue(vggishWeights));
            var outDir = Directory.CreateDirectory(parseResult.GetValue(output)!).FullName;
            var report = EvaluationSuite.Run(generator, plan, manifest, parseResult.GetValue(split)!, n, clip, parseResult.GetValue(seed), embedder.Embedding,
                parallel, generatorName, new ConsoleLines(), cancellationToken);
            Write(report, outDir);
            return 0;
        })));
        return command;
    }

    internal static void Write(EvaluationReport report, string outDir)
    {
        var json = Path.Combine(outDir, "report.json");
        var csv = Path.Combine(outDir, "report.csv");
        AtomicText(json, report.ToJson());
        AtomicText(csv, report.ToCsv());
        Console.WriteLine($"{"setting",-34} {"FAD (" + report.Embedding + ")",20} {"KAD x1000",10} {"KAD h",8} {"MIRDD",8} {"key gen/real/mis",18}");
        foreach (var p in report.Points)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Name,-34} {p.Fad.Fad,20:0.000} {p.Fad.Kad?.KadTimes1000 ?? double.NaN,10:0.000} {p.Fad.Kad?.Bandwidth ?? double.NaN,8:0.###} {p.Mirdd.Mirdd,8:0.000} {p.Generated.KeyScore,6:0.00}/{p.Real.KeyScore:0.00}/{p.Mismatched?.KeyScore ?? double.NaN:0.00}"));
        Console.WriteLine($"wrote {json} and {csv}");
    }

    private static void AtomicText(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Progress as plain lines on stdout (synchronous, unlike Progress&lt;T&gt;, so lines keep their order).</summary>
    private sealed class ConsoleLines : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => Console.WriteLine(value.Message);
    }

    /// <summary>An embedding and what to dispose with it.</summary>
    private sealed class EmbeddingHandle(IAudioEmbedding embedding) : IDisposable
    {
        public IAudioEmbedding Embedding { get; } = embedding;
        public void Dispose() => (Embedding as IDisposable)?.Dispose();
    }

    private static EmbeddingHandle CreateEmbedding(string name, string? weights)
    {
        switch (name.ToLowerInvariant())
        {
            case "logmel-stats":
                if (weights is not null) throw new UsageException("--vggish-weights is only used with --embedding vggish");
                return new EmbeddingHandle(new LogMelStatisticsEmbedding());
            case "vggish":
                if (weights is null) throw new UsageException("--embedding vggish needs --vggish-weights <file.safetensors> (the public VGGish weights; none ship with StemGen)");
                try { return new EmbeddingHandle(VggishEmbedding.Load(ExistingFile(weights, "--vggish-weights"), Device.Best)); }
                catch (VggishWeightsException e) { throw new UsageException(e.Message); }
            default:
                throw new UsageException($"unknown --embedding '{name}' (use logmel-stats or vggish)");
        }
    }

    private static ImportManifest LoadManifest(string folder)
    {
        try { return ImportManifest.Load(folder); }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new UsageException($"--data {folder}: {e.Message}");
        }
    }

    private static string ExistingFile(string path, string option) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new UsageException($"{option} {path}: no such file");

    internal static List<double> ParseList(string text, string option)
    {
        var values = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                throw new UsageException($"{option}: '{part}' is not a number");
            values.Add(v);
        }
        if (values.Count == 0) throw new UsageException($"{option} needs at least one value");
        return values;
    }
}
