using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StemGen.Audio;
using StemGen.Data;
using StemGen.Data.Rendering;
using StemGen.Data.Slakh;
using StemGen.Model;

namespace StemGen.Cli;

/// <summary>`stemgen synth-dataset` (render a Slakh-format dataset) and `stemgen import` (prepare one for training).</summary>
internal static class DataCommands
{
    public static IEnumerable<Command> Create() => [SynthDatasetCommand(), ImportCommand()];

    private static Command SynthDatasetCommand()
    {
        var hours = new Option<double>("--hours") { Description = "Hours of songs to generate.", Required = true };
        var seed = new Option<long>("--seed") { Description = "Random seed: the same seed gives the same dataset.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Output folder (Slakh layout: train/validation/test/TrackNNNNN).", Required = true };
        var jobs = new Option<int>("--jobs") { Description = "Songs rendered at once (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var soundFonts = new Option<string[]>("--soundfont")
        {
            Description = "SoundFont(s) to draw from per stem (per song with --vary): timgm6mb (default), fluidr3, csound, musescore, fluidr3mono (each its Debian package) or a .sf2/.sf3 path. Repeatable.",
            AllowMultipleArgumentsPerToken = true,
        };
        var vary = new Option<bool>("--vary")
        {
            Description = "Varied rendering: each song draws one SoundFont for its pitched parts and one for its drums (from --soundfont and --drum-kit), each stem a level, spectral tilt, reverb, chorus and mono fold; tempos 60-180. Recorded per stem in metadata.yaml (plugin_name, mixing).",
        };
        var drumKits = new Option<string[]>("--drum-kit")
        {
            Description = "With --vary: drum-kit SoundFonts a song's drums may draw instead of a GM font: avl-blackpearl, avl-redzeppelin (Debian avldrums.lv2-soundfont) or a path. Repeatable.",
            AllowMultipleArgumentsPerToken = true,
        };
        var split = new Option<string?>("--split") { Description = "Put every song in this split (train, validation or test), e.g. a held-out test set with its own SoundFont and seed; default: 8 train, 1 validation, 1 test per ten songs." };
        var style = new Option<string>("--style")
        {
            Description = "songs (default): mma grooves over chord progressions plus a melody; listening: random chords on random onsets that chords, bass, lead and drums all share, so a stem can only be predicted by listening to the others; mixed: half of each.",
            DefaultValueFactory = _ => "songs",
        };
        var command = new Command("synth-dataset", "Generate a Slakh-format multitrack dataset rendered per instrument with FluidSynth (see --style).");
        command.Options.Add(style);
        command.Options.Add(hours);
        command.Options.Add(seed);
        command.Options.Add(output);
        command.Options.Add(jobs);
        command.Options.Add(soundFonts);
        command.Options.Add(vary);
        command.Options.Add(drumKits);
        command.Options.Add(split);
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(CommandErrors.Run(() =>
        {
            var h = parseResult.GetValue(hours);
            if (!(h > 0)) throw new UsageException($"--hours must be positive, not {h}");
            var j = parseResult.GetValue(jobs);
            if (j < 1) throw new UsageException($"--jobs must be at least 1, not {j}");
            var styleName = parseResult.GetValue(style)!;
            if (!Enum.TryParse<SynthStyle>(styleName, ignoreCase: true, out var s) || !Enum.IsDefined(s))
                throw new UsageException($"--style must be songs, listening or mixed, not '{styleName}'");
            var options = new SynthDatasetOptions
            {
                Style = s,
                Hours = h,
                Seed = parseResult.GetValue(seed),
                Output = parseResult.GetValue(output)!,
                Jobs = j,
                SoundFonts = parseResult.GetValue(soundFonts),
                Variety = parseResult.GetValue(vary)
                    ? new RenderVariety { DrumKits = (parseResult.GetValue(drumKits) ?? []).Select(SoundFonts.Resolve).ToList() }
                    : parseResult.GetValue(drumKits) is { Length: > 0 } ? throw new UsageException("--drum-kit needs --vary") : null,
                OnlySplit = parseResult.GetValue(split) is { } only
                    ? only is "train" or "validation" or "test" ? only : throw new UsageException($"--split must be train, validation or test, not '{only}'")
                    : null,
            };
            var bar = new ProgressBar("songs");
            var result = SynthDataset.Generate(options,
                new InlineProgress<SynthProgress>(p => bar.Update(p.SongsDone, p.SongsTotal, $"{p.SecondsDone / 3600:0.00}/{p.SecondsTotal / 3600:0.00} h{(p.Failed > 0 ? $", {p.Failed} failed" : "")}")),
                cancellationToken);
            bar.Done();
            Console.WriteLine($"{result.Songs} songs, {result.Hours:0.00} h in {options.Output} ({Clock(result.ElapsedSeconds)}{(result.Reused > 0 ? $", {result.Reused} already there" : "")})");
            Console.WriteLine($"splits     {string.Join(", ", result.Splits.Select(s => $"{s.Key} {s.Value}"))}");
            Console.WriteLine($"soundfonts {string.Join(", ", result.SoundFonts.Select(s => $"{s.Key} {s.Value}"))}");
            PrintCategories(result.Categories.ToDictionary(c => c.Key, c => (double)c.Value), "stems", v => v.ToString("0", CultureInfo.InvariantCulture));
            foreach (var failure in result.Failures) Console.Error.WriteLine($"failed: {failure}");
            Console.WriteLine($"next: stemgen import {options.Output} --out <folder>");
            return result.Failures.Count > 0 && result.Songs == 0 ? 1 : 0;
        })));
        return command;
    }

