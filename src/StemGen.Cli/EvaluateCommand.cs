using StemGen.Model;
using System.CommandLine;
using System.Globalization;
using StemGen.Data;
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
/// With --heldout the same plan also runs on a second import (held-out timbres) and every output shows both sets;
/// categories.csv and the console give per-category figures, and a "generalization check" block ends the output.
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
        var heldOut = new Option<string?>("--heldout") { Description = "A second imported dataset (e.g. a split rendered with a SoundFont and seeds no training song used): the same plan runs on it and the report shows both sets side by side." };
        var heldOutSplit = new Option<string>("--heldout-split") { Description = "Split of --heldout to draw examples from.", DefaultValueFactory = _ => "test" };
        var categories = new Option<string?>("--categories") { Description = "Comma-separated target categories (e.g. Bass,Drums): examples draw only these, in turn, so each gets its share (default: any, as training draws)." };
        var output = new Option<string>("--out") { Description = "Output folder for report.json and report.csv.", Required = true };
        var command = new Command("evaluate", "Evaluate a model as the paper's section 3.2: FAD, MIRDD and listening coherence over held-out examples.");
        foreach (var o in new Option[] { data, split, checkpoint, codec, examples, seconds, runs, scales, causal, steps, stepsGrid, embedding, vggishWeights, seed, jobs, heldOut, heldOutSplit, categories, output })
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

            var targets = ParseCategories(parseResult.GetValue(categories));
            var manifest = LoadManifest(parseResult.GetValue(data)!, "--data");
            var heldOutManifest = parseResult.GetValue(heldOut) is { } heldOutFolder ? LoadManifest(heldOutFolder, "--heldout") : null;
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
            var report = heldOutManifest is null
                ? EvaluationSuite.Run(generator, plan, manifest, parseResult.GetValue(split)!, n, clip, parseResult.GetValue(seed), embedder.Embedding,
                    parallel, generatorName, new ConsoleLines(), cancellationToken, targets)
                : EvaluationSuite.RunWithHeldOut(generator, plan, manifest, parseResult.GetValue(split)!, heldOutManifest, parseResult.GetValue(heldOutSplit)!,
                    n, clip, parseResult.GetValue(seed), embedder.Embedding, parallel, generatorName, new ConsoleLines(), cancellationToken, targets);
            Write(report, outDir);
            return 0;
        })));
        return command;
    }

    internal static void Write(EvaluationReport report, string outDir)
    {
        var json = Path.Combine(outDir, "report.json");
        var csv = Path.Combine(outDir, "report.csv");
        var categoryCsv = Path.Combine(outDir, "categories.csv");
        AtomicText(json, report.ToJson());
        AtomicText(csv, report.ToCsv());
        AtomicText(categoryCsv, report.ToCategoryCsv());
        // Without a held-out set the table is as it always was; with one, a first column names each row's set.
        var withSet = report.HeldOut is not null;
        string SetColumn(string set) => withSet ? $"{set,-16} " : "";
        Console.WriteLine($"{SetColumn("set")}{"setting",-34} {"FAD (" + report.Embedding + ")",20} {"KAD x1000",10} {"KAD h",8} {"MIRDD",8} {"key gen/real/mis",18}");
        foreach (var (set, r) in report.Sets())
            foreach (var p in r.Points)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{SetColumn(set)}{p.Name,-34} {p.Fad.Fad,20:0.000} {p.Fad.Kad?.KadTimes1000 ?? double.NaN,10:0.000} {p.Fad.Kad?.Bandwidth ?? double.NaN,8:0.###} {p.Mirdd.Mirdd,8:0.000} {p.Generated.KeyScore,6:0.00}/{p.Real.KeyScore:0.00}/{p.Mismatched?.KeyScore ?? double.NaN:0.00}"));
        Console.WriteLine($"wrote {json}, {csv} and {categoryCsv}");
        WriteCategories(report);
        WriteCheck(report);
    }

    /// <summary>Per target category of naive, best and the baseline on each set: low-frequency share and onset / key coherence.</summary>
    private static void WriteCategories(EvaluationReport report)
    {
        Console.WriteLine();
        Console.WriteLine("per target category (low share = energy below 250 Hz; onset/key: gen own context / gen other context / mismatched / real)");
        Console.WriteLine($"{"set",-16} {"setting",-34} {"category",-12} {"n",3} {"low gen/real",13} {"onset gen/oth/mis/real",24} {"key gen/oth/mis/real",22}");
        foreach (var (set, r) in report.Sets())
            foreach (var p in r.Points.Where(p => p.Cell is "naive" or "best" || p.Table == "baseline").DistinctBy(p => p.Cell))
                foreach (var c in (p.ByCategory ?? []).Concat(p.Pitched is null ? [] : [p.Pitched]))
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{set,-16} {p.Name,-34} {c.Category,-12} {c.Examples,3} {c.LowShareGenerated,6:0.000}/{c.LowShareReal,-6:0.000} {c.OnsetGenerated,6:0.00}/{c.OnsetOtherContext:0.00}/{c.OnsetMismatched:0.00}/{c.OnsetReal,-5:0.00} {c.KeyGenerated,6:0.00}/{c.KeyOtherContext:0.00}/{c.KeyMismatched:0.00}/{c.KeyReal:0.00}"));
    }

    /// <summary>The generalization check block: each figure with its value, what it is made of, what is wanted, pass or fail, per set and setting.</summary>
    private static void WriteCheck(EvaluationReport report)
    {
        Console.WriteLine();
        Console.WriteLine("generalization check (asked of the best preset on the held-out-timbre split; naive and baseline for comparison)");
        foreach (var line in GeneralizationCheck.Of(report))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {line.Set,-16} {line.Setting,-14} {line.Figure,-30} {line.Value,8:0.000} {line.Wanted,-7} {line.Verdict,-4}  {line.Detail}"));
    }

    private static IReadOnlyList<InstrumentCategory>? ParseCategories(string? text)
    {
        if (text is null) return null;
        var list = new List<InstrumentCategory>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            list.Add(InstrumentCategories.Parse(part) ?? throw new UsageException($"--categories: unknown category '{part}' (use names such as {string.Join(", ", InstrumentCategories.All.Take(6))}, ...)"));
        if (list.Count == 0) throw new UsageException("--categories needs at least one category");
        return list;
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

    private static ImportManifest LoadManifest(string folder, string option)
    {
        try { return ImportManifest.Load(folder); }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new UsageException($"{option} {folder}: {e.Message}");
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
