using System.Buffers.Binary;
using System.Text;

namespace StemGen.Audio.Midi;

/// <summary>Limits for reading MIDI files (they are small; anything huge is damaged or hostile).</summary>
public sealed record MidiReadOptions
{
    public static MidiReadOptions Default { get; } = new();

    /// <summary>Largest file accepted (default 32 MiB; Slakh's largest is well under 1 MiB).</summary>
    public int MaxBytes { get; init; } = 32 << 20;

    /// <summary>Most events accepted over all tracks (default 4 million).</summary>
    public int MaxEvents { get; init; } = 4_000_000;
}

/// <summary>
/// Parses Standard MIDI Files, formats 0 and 1: the MThd header, MTrk chunks (unknown chunks are
/// skipped, as the spec asks), variable-length quantities of at most 4 bytes, running status
/// (kept across meta events, as common players do), meta events, and sysex (skipped). Every
/// structural problem is a <see cref="MidiFormatException"/> naming the byte offset.
/// Ours rather than NAudio.Midi: its reader either refuses unpaired notes (strict) or skips events it
/// cannot parse without an error (lenient), and it misreads sysex; see README.md, "MIDI".
/// </summary>
public static class MidiReader
{
    public static MidiFile Read(string path, MidiReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= MidiReadOptions.Default;
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new MidiFormatException(path, null, Directory.Exists(path) ? "is a folder, not a MIDI file" : "no such file");
            if (info.Length > options.MaxBytes)
                throw new MidiFormatException(path, null, $"{info.Length} bytes is larger than the {options.MaxBytes} allowed for a MIDI file");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MidiFormatException(path, null, $"cannot read: {e.Message}", e);
        }
        return Read(bytes, path, options);
    }

    public static MidiFile Read(ReadOnlySpan<byte> bytes, string name, MidiReadOptions? options = null)
    {
        options ??= MidiReadOptions.Default;
        if (bytes.Length > options.MaxBytes)
            throw new MidiFormatException(name, null, $"{bytes.Length} bytes is larger than the {options.MaxBytes} allowed for a MIDI file");
        return new Parser(bytes, name, options).File();
    }

    private ref struct Parser(ReadOnlySpan<byte> data, string name, MidiReadOptions options)
    {
        private readonly ReadOnlySpan<byte> data = data;
        private int events;

        public MidiFile File()
        {
            if (data.Length == 0) throw Fail(null, "the file is empty (0 bytes)");
            if (data.Length < 4 || !Id(0, "MThd"))
                throw Fail(null, Id(0, "RIFF") ? "a RIFF MIDI (RMID) file; StemGen reads Standard MIDI Files (.mid)" : "not a Standard MIDI File (no MThd header)");
            if (data.Length < 14) throw Fail(data.Length, "truncated: the file ends inside the MThd header");
            var headerLength = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
            if (headerLength < 6) throw Fail(4, $"MThd chunk length {headerLength} is less than 6");
            if (headerLength > (uint)(data.Length - 8)) throw Fail(4, $"MThd chunk length {headerLength} runs past the end of the file");
            var format = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
            var declaredTracks = BinaryPrimitives.ReadUInt16BigEndian(data[10..]);
            var division = BinaryPrimitives.ReadUInt16BigEndian(data[12..]);
            if (format == 2) throw Fail(8, "format 2 (independent sequences) is not supported; StemGen reads formats 0 and 1");
            if (format > 2) throw Fail(8, $"unknown SMF format {format}");
            if (declaredTracks == 0) throw Fail(10, "the header declares no tracks");
            if (format == 0 && declaredTracks != 1) throw Fail(10, $"format 0 must have exactly one track, the header declares {declaredTracks}");
            var timing = Timing(division);

            var tracks = new List<MidiTrack>();
            var position = 8L + headerLength;
            while (tracks.Count < declaredTracks)
            {
                if (position + 8 > data.Length)
                    throw Fail(position, $"truncated: the header declares {declaredTracks} tracks but the file holds {tracks.Count}");
                var length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)(position + 4)..]);
                var body = position + 8;
                if (length > data.Length - body)
                    throw Fail(position, $"{(Id((int)position, "MTrk") ? $"track {tracks.Count + 1}" : "chunk")}: chunk length {length} runs past the end of the file ({data.Length - body} bytes remain)");
                if (Id((int)position, "MTrk")) tracks.Add(Track(tracks.Count + 1, (int)body, (int)length));
                else if (!IsPrintable((int)position)) throw Fail(position, "expected an MTrk chunk, found bytes that are not a chunk header");
                position = body + length;
            }
            return new MidiFile(format, timing, tracks);
        }

        private readonly MidiTiming Timing(ushort division)
        {
            if ((division & 0x8000) != 0)
            {
                var fps = -(sbyte)(division >> 8);
                var ticksPerFrame = division & 0xFF;
                if (fps is not (24 or 25 or 29 or 30) || ticksPerFrame == 0)
                    throw Fail(12, $"invalid SMPTE division: {fps} frames per second, {ticksPerFrame} ticks per frame");
                return MidiTiming.Smpte(fps, ticksPerFrame);
            }
            if (division == 0) throw Fail(12, "the header's division is 0 ticks per quarter note");
            return MidiTiming.Musical(division);
        }

        private MidiTrack Track(int number, int start, int length)
        {
            var end = start + length;
            var position = start;
            var tick = 0L;
            var running = 0; // running status: the last channel status byte
            var list = new List<MidiEvent>();
            while (position < end)
            {
                var delta = Vlq(ref position, end, number);
                tick += delta;
                if (position >= end) throw Fail(position, $"track {number}: the track ends after a delta time, without an event");
                int status = data[position];
                if (status >= 0x80) position++;
                else if (running == 0) throw Fail(position, $"track {number}: data byte 0x{status:X2} without a status byte (running status not established)");
                else status = running;

                if (status < 0xF0)
                {
                    running = status;
                    list.Add(Channel(status, ref position, end, tick, number));
                }
                else if (status is 0xF0 or 0xF7)
                {
                    // System exclusive: a length-prefixed blob that carries no musical content here.
                    var sysexLength = Vlq(ref position, end, number);
                    Skip(ref position, end, sysexLength, number, "sysex event");
                }
                else if (status == 0xFF)
                {
                    if (position >= end) throw Fail(position, $"track {number}: meta event cut off by the end of the track");
                    var type = data[position++];
                    if (type >= 0x80) throw Fail(position - 1, $"track {number}: meta event type 0x{type:X2} is not valid (types are 0x00..0x7F)");
                    var metaLength = Vlq(ref position, end, number);
                    var metaStart = position;
                    Skip(ref position, end, metaLength, number, $"meta event 0x{type:X2}");
                    if (type == 0x2F) return new MidiTrack(list, tick); // end of track: anything after it is ignored
                    if (Meta(type, data.Slice(metaStart, (int)metaLength), tick, metaStart, number) is { } meta) list.Add(meta);
                }
                else
                {
                    throw Fail(position - 1, $"track {number}: status byte 0x{status:X2} (a real-time or system-common message) is not allowed in a MIDI file");
                }
                if (++events > options.MaxEvents) throw Fail(position, $"more than {options.MaxEvents} events: not a sane MIDI file");
            }
            return new MidiTrack(list, tick); // no end-of-track event: tolerated, many writers omit it
        }

        private readonly MidiEvent Channel(int status, ref int position, int end, long tick, int number)
        {
            var kind = status & 0xF0;
            var channel = status & 0x0F;
            var size = kind is 0xC0 or 0xD0 ? 1 : 2;
            if (position + size > end) throw Fail(position, $"track {number}: event 0x{status:X2} cut off by the end of the track");
            int a = data[position], b = size == 2 ? data[position + 1] : 0;
            if (a >= 0x80 || b >= 0x80)
                throw Fail(position, $"track {number}: data byte 0x{Math.Max(a, b):X2} of event 0x{status:X2} has its top bit set");
            position += size;
            return kind switch
            {
                0x80 => new NoteOffEvent(tick, channel, a, b),
                0x90 when b == 0 => new NoteOffEvent(tick, channel, a, 0), // note-on with velocity 0 is a note-off
                0x90 => new NoteOnEvent(tick, channel, a, b),
                0xA0 => new PolyPressureEvent(tick, channel, a, b),
                0xB0 => new ControlChangeEvent(tick, channel, a, b),
                0xC0 => new ProgramChangeEvent(tick, channel, a),
                0xD0 => new ChannelPressureEvent(tick, channel, a),
                _ => new PitchBendEvent(tick, channel, (b << 7 | a) - 8192),
            };
        }

        private readonly MidiEvent? Meta(int type, ReadOnlySpan<byte> body, long tick, int offset, int number)
        {
            switch (type)
            {
                case 0x51:
                    if (body.Length != 3) throw Fail(offset, $"track {number}: tempo event with {body.Length} data bytes (must be 3)");
                    var tempo = body[0] << 16 | body[1] << 8 | body[2];
                    if (tempo == 0) throw Fail(offset, $"track {number}: tempo of 0 microseconds per quarter note");
                    return new TempoEvent(tick, tempo);
                case 0x58:
                    if (body.Length != 4) throw Fail(offset, $"track {number}: time signature with {body.Length} data bytes (must be 4)");
                    if (body[0] == 0 || body[1] > 30) throw Fail(offset, $"track {number}: invalid time signature {body[0]}/2^{body[1]}");
                    return new TimeSignatureEvent(tick, body[0], 1 << body[1], body[2], body[3]);
                case 0x59:
                    if (body.Length != 2) throw Fail(offset, $"track {number}: key signature with {body.Length} data bytes (must be 2)");
                    return new KeySignatureEvent(tick, (sbyte)body[0], body[1] != 0);
                case >= 0x01 and <= 0x0F:
                    return new TextEvent(tick, type, Encoding.UTF8.GetString(body));
                default:
                    return new MetaEvent(tick, type, body.ToArray());
            }
        }

        /// <summary>A variable-length quantity: 7 bits per byte, high bit = more follows, at most 4 bytes (0x0FFFFFFF).</summary>
        private readonly long Vlq(ref int position, int end, int number)
        {
            var start = position;
            long value = 0;
            for (var i = 0; i < 4; i++)
            {
                if (position >= end) throw Fail(start, $"track {number}: variable-length quantity cut off by the end of the track");
                var b = data[position++];
                value = value << 7 | (uint)(b & 0x7F);
                if ((b & 0x80) == 0) return value;
            }
            throw Fail(start, $"track {number}: variable-length quantity longer than 4 bytes");
        }

        private readonly void Skip(ref int position, int end, long length, int number, string what)
        {
            if (length > end - position)
                throw Fail(position, $"track {number}: {what} of {length} bytes runs past the end of the track ({end - position} bytes remain)");
            position += (int)length;
        }

        private readonly bool Id(int offset, string id) =>
            offset + 4 <= data.Length && data[offset] == id[0] && data[offset + 1] == id[1] && data[offset + 2] == id[2] && data[offset + 3] == id[3];

        /// <summary>Unknown chunk types are allowed, but their ids are four printable ASCII characters.</summary>
        private readonly bool IsPrintable(int offset)
        {
            for (var i = 0; i < 4; i++)
                if (data[offset + i] is < 0x20 or > 0x7E) return false;
            return true;
        }

        private readonly MidiFormatException Fail(long? offset, string problem) => new(name, offset, problem);
    }
}
