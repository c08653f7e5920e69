using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StemGen.Audio;
using StemGen.Audio.Midi;

namespace StemGen.Data.Slakh;

/// <summary>
/// Imports a Slakh2100 / BabySlakh / synth-dataset folder (docs/slakh.md) for
/// training: per usable stem, mono audio resampled to the codec rate, chunked into 1-minute segments
/// (paper section 3), one file per stem and segment, plus <see cref="ImportManifest"/>.
/// Output: OUT/{split}/{track}/{segment:000}/{stem}.flac, OUT/{split}/{track}/track.json, OUT/manifest.json.
/// Stems come from the folder as well as from metadata.yaml. Bad input (missing or broken metadata,
/// stems listed but missing, audio_rendered false, unreadable audio, silent stems, unknown programs,
/// tracks left with one stem) is skipped with a reason in the manifest; one bad track never stops
/// the import. Tracks are written atomically, so an interrupted import resumes where it stopped.
/// </summary>
public static class SlakhImporter
{
    public static readonly string[] SplitNames = ["train", "validation", "test", "omitted"];
    internal const string TrackRecordFile = "track.json";
    private static readonly string[] AudioExtensions = [".flac", ".wav"];

    /// <summary>A track folder found in the source, and the split it belongs to.</summary>
    public sealed record TrackSource(string Split, string Id, string Directory)
    {
        public string Name => $"{Split}/{Id}";
    }

