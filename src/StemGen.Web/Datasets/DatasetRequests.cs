using System.Globalization;
using StemGen.Data.Rendering;
using StemGen.Web.Data;

namespace StemGen.Web.Datasets;

/// <summary>Import a Slakh-format folder under the datasets root into another folder under it (`stemgen import`).</summary>
public sealed record ImportRequest(string? Source, string? Output, int SampleRate = 32000, double SegmentSeconds = 60)
{
    public void Validate()
    {
        if (SampleRate < 8000 || SampleRate > 192000) throw new StudioValidationException($"the sample rate must be between 8000 and 192000 Hz (the codec's rate), not {SampleRate}");
        if (!(SegmentSeconds >= 20) || SegmentSeconds > 600) throw new StudioValidationException($"the segment length must be 20 to 600 s (a training crop is 20 s), not {Format(SegmentSeconds)}");
    }

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Render a synthetic Slakh-format dataset into a folder under the datasets root (`stemgen synth-dataset`).</summary>
public sealed record SynthRequest(string? Output, double Hours, long Seed = 1, string? Style = "songs")
{
    public const double MaxHours = 100;

    public SynthStyle ParsedStyle() =>
        Enum.TryParse<SynthStyle>(Style ?? "", ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(Style, out _)
            ? s : throw new StudioValidationException($"the style must be songs, listening or mixed, not '{Style}'");

    public void Validate()
    {
        if (!(Hours > 0) || Hours > MaxHours) throw new StudioValidationException($"hours must be more than 0 and at most {MaxHours}, not {ImportRequest.Format(Hours)}");
        ParsedStyle();
    }
}

/// <summary>Encode an import's stems and context submixes with a codec into its token cache (`stemgen tokens build`).</summary>
public sealed record TokenCacheRequest(string? Dataset, string? Codec, string[]? Splits = null, int Submixes = 4, long Seed = 1, double EncodeSeconds = 0)
{
    public void Validate()
    {
        if (Submixes < 1 || Submixes > 64) throw new StudioValidationException($"submixes per segment must be 1 to 64 (contexts come from submixes), not {Submixes}");
        if (!(EncodeSeconds >= 0)) throw new StudioValidationException($"encode seconds must be 0 (all) or positive, not {ImportRequest.Format(EncodeSeconds)}");
        if (string.IsNullOrWhiteSpace(Codec)) throw new StudioValidationException("choose a codec");
    }
}
