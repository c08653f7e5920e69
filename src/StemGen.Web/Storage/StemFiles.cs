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

    /// <summary>A download name made of safe characters only (the stem name is user text).</summary>
    public static string SafeFileName(string name, string extension)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or ' ' or '.' ? c : '_').ToArray();
        var safe = new string(chars).Trim().Trim('.');
        if (safe.Length == 0) safe = "stem";
        if (safe.Length > 100) safe = safe[..100];
        return safe + extension;
    }
}
