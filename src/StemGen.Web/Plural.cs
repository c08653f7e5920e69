using System.Globalization;

namespace StemGen.Web;

/// <summary>"1 stem", "2 stems": counts as the pages and job results write them.</summary>
public static class Plural
{
    public static string Of(long count, string noun, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? noun : plural ?? noun + "s")}");
}
