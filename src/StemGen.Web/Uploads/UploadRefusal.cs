namespace StemGen.Web.Uploads;

/// <summary>Why one file (or the whole request) was refused. <see cref="Reason"/> is a stable code for clients; the message is for people.</summary>
public sealed record UploadRefusal(string File, string Reason, string Message);

/// <summary>An upload that was refused as a whole: nothing of it was kept.</summary>
public sealed class UploadRefusedException(IReadOnlyList<UploadRefusal> refusals)
    : Exception(string.Join("; ", refusals.Select(r => $"{r.File}: {r.Message}")))
{
    public IReadOnlyList<UploadRefusal> Refusals { get; } = refusals;
}

/// <summary>Stable refusal codes.</summary>
public static class UploadReasons
{
    public const string NotMultipart = "not-multipart";
    public const string NoFiles = "no-files";
    public const string TooManyFiles = "too-many-files";
    public const string TooBig = "too-big";
    public const string UnsupportedType = "unsupported-type";
    public const string TooLong = "too-long";
    public const string Corrupt = "corrupt";
    public const string Empty = "empty";
    public const string Unsupported = "unsupported";
    public const string BadAudio = "bad-audio";
    public const string UnusableFormat = "unusable-format";
}
