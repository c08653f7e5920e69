using Bunit;
using StemGen.Web.Components.Admin;

namespace StemGen.Web.Tests;

/// <summary>The training curves' axes: round, distinct, labelled ticks that span the values (a flat series included).</summary>
public sealed class CurveChartTests : BunitContext
{
    private static string Percent(double v) => (100 * v).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " %";

    private IReadOnlyList<string> YTicks(IReadOnlyList<CurveChart.Point> points, Func<double, string>? format = null) =>
        Render<CurveChart>(p => p
                .Add(c => c.Series, [new CurveChart.Line("s", points)])
                .Add(c => c.MaxStep, 10)
                .Add(c => c.Format, format))
            .FindAll(".y-tick").Select(e => e.TextContent).ToList();

    [Fact]
    public void A_flat_series_of_zeros_gets_an_axis_from_0_to_100_percent()
    {
        var ticks = YTicks([new(1, 0), new(2, 0), new(3, 0)], Percent);
        Assert.Equal(ticks.Distinct().Count(), ticks.Count);
        Assert.Equal("0 %", ticks[0]);
        Assert.Equal("100 %", ticks[^1]);
        Assert.DoesNotContain("-0 %", ticks);
    }

    [Fact]
    public void Loss_ticks_are_round_and_span_the_values()
    {
        var ticks = YTicks([new(1, 7.8), new(5, 6.9), new(10, 6.1)]).Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([6.5, 7.0, 7.5], ticks.Where(t => t is >= 6.1 and <= 7.8).ToList());
        Assert.All(ticks, t => Assert.InRange(t, 6.1 - 1e-9, 7.8 + 1e-9));
        Assert.Equal(ticks.Order().ToList(), ticks);
    }

    [Fact]
    public void Positive_values_that_are_not_squashed_start_the_axis_at_zero()
    {
        var ticks = YTicks([new(1, 1000), new(5, 5000), new(10, 9000)]);
        Assert.Equal("0", ticks[0]);
        Assert.Contains("8000", ticks);
    }

    [Fact]
    public void No_points_say_so_instead_of_drawing_axes()
    {
        var chart = Render<CurveChart>(p => p.Add(c => c.Series, [new CurveChart.Line("s", [new(1, double.NaN)])]));
        Assert.Contains("No points yet.", chart.Markup);
        Assert.Empty(chart.FindAll("svg"));
    }
}
