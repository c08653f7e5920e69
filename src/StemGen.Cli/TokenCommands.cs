using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model;
using StemGen.Model.Codec;
using StemGen.Model.Training;

namespace StemGen.Cli;

/// <summary>
/// A command's --data/--codec/--cache checked with usage errors, then opened as the library's <see cref="TokenDataset"/>
/// (the studio's training runs open theirs the same way).
/// </summary>
internal static class TokenData
{
    public static TokenDataset Open(string? data, string? codecPath, string? cacheRoot)
    {
        if (string.IsNullOrWhiteSpace(data)) throw new UsageException("--data is required: an import folder (made by `stemgen import`) with manifest.json");
        if (!Directory.Exists(data)) throw new UsageException($"--data {data}: no such folder");
        var file = Path.Combine(data, ImportManifest.FileName);
        if (!File.Exists(file)) throw new UsageException($"--data {data}: no {ImportManifest.FileName} (import the dataset first: stemgen import <dataset> --out {data})");
        if (string.IsNullOrWhiteSpace(codecPath)) throw new UsageException("--codec is required: a codec .safetensors (e.g. from `stemgen codec train`)");
        if (!File.Exists(codecPath)) throw new UsageException($"--codec {codecPath}: no such file");
        var opened = TokenDataset.Open(data!, codecPath, cacheRoot);
        if (opened.Tokenizer.SampleRate != opened.Manifest.SampleRate)
            Console.Error.WriteLine($"note: the import is at {opened.Manifest.SampleRate} Hz, the codec reads {opened.Tokenizer.SampleRate} Hz: stems are resampled before encoding");
        return opened;
    }

    /// <summary>Opens the batch source, encoding what the cache lacks, with a progress line per split on stderr.</summary>
    public static TokenCacheBatchSource OpenSource(TokenDataset opened, TrainingDataSettings settings, int jobs, CancellationToken cancellationToken)
    {
        var bars = new Dictionary<string, DataCommands.ProgressBar>();
        var source = opened.OpenSource(settings, jobs, new InlineProgress<TokenSourceProgress>(p =>
        {
            if (!bars.TryGetValue(p.Split, out var bar))
            {
                foreach (var previous in bars.Values) previous.Done();
                bars[p.Split] = bar = new DataCommands.ProgressBar($"{p.Split} segments");
            }
            bar.Update(p.Cache.SegmentsDone, p.Cache.SegmentsTotal, $"{p.Cache.Encoded} encoded, {p.Cache.Hits} from cache");
        }), cancellationToken);
        foreach (var bar in bars.Values) bar.Done();
        return source;
    }
}

/// <summary>`stemgen tokens build`: encodes an import's stems and context submixes into the token cache, so training reads tokens only.</summary>
internal static class TokenCommands
{
    public static Command Create()
    {
        var tokens = new Command("tokens", "The token cache: codec tokens of an import's stems and context submixes.");
        tokens.Subcommands.Add(BuildCommand());
        tokens.Subcommands.Add(PackCommand());
        return tokens;
    }

