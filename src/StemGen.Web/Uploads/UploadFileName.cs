namespace StemGen.Web.Uploads;

/// <summary>
/// What the studio takes from a client's file name: a display name and an extension from a fixed
/// list. The name is only ever shown and stored as text; files on disk get generated names.
/// </summary>
public static class UploadFileName
{
    /// <summary>Extensions libsndfile decodes for the studio: WAV, FLAC, Ogg (Vorbis/Opus), MP3.</summary>
    public static readonly IReadOnlySet<string> AcceptedExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { ".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3" };

    /// <summary>The last path segment (either slash), without control and text-direction characters, trimmed, at most 200 characters; "untitled" when nothing is left.</summary>
    public static string DisplayName(string? clientName)
    {
        var name = clientName ?? "";
        var cut = Math.Max(name.LastIndexOf('/'), name.LastIndexOf('\\'));
        if (cut >= 0) name = name[(cut + 1)..];
        name = new string(name.Where(c => !Storage.UserText.IsUnsafe(c)).ToArray()).Trim().Trim('.').Trim();
        if (name.Length > 200) name = name[..200];
        return name.Length == 0 ? "untitled" : name;
    }

    /// <summary>The lower-case accepted extension of a display name, or null.</summary>
    public static string? AcceptedExtension(string displayName)
    {
        var dot = displayName.LastIndexOf('.');
        if (dot < 0) return null;
        var extension = displayName[dot..].ToLowerInvariant();
        return AcceptedExtensions.Contains(extension) ? extension : null;
    }

    /// <summary>The stem name: the display name without its extension.</summary>
    public static string StemName(string displayName)
    {
        var dot = displayName.LastIndexOf('.');
        var stem = dot > 0 ? displayName[..dot] : displayName;
        return stem.Length == 0 ? "untitled" : stem;
    }
}
