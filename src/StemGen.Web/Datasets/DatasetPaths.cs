using Microsoft.Extensions.Options;
using StemGen.Data.Slakh;
using StemGen.Web.Data;

namespace StemGen.Web.Datasets;

/// <summary>
/// The dataset path guard: every dataset folder the studio reads or writes is named relative to
/// <see cref="StudioOptions.DatasetsRoot"/>, and only that root is reachable: a path with "..", outside the root,
/// or reaching out of it through a link is refused with a message for the admin.
/// </summary>
public sealed class DatasetPaths(IOptions<StudioOptions> options)
{
    public string Root => options.Value.FullDatasetsRoot;

    /// <summary>Dataset folders (relative paths) under the root, two levels deep, for the design page.</summary>
    public IReadOnlyList<string> List()
    {
        if (!Directory.Exists(Root)) return [];
        var found = new List<string>();
        foreach (var first in Directory.EnumerateDirectories(Root))
        {
            if (File.Exists(Path.Combine(first, ImportManifest.FileName))) found.Add(Path.GetRelativePath(Root, first));
            foreach (var second in Directory.EnumerateDirectories(first))
                if (File.Exists(Path.Combine(second, ImportManifest.FileName))) found.Add(Path.GetRelativePath(Root, second));
        }
        return found.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The full path of a dataset named relative to the root; refuses "..", other roots and links out of the root.</summary>
    public string Resolve(string dataset) => Confine(dataset, mustExist: true);

    /// <summary>
    /// The full path of a folder to write (an import, a render, a token cache), named relative to the root:
    /// the same refusals as <see cref="Resolve"/>, and the part of it that exists must not link out of the root;
    /// the root itself is refused.
    /// </summary>
    public string ResolveOutput(string folder)
    {
        var full = Confine(folder, mustExist: false);
        if (full.TrimEnd(Path.DirectorySeparatorChar) == Root.TrimEnd(Path.DirectorySeparatorChar))
            throw new StudioValidationException($"name a new folder under the datasets root {Root}, not the root itself");
        if (File.Exists(full)) throw new StudioValidationException($"'{folder.Trim()}' is a file, not a folder");
        return full;
    }

    private string Confine(string dataset, bool mustExist)
    {
        if (string.IsNullOrWhiteSpace(dataset)) throw new StudioValidationException("choose a dataset: a folder under the datasets root");
        var name = dataset.Trim();
        if (name.Split('/', '\\').Any(part => part == ".."))
            throw new StudioValidationException($"'{name}': '..' is not allowed in a dataset path; name a folder under the datasets root {Root}");
        var full = Path.GetFullPath(Path.IsPathRooted(name) ? name : Path.Combine(Root, name));
        Inside(Root, full, name);
        if (mustExist && !Directory.Exists(full)) throw new StudioValidationException($"unknown dataset '{name}': no such folder under {Root}");
        try { Inside(RealPath(Root), RealPath(full), name); }
        catch (IOException e) { throw new StudioValidationException($"'{name}' cannot be resolved: {e.Message}"); } // e.g. a loop of links
        return full;
    }

    /// <summary>Refuses <paramref name="path"/> unless it is <paramref name="root"/> or inside it.</summary>
    internal void Inside(string root, string path, string dataset)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (path != root && !path.StartsWith(prefix, StringComparison.Ordinal))
            throw new StudioValidationException($"'{dataset}' is outside the datasets root {Root} (links out of it count): datasets must live under it");
    }

    /// <summary>The path with every link along it followed (what the file system really opens).</summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                current = RealPath(target.FullName);
        }
        return current;
    }
}
