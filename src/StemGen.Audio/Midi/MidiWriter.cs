using System.Buffers.Binary;
using System.Text;

namespace StemGen.Audio.Midi;

/// <summary>
/// Writes Standard MIDI Files (formats 0 and 1): events stably sorted by tick, delta times as
/// variable-length quantities, running status for channel messages (reset after meta events, as
/// the spec asks), and an end-of-track event per track. The model is validated first: out-of-range
/// values are an <see cref="ArgumentException"/> naming the track and event.
/// Ours rather than NAudio's MidiFile.Export, which moves meta events before channel events at the
/// same tick and never writes running status; see README.md, "MIDI".
/// </summary>
public static class MidiWriter
{
    private const long MaxDelta = 0x0FFFFFFF;

    public static void Write(MidiFile file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ToBytes(file);
        using var target = AtomicFile.Create(path);
        target.Stream.Write(bytes);
        target.Commit();
    }

    public static byte[] ToBytes(MidiFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Tracks.Count == 0) throw new ArgumentException("a MIDI file needs at least one track", nameof(file));
        if (file.Format == 0 && file.Tracks.Count != 1)
            throw new ArgumentException($"format 0 holds exactly one track, this file has {file.Tracks.Count}; use ToFormat0() or format 1", nameof(file));
        if (file.Tracks.Count > ushort.MaxValue) throw new ArgumentException("more than 65535 tracks", nameof(file));

