namespace StemGen.Web.Storage;

/// <summary>File extensions and media types for stored audio, by the format label kept on the row.</summary>
public static class StemFiles
{
    public static string Extension(string format) => format switch
    {
        "FLAC" => ".flac",
        "OGG" => ".ogg",
        "MP3" => ".mp3",
        _ => ".wav",
    };

    public static string ContentType(string format) => format switch
    {
        "FLAC" => "audio/flac",
        "OGG" => "audio/ogg",
        "MP3" => "audio/mpeg",
        _ => "audio/wav",
    };

    /// <summary>Longest download name before the extension.</summary>
    public const int MaxFileNameLength = 100;

    /// <summary>
    /// A download name that keeps the user's text wherever file systems allow it ("Bass (generated #1.1).wav"):
    /// only characters no common platform accepts (&lt; &gt; : " / \ | ? *), control and bidi characters
    /// become '_'; leading and trailing dots and spaces go; Windows' reserved device names get a '_';
    /// at most <see cref="MaxFileNameLength"/> characters before the extension (never half a surrogate pair).
    /// </summary>
    public static string SafeFileName(string name, string extension) => SafeBaseName(name) + extension;

    private static string SafeBaseName(string name)
    {
        var chars = name.Select(c => c is '<' or '>' or ':' or '"' or '/' or '\\' or '|' or '?' or '*' || UserText.IsUnsafe(c) ? '_' : c).ToArray();
        var safe = Cut(new string(chars).Trim().Trim('.').Trim(), MaxFileNameLength).TrimEnd('.', ' ');
        if (safe.Length == 0) safe = "stem";
        if (ReservedNames.Contains(safe.Split('.')[0])) safe = "_" + safe;
        return safe;
    }

    /// <summary>
    /// Download names for many stems (one zip): each as <see cref="SafeFileName"/>, and a name already
    /// taken (without case) gets " (2)", " (3)"... with its text shortened to keep the suffix. Ends: each
    /// name takes at most one try more than there are names before it.
    /// </summary>
    public static List<string> UniqueFileNames(IEnumerable<(string Name, string Extension)> files)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        foreach (var (name, extension) in files)
        {
            var safe = SafeBaseName(name);
            var candidate = safe + extension;
            for (var n = 2; !used.Add(candidate); n++)
            {
                var suffix = $" ({n})";
                candidate = Cut(safe, MaxFileNameLength - suffix.Length).TrimEnd() + suffix + extension;
            }
            names.Add(candidate);
        }
        return names;
    }

    private static string Cut(string text, int length)
    {
        if (text.Length <= length) return text;
        return char.IsHighSurrogate(text[length - 1]) ? text[..(length - 1)] : text[..length];
    }

    private static readonly HashSet<string> ReservedNames = new(
        ["CON", "PRN", "AUX", "NUL", .. Enumerable.Range(1, 9).SelectMany(i => new[] { $"COM{i}", $"LPT{i}" })], StringComparer.OrdinalIgnoreCase);
}

/// <summary>Characters that user text (project and stem names) may not hold: controls and the bidi controls that make a name read differently than it is.</summary>
public static class UserText
{
    public static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>Why a name is refused, or null when it may be stored.</summary>
    public static string? Refusal(string name, string what) =>
        name.Any(IsUnsafe) ? $"a {what} cannot contain control or text-direction characters" : null;
}
