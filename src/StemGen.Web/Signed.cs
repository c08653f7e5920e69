using System.Globalization;

namespace StemGen.Web;

/// <summary>
/// A difference with its sign to three decimals: "+0.150", "-0.004", "0.000". Rounds first: a format string alone
/// writes a tiny negative as "-+0.000".
/// </summary>
public static class Signed
{
    public static string Of(double value) => (Math.Round(value, 3) + 0.0).ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
}