    private static Command ImportCommand()
    {
        var source = new Argument<string>("dir") { Description = "A Slakh2100, BabySlakh or synth-dataset folder (or one split, or one track)." };
        var output = new Option<string>("--out") { Description = "Where the segments and manifest.json go.", Required = true };
        var rate = new Option<int>("--rate") { Description = "Sample rate of the codec (Hz).", DefaultValueFactory = _ => 32000 };
        var jobs = new Option<int>("--jobs") { Description = "Tracks imported at once (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var format = new Option<string>("--format") { Description = "Segment files: flac (24-bit, default) or wav (32-bit float).", DefaultValueFactory = _ => "flac" };
        var segment = new Option<double>("--segment") { Description = "Segment length in seconds (paper: 60).", DefaultValueFactory = _ => 60 };
        var command = new Command("import", "Import a Slakh-format dataset: mono stems at the codec rate in 1-minute segments, with a manifest; prints what was imported and skipped.");
        command.Arguments.Add(source);
        command.Options.Add(output);
        command.Options.Add(rate);
        command.Options.Add(jobs);
        command.Options.Add(format);
        command.Options.Add(segment);
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(CommandErrors.Run(() =>
        {
            var dir = parseResult.GetValue(source)!;
            if (!Directory.Exists(dir)) throw new UsageException($"{dir}: no such folder");
            var r = parseResult.GetValue(rate);
            if (r < 8000) throw new UsageException($"--rate must be at least 8000 Hz, not {r}");
            var j = parseResult.GetValue(jobs);
            if (j < 1) throw new UsageException($"--jobs must be at least 1, not {j}");
            var length = parseResult.GetValue(segment);
            if (!(length >= 20)) throw new UsageException($"--segment must be at least 20 s (one training crop), not {length}");
            var options = new ImportOptions
            {
                SampleRate = r,
                Jobs = j,
                Format = parseResult.GetValue(format)?.ToLowerInvariant() switch
                {
                    "flac" or "flac24" => AudioWriteFormat.Flac24,
                    "wav" or "wavf" => AudioWriteFormat.WavFloat,
                    var f => throw new UsageException($"unknown --format '{f}' (use flac or wav)"),
                },
                SegmentSeconds = length,
            };
            var clock = Stopwatch.StartNew();
            var bar = new ProgressBar("tracks");
            var manifest = SlakhImporter.Import(dir, parseResult.GetValue(output)!, options,
                new InlineProgress<ImportProgress>(p => bar.Update(p.TracksDone, p.TracksTotal, $"{p.Hours:0.00} h{(p.TracksSkipped > 0 ? $", {p.TracksSkipped} skipped" : "")}")),
                cancellationToken);
            bar.Done();
            PrintManifest(manifest, clock.Elapsed.TotalSeconds);
            return manifest.Summary.Tracks == 0 ? 1 : 0;
        })));
        return command;
    }

