using System.Globalization;

namespace StemGen.Web.Components.Studio;

/// <summary>
/// The time axis of the project page: zoom (pixels per second), the project's length, and the grid (bars and beats
/// when a tempo is known, seconds otherwise). Pure arithmetic, so it is tested without a browser; the browser's
/// pointer and key handling (wwwroot/js/timeline.js) does the same conversions with the numbers this gives it.
/// </summary>
public sealed record TimelineScale(double PixelsPerSecond, double LengthSeconds, double? TempoBpm = null, int BeatsPerBar = 4)
{
    public const double MinPixelsPerSecond = 4, MaxPixelsPerSecond = 800, DefaultPixelsPerSecond = 40;
    /// <summary>One zoom step (buttons, keys, one wheel notch) multiplies or divides the scale by this.</summary>
    public const double ZoomStep = 1.5;
    /// <summary>Grid lines are at least this far apart, so labels do not overlap.</summary>
    public const double MinTickSpacingPixels = 64;

    public double Width => Math.Ceiling(LengthSeconds * PixelsPerSecond);

    public double X(double seconds) => seconds * PixelsPerSecond;

    public double Seconds(double x) => Math.Clamp(x / PixelsPerSecond, 0, LengthSeconds);

    /// <summary>The scale after <paramref name="steps"/> zoom steps (negative: out), within the limits.</summary>
    public TimelineScale Zoomed(int steps) =>
        this with { PixelsPerSecond = Math.Clamp(PixelsPerSecond * Math.Pow(ZoomStep, steps), MinPixelsPerSecond, MaxPixelsPerSecond) };

    /// <summary>The scale that shows the whole project in <paramref name="viewportPixels"/>.</summary>
    public TimelineScale Fitted(double viewportPixels) => LengthSeconds <= 0 || viewportPixels <= 0 ? this
        : this with { PixelsPerSecond = Math.Clamp(viewportPixels / LengthSeconds, MinPixelsPerSecond, MaxPixelsPerSecond) };

    public double? SecondsPerBeat => TempoBpm is > 0 and var bpm ? 60.0 / bpm : null;

    /// <summary>The nearest grid line to <paramref name="seconds"/>: a beat with a tempo, else a tenth of a second.</summary>
    public double Snap(double seconds)
    {
        var step = SecondsPerBeat ?? 0.1;
        return Math.Clamp(Math.Round(seconds / step) * step, 0, LengthSeconds);
    }

    public sealed record Tick(double Seconds, string Label, bool Major);

    /// <summary>
    /// Ruler lines from 0 to the end: bars ("5", beats "5.3" when there is room) with a tempo, else seconds ("0:05").
    /// The step grows with zoom-out so lines stay <see cref="MinTickSpacingPixels"/> apart.
    /// </summary>
    public IReadOnlyList<Tick> Ticks()
    {
        var ticks = new List<Tick>();
        if (LengthSeconds <= 0) return ticks;
        if (SecondsPerBeat is { } beat)
        {
            var beatsPerBar = Math.Max(1, BeatsPerBar);
            // Every beat, every bar, or every 2^k bars: the first that leaves enough room.
            var beatsPerTick = beat * PixelsPerSecond >= MinTickSpacingPixels ? 1 : beatsPerBar;
            while (beatsPerTick * beat * PixelsPerSecond < MinTickSpacingPixels) beatsPerTick *= 2;
            for (var b = 0L; b * beat <= LengthSeconds + 1e-9 && ticks.Count < 20000; b += beatsPerTick)
            {
                var bar = b / beatsPerBar + 1;
                var inBar = b % beatsPerBar;
                ticks.Add(new Tick(b * beat, inBar == 0 ? bar.ToString(CultureInfo.InvariantCulture) : $"{bar}.{inBar + 1}", inBar == 0));
            }
            return ticks;
        }
        double[] steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300];
        var stepSeconds = steps.FirstOrDefault(s => s * PixelsPerSecond >= MinTickSpacingPixels, 600);
        for (var i = 0L; i * stepSeconds <= LengthSeconds + 1e-9 && ticks.Count < 20000; i++)
        {
            var t = i * stepSeconds;
            ticks.Add(new Tick(t, Clock(t, stepSeconds < 1), stepSeconds >= 1 ? t % Math.Max(stepSeconds * 5, 1) < 1e-9 : Math.Abs(t - Math.Round(t)) < 1e-9));
        }
        return ticks;
    }

    /// <summary>"1:05" or, with tenths, "1:05.2".</summary>
    public static string Clock(double seconds, bool tenths = true)
    {
        seconds = Math.Max(0, seconds);
        var minutes = (int)(seconds / 60);
        var rest = seconds - 60 * minutes;
        return tenths
            ? string.Create(CultureInfo.InvariantCulture, $"{minutes}:{rest:00.0}")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}:{Math.Floor(rest + 1e-9):00}");
    }
}

/// <summary>
/// A time range the user dragged on a lane or on the ruler: ordered, inside the project, snapped to the grid, and at
/// least <see cref="MinSeconds"/> long (a click without a drag is a seek, not a selection).
/// </summary>
public sealed record TimeSelection(double Start, double End)
{
    public const double MinSeconds = 0.1;

    public double Length => End - Start;

    /// <summary>The selection a drag from <paramref name="from"/> to <paramref name="to"/> makes (either direction), or null when it is too short.</summary>
    public static TimeSelection? FromDrag(double from, double to, TimelineScale scale, bool snap = true)
    {
        if (!double.IsFinite(from) || !double.IsFinite(to)) return null;
        var (a, b) = from <= to ? (from, to) : (to, from);
        a = Math.Clamp(a, 0, scale.LengthSeconds);
        b = Math.Clamp(b, 0, scale.LengthSeconds);
        if (snap) (a, b) = (scale.Snap(a), scale.Snap(b));
        return b - a >= MinSeconds - 1e-9 ? new TimeSelection(Math.Round(a, 3), Math.Round(b, 3)) : null;
    }

    /// <summary>Moves one edge by <paramref name="seconds"/> (keyboard: shift+arrows move the end); null when it collapses.</summary>
    public TimeSelection? Extended(double seconds, TimelineScale scale) => FromDrag(Start, End + seconds, scale, snap: false);

    public string Describe() => $"{TimelineScale.Clock(Start)} – {TimelineScale.Clock(End)} ({Length.ToString("0.0", CultureInfo.InvariantCulture)} s)";
}
