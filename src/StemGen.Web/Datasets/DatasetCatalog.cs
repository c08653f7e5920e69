using StemGen.Data;
using StemGen.Data.Slakh;
using StemGen.Web.Data;

namespace StemGen.Web.Datasets;

/// <summary>
/// What lies under the datasets root, for the datasets page: imported datasets with their figures per
/// split and per category (read from each import's manifest.json), their token caches, and the
/// Slakh-format folders that can be imported. Every path goes through <see cref="DatasetPaths"/>'s confinement.
/// </summary>
public sealed class DatasetCatalog(DatasetPaths paths)
{
    public sealed record SplitFigures(string Split, int Tracks, int Segments, int Stems, double Hours);

    /// <summary>Per category: usable stems and hours of stem audio, per split (in <see cref="ImportedDataset.Splits"/> order).</summary>
    public sealed record CategoryFigures(InstrumentCategory Category, IReadOnlyList<int> Stems, IReadOnlyList<double> Hours);

    public sealed record TokenCacheInfo(string Folder, string Identity, int Files, double Megabytes);

    public sealed record ImportedDataset(string Name, string Source, int SampleRate, string Format, DateTimeOffset Created,
        IReadOnlyList<SplitFigures> Splits, IReadOnlyList<CategoryFigures> Categories, int TracksSkipped, int StemsSkipped,
        IReadOnlyList<TokenCacheInfo> TokenCaches, string? Error);

    public string Root => paths.Root;

    /// <summary>Every import under the root; one whose manifest cannot be read is listed with the reason.</summary>
    public IReadOnlyList<ImportedDataset> Imported() => paths.List().Select(Describe).ToList();

    public ImportedDataset Describe(string name)
    {
        ImportManifest manifest;
        string folder;
        try
        {
            folder = paths.Resolve(name);
            manifest = ImportManifest.Load(Path.Combine(folder, ImportManifest.FileName));
        }
        catch (Exception e) when (e is StudioValidationException or InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            return new ImportedDataset(name, "", 0, "", default, [], [], 0, 0, [], $"cannot be read: {e.Message}");
        }
        var splits = manifest.Summary.Splits.Select(s => new SplitFigures(s.Key, s.Value.Tracks, s.Value.Segments, s.Value.Stems, s.Value.Hours)).ToList();
        var categories = new List<CategoryFigures>();
        foreach (var category in InstrumentCategories.All)
        {
            var stems = new List<int>();
            var hours = new List<double>();
            foreach (var split in splits)
            {
                var tracks = manifest.Split(split.Split).ToList();
                stems.Add(tracks.Sum(t => t.Stems.Count(s => s.Category == category)));
                // Hours of stem audio: each segment a stem of this category appears in (as ImportSummary.CategoryHours).
                hours.Add(tracks.Sum(t => t.Segments.Sum(g => g.Stems.Count(s => t.Stem(s.Id).Category == category) * (double)g.Frames))
                          / manifest.SampleRate / 3600);
            }
            if (stems.Any(n => n > 0)) categories.Add(new CategoryFigures(category, stems, hours));
        }
        return new ImportedDataset(name, manifest.Source, manifest.SampleRate, manifest.Format, manifest.Created, splits, categories,
            manifest.Summary.TracksSkipped, manifest.Summary.StemsSkipped, TokenCaches(Path.Combine(folder, "tokens")), null);
    }

    /// <summary>The token caches of an import (one folder per codec identity, each with identity.txt).</summary>
    private static List<TokenCacheInfo> TokenCaches(string cacheRoot)
    {
        if (!Directory.Exists(cacheRoot)) return [];
        var found = new List<TokenCacheInfo>();
        foreach (var folder in Directory.EnumerateDirectories(cacheRoot).Order(StringComparer.Ordinal))
        {
            var identity = Path.Combine(folder, "identity.txt");
            if (!File.Exists(identity)) continue;
            var files = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.Name != "identity.txt").ToList();
            found.Add(new TokenCacheInfo(Path.GetFileName(folder), File.ReadAllText(identity).Trim(), files.Count, files.Sum(f => f.Length) / 1e6));
        }
        return found;
    }

    /// <summary>Folders under the root (two levels) that hold Slakh-format tracks and are not imports themselves: what can be imported.</summary>
    public IReadOnlyList<string> SlakhFolders()
    {
        var root = paths.Root;
        if (!Directory.Exists(root)) return [];
        var found = new List<string>();
        foreach (var first in Directory.EnumerateDirectories(root))
        {
            if (LooksLikeSlakh(first)) { found.Add(Path.GetRelativePath(root, first)); continue; }
            if (File.Exists(Path.Combine(first, ImportManifest.FileName))) continue;
            foreach (var second in Directory.EnumerateDirectories(first))
                if (LooksLikeSlakh(second)) found.Add(Path.GetRelativePath(root, second));
        }
        return found.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A Slakh-format folder: a split folder or the folder itself holds Track* folders with metadata.yaml (and no import manifest).</summary>
    internal static bool LooksLikeSlakh(string folder)
    {
        if (File.Exists(Path.Combine(folder, ImportManifest.FileName))) return false;
        static bool HasTracks(string dir) => Directory.Exists(dir) && Directory.EnumerateDirectories(dir, "Track*")
            .Any(t => File.Exists(Path.Combine(t, "metadata.yaml")));
        return HasTracks(folder) || SlakhImporter.SplitNames.Any(split => HasTracks(Path.Combine(folder, split)));
    }
}
