using System.Diagnostics;
using System.Globalization;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model;
using StemGen.Model.Codec;
using StemGen.Torch;

// The token cache of one import built twice in one process, each into a fresh folder: the
// one-by-one path (each file encoded alone when the loader asks for it, batch 1, reads and
// encodes in turn: the path before issue 21) and the pipelined one (a reader task ahead of a
// batched encoder). Prints seconds, clips/s, x real time, the ratio, whether both wrote the same
// tokens, and where the time goes (reading vs encoding at batch 1 and batch B). Usage:
//   stemgen-tokens-bench --data IMPORT [--codec models/codec-tiny.safetensors] [--split train]
//       [--encode-seconds 10] [--submixes 4] [--batch 1] [--read-ahead 2] [--baseline-jobs 1] [--order old,new]
// Threads: STEMGEN_TORCH_THREADS=N (default: all cores); OPENBLAS_NUM_THREADS etc. as the loader sets them unless given.
var o = Options.Parse(args);
var manifest = ImportManifest.Load(Path.Combine(o.Data, ImportManifest.FileName));
using var codec = EncodecModel.Load(ShippedModels.CodecPath(o.Codec));
codec.Eval();
var tokenizer = new CodecTokenizer(codec);
var refs = SegmentRef.Of(manifest, o.Split).ToList();
var pairs = new TokenPairOptions { CropFrames = 1, SubmixesPerSegment = o.Submixes, EncodeSeconds = o.EncodeSeconds };
var clips = refs.Select(r => (Count: r.Segment.Stems.Count + TokenCache.PlanSubmixes(r.Track, r.Segment, o.Submixes, pairs.SubmixSeed).Count,
    Seconds: (TokenCache.HeadOf(manifest, r.Segment, o.EncodeSeconds) ?? r.Segment.Frames) / (double)manifest.SampleRate)).ToList();
var (clipCount, audioSeconds) = (clips.Sum(c => c.Count), clips.Sum(c => c.Count * c.Seconds));
Console.WriteLine($"libtorch {TorchRuntime.Version}, {TorchRuntime.Threads} intra-op threads, {Environment.ProcessorCount} cores, " +
    $"OPENBLAS_NUM_THREADS={Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") ?? "(loader: 1)"}");
Console.WriteLine(Inv($"{o.Split}: {refs.Count} segments, {clipCount} clips (stems + {o.Submixes} submixes each), {audioSeconds:F0} s of audio to encode"));

// Warm-up: libtorch's first forward and the page cache (every file read once).
using (TorchRuntime.NewDisposeScope()) tokenizer.Encode(new float[tokenizer.SampleRate]);
var read = Time(() => { foreach (var r in refs) SegmentAudio.Load(manifest, r.Track, r.Segment); });

var root = Path.Combine(Path.GetTempPath(), $"stemgen-tokens-bench-{Environment.ProcessId}");
var results = new Dictionary<string, (double Seconds, double Cpu, string Folder)>();
try
{
    foreach (var name in o.Order)
    {
        var folder = Path.Combine(root, name);
        var cache = new TokenCache(folder, tokenizer);
        var build = name == "old" ? TokenCacheBuildOptions.OneByOne : new TokenCacheBuildOptions { Batch = o.Batch, ReadAhead = o.ReadAhead };
        var jobs = name == "old" ? o.BaselineJobs : 1;
        var (seconds, cpu, system) = Measure(() => TokenPairSet.Load(manifest, o.Split, cache, tokenizer, pairs, jobs, build: build));
        results[name] = (seconds, cpu, cache.Directory);
        Console.WriteLine(Inv($"{(name == "old" ? $"old: one by one, jobs {jobs}" : $"new: pipelined, batch {o.Batch}"),-28} {seconds,8:F1} s  {clipCount / seconds,7:F2} clips/s  {audioSeconds / seconds,7:F1} x real time   CPU {cpu,6:F1} s ({100 * system / Math.Max(cpu, 1e-9):F0} % system)"));
    }
    if (results.TryGetValue("old", out var old) && results.TryGetValue("new", out var fresh))
    {
        Console.WriteLine(Inv($"speed-up new/old: {old.Seconds / fresh.Seconds:F2}x wall, {old.Cpu / fresh.Cpu:F2}x CPU time"));
        var (same, total) = Compare(old.Folder, fresh.Folder);
        Console.WriteLine($"token files identical: {same}/{total}");
    }

    // Where the time goes: reading all segments (decode FLAC, pad) vs encoding one segment's clips.
    var first = refs[0];
    var audio = SegmentAudio.Load(manifest, first.Track, first.Segment);
    var head = TokenCache.HeadOf(manifest, first.Segment, o.EncodeSeconds) ?? audio.Frames;
    var segmentClips = audio.Stems.Select(s => s.Samples[..head]).ToList();
    var one = Time(() => { foreach (var c in segmentClips) tokenizer.Encode(c); });
    var probe = Math.Max(o.Batch, 6);
    var batched = Time(() => { foreach (var b in segmentClips.Chunk(probe)) tokenizer.EncodeBatch(b); });
    var clipSeconds = segmentClips.Count * head / (double)manifest.SampleRate;
    Console.WriteLine(Inv($"phases: read {refs.Count} segments {read:F1} s; encode {segmentClips.Count} clips of {head / (double)manifest.SampleRate:F0} s: batch 1 {one:F2} s ({clipSeconds / one:F1} x real time), batch {probe} {batched:F2} s ({clipSeconds / batched:F1} x real time)"));
}
finally
{
    if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
}
return 0;

static double Time(Action action) => Measure(action).Wall;

// Wall seconds, and CPU seconds of this process (user + system: what oversubscription and page faults cost, stable on a shared machine).
static (double Wall, double Cpu, double System) Measure(Action action)
{
    var process = Process.GetCurrentProcess();
    var (cpu, system) = (process.TotalProcessorTime, process.PrivilegedProcessorTime);
    var clock = Stopwatch.StartNew();
    action();
    var wall = clock.Elapsed.TotalSeconds;
    process.Refresh();
    return (wall, (process.TotalProcessorTime - cpu).TotalSeconds, (process.PrivilegedProcessorTime - system).TotalSeconds);
}

static (int Same, int Total) Compare(string a, string b)
{
    var files = Directory.EnumerateFiles(a, "*" + TokenFile.Extension, SearchOption.AllDirectories).ToList();
    var same = files.Count(f => File.ReadAllBytes(f).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, Path.GetRelativePath(a, f)))));
    return (same, files.Count);
}

static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

internal sealed record Options(string Data, string? Codec, string Split, double EncodeSeconds, int Submixes, int Batch, int ReadAhead, int BaselineJobs, string[] Order)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected '{args[i]}'");
            values[args[i][2..]] = args[i + 1];
        }
        string Get(string key, string fallback) => values.GetValueOrDefault(key, fallback);
        var data = values.GetValueOrDefault("data") ?? throw new ArgumentException("--data IMPORT is required (a folder made by `stemgen import`)");
        return new Options(data, values.GetValueOrDefault("codec"), Get("split", "train"),
            double.Parse(Get("encode-seconds", "10"), CultureInfo.InvariantCulture), int.Parse(Get("submixes", "4"), CultureInfo.InvariantCulture),
            int.Parse(Get("batch", "1"), CultureInfo.InvariantCulture), int.Parse(Get("read-ahead", "2"), CultureInfo.InvariantCulture),
            int.Parse(Get("baseline-jobs", "1"), CultureInfo.InvariantCulture), Get("order", "old,new").Split(','));
    }
}