    private static Command PackCommand()
    {
        var data = new Option<string>("--data") { Description = "Import folder with manifest.json and a built token cache.", Required = true };
        var codec = new Option<string>("--codec") { Description = "Codec .safetensors whose tokens to pack.", Required = true };
        var output = new Option<string>("--out") { Description = "New folder: manifest.json + tokens/ that `stemgen train --data` reads without the audio.", Required = true };
        var cache = new Option<string?>("--cache") { Description = "Token cache folder (default: <data>/tokens)." };
        var maxMib = new Option<double>("--max-mib") { Description = "Size limit: every validation track, then train tracks while they fit.", DefaultValueFactory = _ => 6 };
        var command = new Command("pack", "Pack whole tracks' tokens (no audio) into a folder that trains on its own, within a size limit (for a lent GPU machine).");
        foreach (var o in new Option[] { data, codec, cache, output, maxMib }) command.Options.Add(o);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            var limit = parseResult.GetValue(maxMib);
            if (!(limit > 0)) throw new UsageException($"--max-mib must be positive, not {limit.ToString(CultureInfo.InvariantCulture)}");
            using var opened = TokenData.Open(parseResult.GetValue(data), parseResult.GetValue(codec), parseResult.GetValue(cache));
            var outDir = parseResult.GetValue(output)!;
            TokenPackResult result;
            try
            {
                result = opened.Cache.Pack(opened.Manifest, outDir, (long)(limit * 1048576));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException) { throw new UsageException(e.Message); }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"packed     {result.TrainTracks} train and {result.ValidationTracks} validation tracks ({result.TracksLeftOut} train tracks left out), {result.Bytes / 1048576.0:0.0} MiB into {outDir}"));
            return 0;
        }));
        return command;
    }

    private static Command BuildCommand()
    {
        var data = new Option<string>("--data") { Description = "Import folder with manifest.json (from `stemgen import`).", Required = true };
        var codec = new Option<string>("--codec") { Description = "Codec .safetensors whose tokens to store.", Required = true };
        var cache = new Option<string?>("--cache") { Description = "Token cache folder (default: <data>/tokens); each codec gets its own subfolder." };
        var submixes = new Option<int>("--submixes") { Description = "Context submixes per segment (random stem subsets, encoded once).", DefaultValueFactory = _ => 4 };
        var seed = new Option<long>("--seed") { Description = "Seed of the submix recipes (use the same with `stemgen train --submix-seed`).", DefaultValueFactory = _ => 1 };
        var encodeSeconds = new Option<double>("--encode-seconds") { Description = "Encode only the first S seconds of each segment (0: all); cheaper on a CPU, and every song is kept.", DefaultValueFactory = _ => 0 };
        var splits = new Option<string>("--splits") { Description = "Comma-separated splits to encode.", DefaultValueFactory = _ => "train,validation" };
        var jobs = new Option<int>("--jobs") { Description = "Segments read into memory at once after encoding (encoding itself is one pipeline).", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Clips of a segment encoded in one codec forward (1: one by one).", DefaultValueFactory = _ => new TokenCacheBuildOptions().Batch };
        var shard = new Option<string?>("--shard") { Description = "I/N: build only segments i with i mod N = I, so N processes can share the work (e.g. 0/4 .. 3/4)." };
        var command = new Command("build", "Encode every stem and N context submixes per segment of an import with a codec into the token cache (already cached files are kept).");
        foreach (var o in new Option[] { data, codec, cache, submixes, seed, encodeSeconds, splits, jobs, batch, shard }) command.Options.Add(o);
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(CommandErrors.Run(() =>
        {
            var k = parseResult.GetValue(submixes);
            if (k < 1) throw new UsageException($"--submixes must be at least 1 (contexts come from submixes), not {k}");
            var j = parseResult.GetValue(jobs);
            if (j < 1) throw new UsageException($"--jobs must be at least 1, not {j}");
            var b = parseResult.GetValue(batch);
            if (b < 1) throw new UsageException($"--batch must be at least 1, not {b}");
            var head = parseResult.GetValue(encodeSeconds);
            if (!(head >= 0)) throw new UsageException($"--encode-seconds must be 0 (all) or positive, not {head.ToString(CultureInfo.InvariantCulture)}");
            var (part, parts) = (0, 1);
            if (parseResult.GetValue(shard) is { } text)
            {
                var pieces = text.Split('/');
                if (pieces.Length != 2 || !int.TryParse(pieces[0], out part) || !int.TryParse(pieces[1], out parts) || parts < 1 || part < 0 || part >= parts)
                    throw new UsageException($"--shard must be I/N with 0 <= I < N, not '{text}'");
            }
            var names = parseResult.GetValue(splits)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) throw new UsageException("--splits names no split");
            using var opened = TokenData.Open(parseResult.GetValue(data), parseResult.GetValue(codec), parseResult.GetValue(cache));
            foreach (var split in names)
                if (!opened.Manifest.Split(split).Any())
                    throw new UsageException($"--splits: the import has no '{split}' split (it has {string.Join(", ", opened.Manifest.Tracks.Select(t => t.Split).Distinct())})");

            Console.WriteLine($"codec      {opened.Tokenizer.CodecIdentity}");
            Console.WriteLine($"cache      {opened.Cache.Directory}");
            var clock = Stopwatch.StartNew();
            // One frame crops: every segment counts, whatever crop training uses later.
            var options = new TokenPairOptions { CropFrames = 1, SubmixesPerSegment = k, SubmixSeed = parseResult.GetValue(seed), EncodeSeconds = head };
            foreach (var split in names)
            {
                var bar = new DataCommands.ProgressBar($"{split} segments");
                var set = TokenPairSet.Load(opened.Manifest, split, opened.Cache, opened.Tokenizer, options, j,
                    new InlineProgress<TokenCacheProgress>(p => bar.Update(p.SegmentsDone, p.SegmentsTotal, $"{p.Encoded} encoded, {p.Hits} from cache")),
                    cancellationToken, part, parts, new TokenCacheBuildOptions { Batch = b });
                bar.Done();
                var s = set.Summary;
                Console.WriteLine($"  {split,-11}{s.Segments,5} segments {s.Stems,6} stems {s.Submixes,6} submixes   {s.TokensEncoded} files encoded, {s.TokensFromCache} from cache");
            }
            var files = Directory.EnumerateFiles(opened.Cache.Directory, "*" + TokenFile.Extension, SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"done       {files.Count} token files, {files.Sum(f => f.Length) / 1e6:0.0} MB, in {DataCommands.Clock(clock.Elapsed.TotalSeconds)}"));
            return 0;
        })));
        return command;
    }
}