        var output = new MemoryStream();
        Span<byte> header = stackalloc byte[14];
        "MThd"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], 6);
        BinaryPrimitives.WriteUInt16BigEndian(header[8..], (ushort)file.Format);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], (ushort)file.Tracks.Count);
        BinaryPrimitives.WriteUInt16BigEndian(header[12..], file.Timing.Division);
        output.Write(header);
        Span<byte> chunk = stackalloc byte[8];
        for (var t = 0; t < file.Tracks.Count; t++)
        {
            var body = Track(file.Tracks[t], t + 1);
            "MTrk"u8.CopyTo(chunk);
            BinaryPrimitives.WriteUInt32BigEndian(chunk[4..], (uint)body.Length);
            output.Write(chunk);
            output.Write(body);
        }
        return output.ToArray();
    }

    private static byte[] Track(MidiTrack track, int number)
    {
        var output = new MemoryStream();
        var ordered = track.Events.Select((e, i) => (e, i)).OrderBy(x => x.e.Tick).ThenBy(x => x.i).Select(x => x.e);
        var tick = 0L;
        var running = 0;
        foreach (var e in ordered)
        {
            if (e.Tick < 0) throw new ArgumentException($"track {number}: {e} has a negative tick");
            var delta = e.Tick - tick;
            WriteDelta(output, delta, number);
            tick = e.Tick;
            switch (e)
            {
                case NoteOnEvent n: Channel(output, ref running, 0x90, n.Channel, Data(n.Note, e, number), Data(n.Velocity, e, number), number, e); break;
                case NoteOffEvent n: Channel(output, ref running, 0x80, n.Channel, Data(n.Note, e, number), Data(n.Velocity, e, number), number, e); break;
                case PolyPressureEvent p: Channel(output, ref running, 0xA0, p.Channel, Data(p.Note, e, number), Data(p.Pressure, e, number), number, e); break;
                case ControlChangeEvent c: Channel(output, ref running, 0xB0, c.Channel, Data(c.Controller, e, number), Data(c.Value, e, number), number, e); break;
                case ProgramChangeEvent p: Channel(output, ref running, 0xC0, p.Channel, Data(p.Program, e, number), -1, number, e); break;
                case ChannelPressureEvent p: Channel(output, ref running, 0xD0, p.Channel, Data(p.Pressure, e, number), -1, number, e); break;
                case PitchBendEvent p:
                    if (p.Value is < -8192 or > 8191) throw new ArgumentException($"track {number}: pitch bend {p.Value} is outside -8192..8191");
                    var bend = p.Value + 8192;
                    Channel(output, ref running, 0xE0, p.Channel, bend & 0x7F, bend >> 7, number, e);
                    break;
                case TempoEvent t:
                    if (t.MicrosecondsPerQuarter is < 1 or > 0xFFFFFF) throw new ArgumentException($"track {number}: tempo {t.MicrosecondsPerQuarter} us per quarter is outside 1..16777215");
                    Meta(output, ref running, 0x51, [(byte)(t.MicrosecondsPerQuarter >> 16), (byte)(t.MicrosecondsPerQuarter >> 8), (byte)t.MicrosecondsPerQuarter]);
                    break;
                case TimeSignatureEvent s:
                    var power = System.Numerics.BitOperations.Log2((uint)Math.Max(1, s.Denominator));
                    if (s.Numerator is < 1 or > 255 || s.Denominator < 1 || 1 << power != s.Denominator || power > 30 || s.ClocksPerClick is < 0 or > 255 || s.ThirtySecondsPerQuarter is < 0 or > 255)
                        throw new ArgumentException($"track {number}: invalid time signature {s.Numerator}/{s.Denominator}");
                    Meta(output, ref running, 0x58, [(byte)s.Numerator, (byte)power, (byte)s.ClocksPerClick, (byte)s.ThirtySecondsPerQuarter]);
                    break;
                case KeySignatureEvent k:
                    if (k.SharpsOrFlats is < -7 or > 7) throw new ArgumentException($"track {number}: key signature with {k.SharpsOrFlats} sharps/flats");
                    Meta(output, ref running, 0x59, [(byte)(sbyte)k.SharpsOrFlats, (byte)(k.Minor ? 1 : 0)]);
                    break;
                case TextEvent x:
                    if (x.Type is < 1 or > 0x0F) throw new ArgumentException($"track {number}: text meta type 0x{x.Type:X2} is outside 0x01..0x0F");
                    Meta(output, ref running, x.Type, Encoding.UTF8.GetBytes(x.Text));
                    break;
                case MetaEvent m:
                    if (m.Type is < 0 or > 0x7F || m.Type is 0x2F or 0x51 or 0x58 or 0x59 or (>= 0x01 and <= 0x0F))
                        throw new ArgumentException($"track {number}: raw meta type 0x{m.Type:X2} must be written through its own event type");
                    Meta(output, ref running, m.Type, m.Data);
                    break;
                default:
                    throw new ArgumentException($"track {number}: cannot write {e.GetType().Name}");
            }
        }
        WriteDelta(output, Math.Max(track.EndTick, tick) - tick, number);
        Meta(output, ref running, 0x2F, []);
        return output.ToArray();
    }

    private static int Data(int value, MidiEvent e, int number) =>
        value is >= 0 and <= 127 ? value : throw new ArgumentException($"track {number}: {e} has a data value {value} outside 0..127");

    private static void Channel(MemoryStream output, ref int running, int kind, int channel, int a, int b, int number, MidiEvent e)
    {
        if (channel is < 0 or > 15) throw new ArgumentException($"track {number}: {e} has channel {channel} outside 0..15");
        var status = kind | channel;
        if (status != running) output.WriteByte((byte)status);
        running = status;
        output.WriteByte((byte)a);
        if (b >= 0) output.WriteByte((byte)b);
    }

    private static void Meta(MemoryStream output, ref int running, int type, ReadOnlySpan<byte> data)
    {
        running = 0; // meta events cancel running status
        output.WriteByte(0xFF);
        output.WriteByte((byte)type);
        WriteVlq(output, data.Length);
        output.Write(data);
    }

    private static void WriteDelta(MemoryStream output, long delta, int number)
    {
        if (delta > MaxDelta)
            throw new ArgumentException($"track {number}: a gap of {delta} ticks between events exceeds the format's 0x0FFFFFFF");
        WriteVlq(output, delta);
    }

    /// <summary>7 bits per byte, most significant first, high bit set on all but the last.</summary>
    internal static void WriteVlq(Stream output, long value)
    {
        if (value is < 0 or > MaxDelta) throw new ArgumentOutOfRangeException(nameof(value), value, "a variable-length quantity holds 0..0x0FFFFFFF");
        Span<byte> buffer = stackalloc byte[4];
        var n = 0;
        buffer[3] = (byte)(value & 0x7F);
        n = 1;
        while ((value >>= 7) > 0) buffer[3 - n++] = (byte)(0x80 | (value & 0x7F));
        output.Write(buffer[(4 - n)..]);
    }
}
