using System.Globalization;
using System.Text;

namespace StemGen.Web.Listening;

/// <summary>The raw ratings of a study as CSV (RFC 4180): one row per rating, listeners pseudonymised, for analysis elsewhere.</summary>
public static class RatingsCsv
{
    public static string Write(IReadOnlyList<RatingRow> rows)
    {
        var csv = new StringBuilder("listener,item,condition,kind,preset,example,position,played_seconds,ended,score,rated_at,kept\r\n");
        foreach (var r in rows)
        {
            csv.AppendJoin(',', Field(r.Listener), Field(r.Item), Field(r.Condition), r.Kind, Field(r.Preset ?? ""),
                r.Example.ToString(CultureInfo.InvariantCulture), r.Position.ToString(CultureInfo.InvariantCulture),
                r.PlayedSeconds.ToString("0.###", CultureInfo.InvariantCulture), r.Ended ? "true" : "false",
                r.Score.ToString(CultureInfo.InvariantCulture), r.RatedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "", r.Kept ? "true" : "false");
            csv.Append("\r\n");
        }
        return csv.ToString();
    }

    /// <summary>Quoted when it holds a comma, quote or line break (every field is written by the studio, none by a user).</summary>
    private static string Field(string value) => value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