    /// <summary>
    /// Finds tracks: ROOT/{train,validation,test,omitted}/Track*/ (Slakh2100), ROOT/Track*/ (BabySlakh,
    /// or one split folder: its name is the split), or ROOT itself when it is one track.
    /// </summary>
    public static IReadOnlyList<TrackSource> Discover(string root, string defaultSplit = "train")
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: no such folder");
        var full = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        if (LooksLikeTrack(full))
        {
            var parent = Path.GetFileName(Path.GetDirectoryName(full) ?? "");
            return [new TrackSource(SplitNames.Contains(parent) ? parent : defaultSplit, Path.GetFileName(full), full)];
        }
        var splits = SplitNames.Where(s => Directory.Exists(Path.Combine(full, s))).ToList();
        if (splits.Count > 0)
            return splits.SelectMany(s => TracksIn(Path.Combine(full, s)).Select(d => new TrackSource(s, Path.GetFileName(d), d))).ToList();
        var own = Path.GetFileName(full);
        var split = SplitNames.Contains(own) ? own : defaultSplit;
        return TracksIn(full).Select(d => new TrackSource(split, Path.GetFileName(d), d)).ToList();
    }

    private static IEnumerable<string> TracksIn(string directory) =>
        Directory.EnumerateDirectories(directory)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Where(d => LooksLikeTrack(d) || Path.GetFileName(d).StartsWith("Track", StringComparison.OrdinalIgnoreCase))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal);

    private static bool LooksLikeTrack(string directory) =>
        File.Exists(Path.Combine(directory, "metadata.yaml")) || Directory.Exists(Path.Combine(directory, "stems"));

    /// <summary>Imports every track under <paramref name="source"/> into <paramref name="output"/> and writes the manifest there.</summary>
    public static ImportManifest Import(string source, string output, ImportOptions? options = null,
        IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new ImportOptions();
        options.Validate();
        var tracks = Discover(source, options.DefaultSplit);
        Directory.CreateDirectory(output);
        var results = new TrackResult[tracks.Count];
        int done = 0, skippedTracks = 0;
        long importedFrames = 0;
        Parallel.For(0, tracks.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs, CancellationToken = cancellationToken }, i =>
        {
            var result = ImportTrackOrSkip(tracks[i], output, options, cancellationToken);
            results[i] = result;
            if (result.Track is null) Interlocked.Increment(ref skippedTracks);
            else Interlocked.Add(ref importedFrames, result.Track.Segments.Sum(s => (long)s.Frames));
            var n = Interlocked.Increment(ref done);
            progress?.Report(new ImportProgress(n, tracks.Count, tracks[i].Name, Interlocked.Read(ref importedFrames) / (double)options.SampleRate / 3600, Volatile.Read(ref skippedTracks)));
        });

        var imported = results.Where(r => r.Track is not null).Select(r => r.Track!)
            .OrderBy(t => ImportSummary.SplitOrder(t.Split)).ThenBy(t => t.Split, StringComparer.Ordinal).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        var skipped = results.SelectMany(r => r.Skips).ToList();
        var manifest = new ImportManifest
        {
            Source = Path.GetFullPath(source),
            Created = DateTimeOffset.UtcNow,
            SampleRate = options.SampleRate,
            SegmentSeconds = options.SegmentSeconds,
            MinSegmentSeconds = options.MinSegmentSeconds,
            Format = options.FormatName,
            Tracks = imported,
            Skipped = skipped,
            Summary = ImportSummary.Of(imported, skipped, options.SampleRate),
            Root = Path.GetFullPath(output),
        };
        manifest.Save(Path.Combine(output, ImportManifest.FileName));
        return manifest;
    }

    /// <summary>What became of one track: imported (Track set) or skipped, with the stems skipped either way.</summary>
    internal sealed record TrackResult(ImportedTrack? Track, IReadOnlyList<SkipRecord> Skips);

    /// <summary>What track.json holds: enough to reuse a track without reading its source again.</summary>
    private sealed record TrackRecord(string Fingerprint, ImportedTrack? Track, IReadOnlyList<SkipRecord> Skips);

    private static TrackResult ImportTrackOrSkip(TrackSource source, string output, ImportOptions options, CancellationToken cancellationToken)
    {
        var destination = Path.Combine(output, source.Split, source.Id);
        try
        {
            var fingerprint = Fingerprint(source.Directory, options);
            if (options.Resume && Reuse(output, destination, fingerprint) is { } reused) return reused;
            var result = ImportTrack(source, output, options, cancellationToken);
            Commit(result, destination, fingerprint);
            return result;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // Never abort a long import for one track; the reason goes to the manifest.
            // A failure is not recorded in track.json, so the next run tries the track again.
            return new TrackResult(null, [new SkipRecord(source.Name, null, SkipReason.Failed, $"{e.GetType().Name}: {e.Message}")]);
        }
    }

    private static TrackResult? Reuse(string output, string destination, string fingerprint)
    {
        var file = Path.Combine(destination, TrackRecordFile);
        if (!File.Exists(file)) return null;
        try
        {
            var record = JsonSerializer.Deserialize<TrackRecord>(File.ReadAllText(file), ImportManifest.Json);
            if (record is null || record.Fingerprint != fingerprint) return null;
            // Files may have been deleted by hand since: then import again.
            if (record.Track is not null && record.Track.Segments.Any(s => s.Stems.Any(x => !File.Exists(Path.Combine(output, x.File))))) return null;
            return new TrackResult(record.Track, record.Skips);
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Moves the staged track folder into place and writes track.json last.</summary>
    private static void Commit(TrackResult result, string destination, string fingerprint)
    {
        if (result.Skips.Any(s => s.Reason == SkipReason.Failed)) return;
        var record = JsonSerializer.Serialize(new TrackRecord(fingerprint, result.Track, result.Skips), ImportManifest.Json);
        Directory.CreateDirectory(destination);
        AtomicWrite.Text(Path.Combine(destination, TrackRecordFile), record);
    }

    /// <summary>Source files' names, sizes and times plus the settings: a change means import again.</summary>
    private static string Fingerprint(string directory, ImportOptions options)
    {
        var sb = new StringBuilder();
        sb.Append($"v{ImportManifest.CurrentVersion}|{options.SampleRate}|{options.SegmentSeconds:R}|{options.MinSegmentSeconds:R}|{options.FormatName}\n");
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            sb.Append(Path.GetRelativePath(directory, file)).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..32].ToLowerInvariant();
    }

    /// <summary>One stem to consider: from metadata, from the folder, or both.</summary>
    private sealed record StemCandidate(string Id, SlakhStem? Metadata, string? AudioPath);

    internal static TrackResult ImportTrack(TrackSource source, string output, ImportOptions options, CancellationToken cancellationToken)
    {
        var name = source.Name;
        var skips = new List<SkipRecord>();
        var metadataPath = Path.Combine(source.Directory, "metadata.yaml");
        if (!File.Exists(metadataPath)) return new TrackResult(null, [new SkipRecord(name, null, SkipReason.MissingMetadata, "no metadata.yaml")]);
        SlakhMetadata metadata;
        try
        {
            metadata = SlakhMetadata.Load(metadataPath);
        }
        catch (SlakhFormatException e)
        {
            return new TrackResult(null, [new SkipRecord(name, null, SkipReason.BadMetadata, e.Message)]);
        }

        var candidates = Candidates(source.Directory, metadata);
        var rate = options.SampleRate;
        var segmentFrames = (int)Math.Round(options.SegmentSeconds * rate);
        var minFrames = (int)Math.Round(options.MinSegmentSeconds * rate);
        var destination = Path.Combine(output, source.Split, source.Id);
        var staging = Path.Combine(output, source.Split, $".{source.Id}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            var stems = new List<ImportedStem>();
            var pieces = new List<(string Stem, int Segment, double Active)>();
            var warnings = new List<string>(metadata.Warnings);
            var longest = 0;
            foreach (var candidate in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var stemInfo = ResolveStem(candidate, source, metadata, skips);
                if (stemInfo is null) continue;
                AudioBuffer audio;
                try
                {
                    audio = AudioFile.Load(candidate.AudioPath!, rate, ChannelPolicy.Mono);
                }
                catch (AudioFormatException e)
                {
                    skips.Add(new SkipRecord(name, candidate.Id, SkipReason.UnreadableAudio, e.Message));
                    continue;
                }
                if (audio.IsSilent())
                {
                    skips.Add(new SkipRecord(name, candidate.Id, SkipReason.Silent, "no frame above -60 dB RMS"));
                    continue;
                }
                longest = Math.Max(longest, audio.Frames);
                stems.Add(stemInfo with { Seconds = (double)audio.Frames / rate });
                for (var k = 0; (long)k * segmentFrames < audio.Frames; k++)
                {
                    var start = k * segmentFrames;
                    var piece = audio.Slice(start, Math.Min(segmentFrames, audio.Frames - start));
                    var active = Activity.ActiveFraction(piece);
                    if (active == 0) continue; // silent here: not a useful context member or target
                    var folder = Path.Combine(staging, k.ToString("000"));
                    Directory.CreateDirectory(folder);
                    var written = AudioFile.Write(Path.Combine(folder, candidate.Id + options.Extension), piece, options.Format);
                    if (written.Clipped) warnings.Add($"{candidate.Id} segment {k}: {written.ClippedSamples} samples past full scale were clipped");
                    pieces.Add((candidate.Id, k, active));
                }
            }

            if (stems.Count < 2)
                return Skip(new SkipRecord(name, null, SkipReason.TooFewStems, $"{stems.Count} usable stem{(stems.Count == 1 ? "" : "s")}; a pair needs at least 2"));
            if (longest < minFrames)
                return Skip(new SkipRecord(name, null, SkipReason.TooShort, $"{(double)longest / rate:0.0} s, shorter than {options.MinSegmentSeconds:0.#} s"));

            var segments = new List<ImportedSegment>();
            int droppedShort = 0, droppedSparse = 0;
            for (var k = 0; (long)k * segmentFrames < longest; k++)
            {
                var frames = Math.Min(segmentFrames, longest - k * segmentFrames);
                var here = pieces.Where(p => p.Segment == k).OrderBy(p => p.Stem, StringComparer.Ordinal).ToList();
                var folder = Path.Combine(staging, k.ToString("000"));
                if (frames < minFrames || here.Count < 2)
                {
                    if (frames < minFrames) droppedShort++;
                    else droppedSparse++;
                    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                    continue;
                }
                segments.Add(new ImportedSegment
                {
                    Index = k,
                    Start = (double)k * segmentFrames / rate,
                    Frames = frames,
                    Stems = here.Select(p => new SegmentStem(p.Stem,
                        Path.Combine(source.Split, source.Id, k.ToString("000"), p.Stem + options.Extension).Replace('\\', '/'), Math.Round(p.Active, 4))).ToList(),
                });
            }
            if (droppedShort > 0) warnings.Add($"dropped a final segment shorter than {options.MinSegmentSeconds:0.#} s");
            if (droppedSparse > 0) warnings.Add($"dropped {droppedSparse} segment{(droppedSparse == 1 ? "" : "s")} with fewer than 2 active stems");
            if (segments.Count == 0)
                return Skip(new SkipRecord(name, null, SkipReason.TooFewStems, "no segment has 2 active stems"));

            // Swap the staged folder in: readers never see a half-written track.
            if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
            Directory.Move(staging, destination);
            var track = new ImportedTrack
            {
                Split = source.Split,
                Id = source.Id,
                Uuid = metadata.Uuid,
                Source = source.Directory,
                Seconds = (double)longest / rate,
                Key = metadata.Key,
                Tempo = metadata.Tempo,
                TimeSignature = metadata.TimeSignature,
                Groove = metadata.Groove,
                Chords = metadata.Chords,
                Stems = stems.OrderBy(s => s.Id, StringComparer.Ordinal).ToList(),
                Segments = segments,
                Warnings = warnings,
            };
            return new TrackResult(track, skips);

            TrackResult Skip(SkipRecord record)
            {
                if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
                return new TrackResult(null, [.. skips, record]);
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Stems from metadata.yaml and from the audio folder, by id.</summary>
    private static List<StemCandidate> Candidates(string trackDirectory, SlakhMetadata metadata)
    {
        var audioDirectory = Path.Combine(trackDirectory, metadata.AudioDir);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Directory.Exists(audioDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(audioDirectory).OrderBy(f => f, StringComparer.Ordinal))
            {
                if (AtomicWrite.IsTemp(file) || !AudioExtensions.Contains(Path.GetExtension(file).ToLowerInvariant())) continue;
                files.TryAdd(Path.GetFileNameWithoutExtension(file), file);
            }
        }
        var ids = metadata.Stems.Select(s => s.Id).Concat(files.Keys).Distinct().OrderBy(id => id, StringComparer.Ordinal);
        return ids.Select(id => new StemCandidate(id, metadata.Stem(id), files.GetValueOrDefault(id))).ToList();
    }

    /// <summary>The stem's identity and category, or null (with a skip record) when it cannot be used.</summary>
    private static ImportedStem? ResolveStem(StemCandidate candidate, TrackSource source, SlakhMetadata metadata, List<SkipRecord> skips)
    {
        var name = source.Name;
        var info = candidate.Metadata;
        if (info is not null && !info.AudioRendered)
        {
            skips.Add(new SkipRecord(name, candidate.Id, SkipReason.NotRendered, "audio_rendered: false"));
            return null;
        }
        if (candidate.AudioPath is null)
        {
            skips.Add(new SkipRecord(name, candidate.Id, SkipReason.MissingAudio, $"listed in metadata.yaml but {metadata.AudioDir}/{candidate.Id}.flac is missing"));
            return null;
        }
        int? program;
        bool isDrum;
        string? programName;
        if (info is not null)
        {
            program = info.ProgramNum;
            isDrum = info.IsDrum;
            programName = info.MidiProgramName;
        }
        else if (ProgramFromMidi(Path.Combine(source.Directory, metadata.MidiDir, candidate.Id + ".mid")) is { } fromMidi)
        {
            (program, isDrum) = fromMidi;
            programName = null;
        }
        else
        {
            skips.Add(new SkipRecord(name, candidate.Id, SkipReason.NotInMetadata, "audio file with no metadata.yaml entry and no MIDI file"));
            return null;
        }
        var category = info?.Category ?? InstrumentCategories.FromProgram(program ?? -1, isDrum);
        if (category is null)
        {
            skips.Add(new SkipRecord(name, candidate.Id, SkipReason.UnknownProgram,
                program is null ? "no program_num" : $"program_num {program} is not a General MIDI program (0-127) or drums (128)"));
            return null;
        }
        return new ImportedStem { Id = candidate.Id, Category = category.Value, Program = isDrum ? InstrumentCategories.DrumProgram : program, IsDrum = isDrum, Name = programName };
    }

    private static (int? Program, bool IsDrum)? ProgramFromMidi(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var parts = MidiFile.Read(path).Parts();
            var part = parts.Count > 0 ? parts[0] : null;
            return part is null ? null : (part.IsDrum ? InstrumentCategories.DrumProgram : part.Program, part.IsDrum);
        }
        catch (MidiFormatException)
        {
            return null;
        }
    }
}
