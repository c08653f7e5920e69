using System.Text.Json;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tokens;

/// <summary>What <see cref="TokenCache.Pack"/> wrote.</summary>
public sealed record TokenPackResult(int TrainTracks, int ValidationTracks, int TracksLeftOut, long Bytes);

public sealed partial class TokenCache
{
    /// <summary>
    /// Writes a training set that needs no audio into <paramref name="outDir"/>: manifest.json with
    /// whole tracks (every validation track, then train tracks in manifest order while they fit in
    /// <paramref name="maxBytes"/>), and tokens/ with this codec's token files, submix recipes and
    /// activity of those tracks plus <see cref="FingerprintsFile"/>, the fingerprints of the audio they
    /// came from. `stemgen train --data OUT` then trains on it as on the import (a lent GPU machine
    /// takes the working tree and 64 MiB, not the audio). Tracks must be cached already (`tokens build`).
    /// </summary>
    public TokenPackResult Pack(ImportManifest manifest, string outDir, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (System.IO.Directory.Exists(outDir) && System.IO.Directory.EnumerateFileSystemEntries(outDir).Any())
            throw new IOException($"{outDir} is not empty: pack into a new folder");
        var chosen = new List<(ImportedTrack Track, List<(string From, string To)> Files)>();
        long bytes = 0;
        var leftOut = 0;
        foreach (var track in manifest.Split("validation").Concat(manifest.Split("train")))
        {
            var files = TrackFiles(track, outDir);
            if (!files.Any(f => f.From.EndsWith(TokenFile.Extension, StringComparison.Ordinal)))
                throw new InvalidOperationException($"{track.Split}/{track.Id} has no tokens in {Directory}: run `stemgen tokens build` first");
            var size = files.Sum(f => new FileInfo(f.From).Length);
            if (bytes + size > maxBytes && track.Split == "train")
            {
                leftOut++;
                continue;
            }
            bytes += size;
            chosen.Add((track, files));
        }
        if (!chosen.Any(c => c.Track.Split == "train")) throw new InvalidOperationException($"not one train track fits in {maxBytes / 1048576.0:0.#} MiB next to the validation tracks");

        var outRoot = Path.Combine(outDir, "tokens");
        foreach (var (from, to) in chosen.SelectMany(c => c.Files))
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
        }
        File.Copy(Path.Combine(Directory, "identity.txt"), Path.Combine(outRoot, Path.GetFileName(Directory), "identity.txt"));
        var fingerprints = chosen.SelectMany(c => c.Track.Segments).SelectMany(s => s.Stems)
            .ToDictionary(s => s.File, s => Fingerprint(manifest, s.File));
        AtomicWrite.Text(Path.Combine(outRoot, FingerprintsFile), JsonSerializer.Serialize(fingerprints));
        (manifest with { Tracks = chosen.Select(c => c.Track).ToList() }).Save(Path.Combine(outDir, ImportManifest.FileName));
        return new TokenPackResult(chosen.Count(c => c.Track.Split == "train"), chosen.Count(c => c.Track.Split == "validation"), leftOut, bytes);
    }

    // A track's token files and recipes (this codec's folder) and its activity, with where each goes under OUT/tokens.
    private List<(string From, string To)> TrackFiles(ImportedTrack track, string outDir)
    {
        var outRoot = Path.Combine(outDir, "tokens");
        var folders = new[] { Path.Combine(Directory, track.Split, track.Id), Path.Combine(Root, "activity", track.Split, track.Id) };
        return folders.Where(System.IO.Directory.Exists)
            .SelectMany(folder => System.IO.Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(file => (file, Path.Combine(outRoot, Path.GetRelativePath(Root, file))))
            .ToList();
    }
}
