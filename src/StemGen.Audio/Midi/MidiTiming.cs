namespace StemGen.Audio.Midi;

/// <summary>
/// The header's division: ticks per quarter note (musical time, the usual case) or SMPTE frames
/// per second x ticks per frame (absolute time; tempo events then do not change timing).
/// </summary>
public readonly record struct MidiTiming
{
    private MidiTiming(int ticksPerQuarter, int smpteFps, int ticksPerFrame)
    {
        TicksPerQuarter = ticksPerQuarter;
        SmpteFramesPerSecond = smpteFps;
        TicksPerFrame = ticksPerFrame;
    }

    /// <summary>Ticks per quarter note; 0 for SMPTE timing.</summary>
    public int TicksPerQuarter { get; }

    /// <summary>24, 25, 29 (29.97 drop-frame) or 30; 0 for musical timing.</summary>
    public int SmpteFramesPerSecond { get; }

    public int TicksPerFrame { get; }

    public bool IsSmpte => SmpteFramesPerSecond != 0;

    public static MidiTiming Musical(int ticksPerQuarter)
    {
        if (ticksPerQuarter is < 1 or > 0x7FFF) throw new ArgumentOutOfRangeException(nameof(ticksPerQuarter), ticksPerQuarter, "must be 1..32767");
        return new(ticksPerQuarter, 0, 0);
    }

    public static MidiTiming Smpte(int framesPerSecond, int ticksPerFrame)
    {
        if (framesPerSecond is not (24 or 25 or 29 or 30)) throw new ArgumentOutOfRangeException(nameof(framesPerSecond), framesPerSecond, "SMPTE rates are 24, 25, 29 and 30");
        if (ticksPerFrame is < 1 or > 255) throw new ArgumentOutOfRangeException(nameof(ticksPerFrame), ticksPerFrame, "must be 1..255");
        return new(0, framesPerSecond, ticksPerFrame);
    }

    /// <summary>The 16-bit division word of the MThd chunk.</summary>
    internal ushort Division => IsSmpte ? (ushort)((-SmpteFramesPerSecond & 0xFF) << 8 | TicksPerFrame) : (ushort)TicksPerQuarter;

    internal double SmpteTicksPerSecond => (SmpteFramesPerSecond == 29 ? 29.97 : SmpteFramesPerSecond) * TicksPerFrame;
}

/// <summary>
/// Converts ticks to seconds through the tempo changes of a file (default 120 BPM before the
/// first one). Tempo events from every track count, as players apply them (in format 1 they
/// normally sit in the first, "conductor", track); at equal ticks the later one wins.
/// </summary>
public sealed class TempoMap
{
    public const int DefaultMicrosecondsPerQuarter = 500_000;

    private readonly MidiTiming timing;
    private readonly long[] ticks;
    private readonly double[] seconds;
    private readonly int[] tempi;

    public TempoMap(MidiTiming timing, IEnumerable<TempoEvent> tempoEvents)
    {
        this.timing = timing;
        var changes = new List<(long Tick, int Tempo)> { (0, DefaultMicrosecondsPerQuarter) };
        foreach (var e in tempoEvents.OrderBy(e => e.Tick)) // OrderBy is stable: later events of a tick stay later
        {
            if (changes[^1].Tick == e.Tick) changes[^1] = (e.Tick, e.MicrosecondsPerQuarter);
            else changes.Add((e.Tick, e.MicrosecondsPerQuarter));
        }
        ticks = changes.Select(c => c.Tick).ToArray();
        tempi = changes.Select(c => c.Tempo).ToArray();
        seconds = new double[ticks.Length];
        if (timing.IsSmpte) return; // absolute time: tempo changes do not move events
        for (var i = 1; i < ticks.Length; i++)
            seconds[i] = seconds[i - 1] + Span(ticks[i] - ticks[i - 1], tempi[i - 1]);
    }

    /// <summary>The time of <paramref name="tick"/> in seconds from the start.</summary>
    public double ToSeconds(long tick)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tick);
        if (timing.IsSmpte) return tick / timing.SmpteTicksPerSecond;
        var i = Array.BinarySearch(ticks, tick);
        if (i < 0) i = ~i - 1;
        return seconds[i] + Span(tick - ticks[i], tempi[i]);
    }

    /// <summary>The tempo in force at <paramref name="tick"/>, microseconds per quarter.</summary>
    public int TempoAt(long tick)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tick);
        var i = Array.BinarySearch(ticks, tick);
        return tempi[i < 0 ? ~i - 1 : i];
    }

    private double Span(long deltaTicks, int microsecondsPerQuarter) =>
        deltaTicks * (microsecondsPerQuarter / 1e6) / timing.TicksPerQuarter;
}