    private static void PrintManifest(ImportManifest manifest, double seconds)
    {
        var s = manifest.Summary;
        Console.WriteLine($"imported   {s.Tracks} tracks, {s.Segments} segments, {s.Stems} stems, {s.Hours:0.00} h at {manifest.SampleRate} Hz ({manifest.Format}) in {Clock(seconds)}");
        Console.WriteLine($"manifest   {Path.Combine(manifest.Root ?? "", ImportManifest.FileName)}");
        foreach (var (split, summary) in s.Splits)
            Console.WriteLine($"  {split,-11}{summary.Tracks,6} tracks {summary.Segments,7} segments {summary.Stems,7} stems {summary.Hours,8:0.00} h");
        PrintCategories(s.Categories.ToDictionary(c => c.Key, c => (double)c.Value), "stems", v => v.ToString("0", CultureInfo.InvariantCulture), s.CategoryHours);
        Console.WriteLine($"skipped    {s.TracksSkipped} tracks, {s.StemsSkipped} stems");
        foreach (var (reason, count) in s.SkipCounts) Console.WriteLine($"  {reason,-16}{count,6}");
        foreach (var skip in manifest.Skipped.Take(20)) Console.WriteLine($"  - {skip}");
        if (manifest.Skipped.Count > 20) Console.WriteLine($"  ... {manifest.Skipped.Count - 20} more in manifest.json");
    }

    private static void PrintCategories(IReadOnlyDictionary<InstrumentCategory, double> counts, string unit, Func<double, string> format,
        IReadOnlyDictionary<InstrumentCategory, double>? hours = null)
    {
        Console.WriteLine($"categories ({unit}{(hours is null ? "" : ", hours of stem audio")})");
        var max = Math.Max(1, counts.Values.DefaultIfEmpty(0).Max());
        foreach (var category in InstrumentCategories.All)
        {
            var n = counts.GetValueOrDefault(category);
            var bar = new string('#', (int)Math.Round(30 * n / max));
            var h = hours is null ? "" : $" {hours.GetValueOrDefault(category),7:0.00} h";
            Console.WriteLine($"  {(int)category,2} {category.DisplayName(),-21}{format(n),6}{h}  {bar}");
        }
    }

    internal static string Clock(double seconds) => TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>A one-line progress bar on stderr when it is a terminal; otherwise a line every 10 % or 30 s.</summary>
    internal sealed class ProgressBar(string unit)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly Lock gate = new();
        private readonly bool terminal = !Console.IsErrorRedirected;
        private int lastDecile = -1;
        private double lastLine;

        public void Update(int done, int total, string detail)
        {
            lock (gate)
            {
                var fraction = total == 0 ? 1 : (double)done / total;
                var elapsed = clock.Elapsed.TotalSeconds;
                var eta = done == 0 ? "" : $", eta {Clock(elapsed / fraction - elapsed)}";
                var text = $"{done}/{total} {unit}, {detail}, {Clock(elapsed)}{eta}";
                if (terminal)
                {
                    const int width = 30;
                    var filled = (int)(fraction * width);
                    Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}   ");
                    return;
                }
                var decile = (int)(fraction * 10);
                if (decile != lastDecile || elapsed - lastLine >= 30 || done == total)
                {
                    Console.Error.WriteLine(text);
                    lastDecile = decile;
                    lastLine = elapsed;
                }
            }
        }

        public void Done()
        {
            if (terminal) Console.Error.WriteLine();
        }
    }
}
