namespace StemGen.Audio.Midi;

/// <summary>
/// A MIDI event at an absolute tick within its track. Channels are 0-based (0..15): channel index 9
/// is the General MIDI drum channel ("channel 10"). A note-on with velocity 0 is read as a note-off.
/// </summary>
public abstract record MidiEvent(long Tick);

public sealed record NoteOnEvent(long Tick, int Channel, int Note, int Velocity) : MidiEvent(Tick);

public sealed record NoteOffEvent(long Tick, int Channel, int Note, int Velocity = 0) : MidiEvent(Tick);

public sealed record PolyPressureEvent(long Tick, int Channel, int Note, int Pressure) : MidiEvent(Tick);

public sealed record ControlChangeEvent(long Tick, int Channel, int Controller, int Value) : MidiEvent(Tick);

/// <summary>Program (instrument) 0..127, General MIDI numbering from 0.</summary>
public sealed record ProgramChangeEvent(long Tick, int Channel, int Program) : MidiEvent(Tick);

public sealed record ChannelPressureEvent(long Tick, int Channel, int Pressure) : MidiEvent(Tick);

/// <summary>Pitch bend, -8192..8191 (0 is centre).</summary>
public sealed record PitchBendEvent(long Tick, int Channel, int Value) : MidiEvent(Tick);

/// <summary>Set tempo (meta 0x51): microseconds per quarter note.</summary>
public sealed record TempoEvent(long Tick, int MicrosecondsPerQuarter) : MidiEvent(Tick)
{
    public double BeatsPerMinute => 60_000_000.0 / MicrosecondsPerQuarter;

    public static TempoEvent FromBpm(long tick, double bpm) => new(tick, (int)Math.Round(60_000_000.0 / bpm));
}

/// <summary>Time signature (meta 0x58): numerator / denominator (a power of two), with MIDI clock details.</summary>
public sealed record TimeSignatureEvent(long Tick, int Numerator, int Denominator, int ClocksPerClick = 24, int ThirtySecondsPerQuarter = 8) : MidiEvent(Tick);

/// <summary>Key signature (meta 0x59): -7 (7 flats) .. 7 (7 sharps), major or minor.</summary>
public sealed record KeySignatureEvent(long Tick, int SharpsOrFlats, bool Minor) : MidiEvent(Tick);

/// <summary>Text meta events 0x01..0x0F; 0x03 is the track name.</summary>
public sealed record TextEvent(long Tick, int Type, string Text) : MidiEvent(Tick)
{
    public const int TrackNameType = 0x03;
    public const int InstrumentNameType = 0x04;
    public const int LyricType = 0x05;
    public const int MarkerType = 0x06;

    public static TextEvent TrackName(long tick, string name) => new(tick, TrackNameType, name);
}

/// <summary>Any other meta event, kept as raw bytes so files round-trip.</summary>
public sealed record MetaEvent(long Tick, int Type, byte[] Data) : MidiEvent(Tick)
{
    public bool Equals(MetaEvent? other) =>
        other is not null && Tick == other.Tick && Type == other.Type && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Tick, Type, Data.Length);
}
