using StemGen.Audio.Midi;

namespace StemGen.Audio.Tests;

/// <summary>The SMF reader and writer against hand-built bytes that follow the spec, round trips and bad files.</summary>
public sealed class MidiTests : TempFolderTests
{
    /// <summary>
    /// Format 1, 96 ticks per quarter, two tracks. Conductor: name, 120 BPM, 3/4, then 60 BPM at tick 384.
    /// Bass track: program 33 on channel 0; note 40 (0..96) closed by running-status note-on velocity 0;
    /// note 42 (96..576) around a sysex; a drum note 36 on channel index 9 (576..624).
    /// </summary>
    internal static readonly byte[] HandBuilt =
    [
        .. "MThd"u8, 0, 0, 0, 6, 0, 1, 0, 2, 0, 96,
        .. "MTrk"u8, 0, 0, 0, 36,
        0x00, 0xFF, 0x03, 0x05, .. "Tempo"u8,
        0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,
        0x00, 0xFF, 0x58, 0x04, 0x03, 0x02, 0x18, 0x08,
        0x83, 0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40,
        0x00, 0xFF, 0x2F, 0x00,
        .. "MTrk"u8, 0, 0, 0, 44,
        0x00, 0xFF, 0x03, 0x04, .. "Bass"u8,
        0x00, 0xC0, 0x21,
        0x00, 0x90, 0x28, 0x64,
        0x60, 0x28, 0x00,
        0x00, 0x2A, 0x50,
        0x00, 0xF0, 0x03, 0x7E, 0x7F, 0xF7,
        0x83, 0x60, 0x80, 0x2A, 0x40,
        0x00, 0x99, 0x24, 0x7F,
        0x30, 0x89, 0x24, 0x00,
        0x00, 0xFF, 0x2F, 0x00,
    ];

    [Fact]
    public void Hand_built_file_parses_to_the_expected_model()
    {
        var file = MidiFile.Read(HandBuilt);
        Assert.Equal(1, file.Format);
        Assert.Equal(96, file.Timing.TicksPerQuarter);
        Assert.Equal(2, file.Tracks.Count);
        Assert.Equal("Tempo", file.Tracks[0].Name);
        Assert.Equal("Bass", file.Tracks[1].Name);
        Assert.Equal(
            [TextEvent.TrackName(0, "Tempo"), new TempoEvent(0, 500_000), new TimeSignatureEvent(0, 3, 4, 24, 8), new TempoEvent(384, 1_000_000)],
            file.Tracks[0].Events);
        Assert.Equal(
            [
                TextEvent.TrackName(0, "Bass"), new ProgramChangeEvent(0, 0, 33), new NoteOnEvent(0, 0, 40, 100),
                new NoteOffEvent(96, 0, 40, 0), new NoteOnEvent(96, 0, 42, 80), new NoteOffEvent(576, 0, 42, 64),
                new NoteOnEvent(576, 9, 36, 127), new NoteOffEvent(624, 9, 36, 0),
            ],
            file.Tracks[1].Events); // the sysex is skipped
        Assert.Equal(384, file.Tracks[0].EndTick);
        Assert.Equal(624, file.Tracks[1].EndTick);
    }

    [Fact]
    public void Notes_are_paired_and_timed_through_tempo_changes()
    {
        var notes = MidiFile.Read(HandBuilt).Notes();
        Assert.Equal(3, notes.Count);
        Assert.Equal(new MidiNote(1, 0, 33, 40, 100, 0, 96, 0.0, 0.5), notes[0]);
        Assert.Equal(new MidiNote(1, 0, 33, 42, 80, 96, 576, 0.5, 4.0), notes[1]); // 2 s at 120 BPM, then 192 ticks at 60 BPM
        Assert.Equal(new MidiNote(1, 9, 0, 36, 127, 576, 624, 4.0, 4.5), notes[2]);
        Assert.True(notes[2].IsDrum);
    }

    [Fact]
    public void Parts_split_per_instrument_with_drums_apart()
    {
        var parts = MidiFile.Read(HandBuilt).Parts();
        Assert.Equal(2, parts.Count);
        Assert.Equal((1, 0, 33, false, "Bass", 2), (parts[0].Track, parts[0].Channel, parts[0].Program, parts[0].IsDrum, parts[0].Name, parts[0].Notes.Count));
        Assert.Equal((1, 9, 0, true, 1), (parts[1].Track, parts[1].Channel, parts[1].Program, parts[1].IsDrum, parts[1].Notes.Count));
    }

    [Fact]
    public void A_part_file_keeps_its_notes_and_timing()
    {
        var source = MidiFile.Read(HandBuilt);
        var bass = source.Parts()[0];
        var path = PathOf("bass.mid");
        bass.ToMidiFile(source).Write(path);
        var reread = MidiFile.Read(path);
        var notes = reread.Notes();
        Assert.Equal(bass.Notes.Select(n => (n.Pitch, n.Velocity, n.StartTick, n.EndTick, n.Start, n.End)),
            notes.Select(n => (n.Pitch, n.Velocity, n.StartTick, n.EndTick, n.Start, n.End)));
        Assert.All(notes, n => Assert.Equal(33, n.Program));
        Assert.Equal(source.DurationSeconds, reread.DurationSeconds, 9);
    }

    [Fact]
    public void Writing_and_reading_back_gives_the_same_model()
    {
        var file = MidiFile.Read(HandBuilt);
        var path = PathOf("rt.mid");
        file.Write(path);
        var back = MidiFile.Read(path);
        Assert.Equal(file.Format, back.Format);
        Assert.Equal(file.Timing, back.Timing);
        for (var t = 0; t < file.Tracks.Count; t++)
        {
            Assert.Equal(file.Tracks[t].Events, back.Tracks[t].Events);
            Assert.Equal(file.Tracks[t].EndTick, back.Tracks[t].EndTick);
        }
        Assert.Equal(File.ReadAllBytes(path), back.ToBytes()); // and writing is deterministic
        Assert.Equal(["rt.mid"], Leftovers());
    }

    [Fact]
    public void Every_event_kind_round_trips()
    {
        var events = new MidiEvent[]
        {
            TextEvent.TrackName(0, "Ünïcode name"), new TextEvent(0, TextEvent.MarkerType, "verse"),
            new KeySignatureEvent(0, -3, true), new TimeSignatureEvent(0, 7, 8, 36, 8), TempoEvent.FromBpm(0, 93),
            new ProgramChangeEvent(0, 3, 127), new ControlChangeEvent(0, 3, 64, 127), new PitchBendEvent(10, 3, -8192),
            new PitchBendEvent(11, 3, 8191), new PitchBendEvent(12, 3, 0), new ChannelPressureEvent(13, 3, 5),
            new PolyPressureEvent(14, 3, 60, 9), new NoteOnEvent(15, 15, 127, 1), new NoteOffEvent(0x0FFFFFFF, 15, 127, 127),
            new MetaEvent(0x0FFFFFFF, 0x7F, [1, 2, 3]),
        };
        var file = new MidiFile(0, MidiTiming.Musical(480), [new MidiTrack(events)]);
        var back = MidiFile.Read(file.ToBytes());
        Assert.Equal(events, back.Tracks[0].Events);
    }

    [Fact]
    public void The_writer_emits_spec_bytes_with_running_status()
    {
        var file = new MidiFile(0, MidiTiming.Musical(96), [new MidiTrack(
        [
            new NoteOnEvent(0, 0, 60, 100), new NoteOnEvent(0, 0, 64, 100), new NoteOffEvent(96, 0, 60, 0),
            new NoteOffEvent(96, 0, 64, 0),
        ])]);
        byte[] expected =
        [
            .. "MThd"u8, 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
            .. "MTrk"u8, 0, 0, 0, 18,
            0x00, 0x90, 60, 100, 0x00, 64, 100, // second note-on by running status
            0x60, 0x80, 60, 0, 0x00, 64, 0,
            0x00, 0xFF, 0x2F, 0x00,
        ];
        Assert.Equal(expected, file.ToBytes());
    }

    [Theory]
    [InlineData(0x00, new byte[] { 0x00 })]
    [InlineData(0x40, new byte[] { 0x40 })]
    [InlineData(0x7F, new byte[] { 0x7F })]
    [InlineData(0x80, new byte[] { 0x81, 0x00 })]
    [InlineData(0x2000, new byte[] { 0xC0, 0x00 })]
    [InlineData(0x3FFF, new byte[] { 0xFF, 0x7F })]
    [InlineData(0x4000, new byte[] { 0x81, 0x80, 0x00 })]
    [InlineData(0x100000, new byte[] { 0xC0, 0x80, 0x00 })]
    [InlineData(0x1FFFFF, new byte[] { 0xFF, 0xFF, 0x7F })]
    [InlineData(0x200000, new byte[] { 0x81, 0x80, 0x80, 0x00 })]
    [InlineData(0x8000000, new byte[] { 0xC0, 0x80, 0x80, 0x00 })]
    [InlineData(0xFFFFFFF, new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })]
    public void Variable_length_quantities_match_the_spec_table(int value, byte[] encoded)
    {
        var stream = new MemoryStream();
        MidiWriter.WriteVlq(stream, value);
        Assert.Equal(encoded, stream.ToArray());
        // And the reader takes it as a delta time.
        var file = MidiFile.Read([.. "MThd"u8, 0, 0, 0, 6, 0, 0, 0, 1, 0, 96, .. "MTrk"u8, 0, 0, 0, (byte)(encoded.Length + 3), .. encoded, 0xFF, 0x2F, 0x00]);
        Assert.Equal(value, file.Tracks[0].EndTick);
    }

    [Fact]
    public void Format_0_merge_keeps_every_note()
    {
        var file = MidiFile.Read(HandBuilt);
        var merged = MidiFile.Read(file.ToFormat0().ToBytes());
        Assert.Equal(0, merged.Format);
        Assert.Single(merged.Tracks);
        Assert.Equal(file.Notes().Select(n => (n.Channel, n.Pitch, n.Start, n.End, n.Program)),
            merged.Notes().Select(n => (n.Channel, n.Pitch, n.Start, n.End, n.Program)));
    }

    [Fact]
    public void Smpte_timing_is_absolute()
    {
        // Division 0xE728: -25 frames per second x 40 ticks per frame = 1000 ticks per second.
        var file = MidiFile.Read([.. "MThd"u8, 0, 0, 0, 6, 0, 0, 0, 1, 0xE7, 0x28, .. "MTrk"u8, 0, 0, 0, 8, 0x00, 0x90, 60, 100, 0x87, 0x68, 0x3C, 0x00]);
        Assert.True(file.Timing.IsSmpte);
        var note = Assert.Single(file.Notes());
        Assert.Equal(1.0, note.End, 9); // 1000 ticks
    }

    [Fact]
    public void Overlapping_notes_of_one_pitch_close_first_in_first_out_and_dangling_notes_end_with_the_track()
    {
        var file = new MidiFile(0, MidiTiming.Musical(100), [new MidiTrack(
        [
            new NoteOnEvent(0, 0, 60, 10), new NoteOnEvent(50, 0, 60, 20), new NoteOffEvent(100, 0, 60),
            new NoteOffEvent(150, 0, 60), new NoteOffEvent(160, 0, 61), new NoteOnEvent(170, 0, 62, 30),
        ], endTick: 400)]);
        var notes = file.Notes();
        Assert.Equal([(0L, 100L, 10), (50L, 150L, 20), (170L, 400L, 30)], notes.Select(n => (n.StartTick, n.EndTick, n.Velocity)));
    }

    [Fact]
    public void Program_changes_split_one_channel_into_two_parts()
    {
        var file = new MidiFile(0, MidiTiming.Musical(100), [new MidiTrack(
        [
            new ProgramChangeEvent(0, 2, 0), new NoteOnEvent(0, 2, 60, 90), new NoteOffEvent(100, 2, 60),
            new ProgramChangeEvent(100, 2, 40), new NoteOnEvent(100, 2, 62, 90), new NoteOffEvent(200, 2, 62),
        ])]);
        Assert.Equal([0, 40], file.Parts().Select(p => p.Program));
    }

    // ---- bad files ----

    private static MidiFormatException Refused(byte[] bytes)
    {
        var error = Assert.Throws<MidiFormatException>(() => MidiFile.Read(bytes, "bad.mid"));
        Assert.StartsWith("bad.mid: ", error.Message);
        return error;
    }

    private static byte[] Header(int format = 0, int tracks = 1, int division = 96) =>
        [.. "MThd"u8, 0, 0, 0, 6, 0, (byte)format, (byte)(tracks >> 8), (byte)tracks, (byte)(division >> 8), (byte)division];

    private static byte[] Track(params byte[] body) => [.. "MTrk"u8, 0, 0, (byte)(body.Length >> 8), (byte)body.Length, .. body];

    [Fact]
    public void Empty_file_is_refused() => Assert.Contains("empty", Refused([]).Message);

    [Fact]
    public void Missing_MThd_is_refused() => Assert.Equal("bad.mid: not a Standard MIDI File (no MThd header)", Refused([.. "junk"u8, .. new byte[20]]).Message);

    [Fact]
    public void Header_cut_short_is_refused() => Assert.Contains("truncated", Refused(Header()[..10]).Message);

    [Fact]
    public void Header_length_past_the_end_is_refused()
    {
        var bytes = Header();
        bytes[7] = 200;
        Assert.Contains("MThd chunk length 200 runs past the end", Refused(bytes).Message);
    }

    [Fact]
    public void Track_chunk_length_past_the_end_is_refused()
    {
        byte[] bytes = [.. Header(), .. "MTrk"u8, 0, 1, 0, 0, 0x00, 0xFF, 0x2F, 0x00];
        var error = Refused(bytes);
        Assert.Equal(14, error.Offset);
        Assert.Contains("track 1: chunk length 65536 runs past the end of the file (4 bytes remain)", error.Message);
    }

    [Fact]
    public void Fewer_tracks_than_declared_is_refused()
    {
        Assert.Contains("declares 3 tracks but the file holds 1", Refused([.. Header(1, 3), .. Track(0x00, 0xFF, 0x2F, 0x00)]).Message);
    }

    [Fact]
    public void Overlong_variable_length_quantity_is_refused()
    {
        Assert.Contains("longer than 4 bytes", Refused([.. Header(), .. Track(0x81, 0x80, 0x80, 0x80, 0x00, 0xFF, 0x2F, 0x00)]).Message);
    }

    [Fact]
    public void Running_status_without_a_status_byte_is_refused()
    {
        Assert.Contains("without a status byte", Refused([.. Header(), .. Track(0x00, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00)]).Message);
    }

    [Fact]
    public void A_data_byte_with_its_top_bit_set_is_refused()
    {
        Assert.Contains("top bit set", Refused([.. Header(), .. Track(0x00, 0x90, 0x3C, 0xC0, 0x00, 0xFF, 0x2F, 0x00)]).Message);
    }

    [Fact]
    public void Meta_event_longer_than_its_track_is_refused()
    {
        Assert.Contains("runs past the end of the track", Refused([.. Header(), .. Track(0x00, 0xFF, 0x01, 0x40, 0x41)]).Message);
    }

    [Fact]
    public void Tempo_with_the_wrong_length_is_refused()
    {
        Assert.Contains("tempo event with 2 data bytes", Refused([.. Header(), .. Track(0x00, 0xFF, 0x51, 0x02, 0x07, 0xA1, 0x00, 0xFF, 0x2F, 0x00)]).Message);
    }

    [Fact]
    public void Format_2_is_refused() => Assert.Contains("format 2", Refused([.. Header(2), .. Track(0x00, 0xFF, 0x2F, 0x00)]).Message);

    [Fact]
    public void Zero_division_is_refused() => Assert.Contains("division is 0", Refused([.. Header(division: 0), .. Track(0x00, 0xFF, 0x2F, 0x00)]).Message);

    [Fact]
    public void Real_time_status_bytes_are_refused()
    {
        Assert.Contains("0xF8", Refused([.. Header(), .. Track(0x00, 0xF8, 0x00, 0xFF, 0x2F, 0x00)]).Message);
    }

    [Fact]
    public void Files_above_the_size_limit_are_refused_before_parsing()
    {
        var error = Assert.Throws<MidiFormatException>(() => MidiFile.Read(HandBuilt, "big.mid", new MidiReadOptions { MaxBytes = 50 }));
        Assert.Contains("larger than the 50 allowed", error.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_with_its_name()
    {
        var error = Assert.Throws<MidiFormatException>(() => MidiFile.Read(PathOf("none.mid")));
        Assert.Equal("none.mid: no such file", error.Message);
    }

    [Fact]
    public void Unknown_chunks_are_skipped_and_a_missing_end_of_track_tolerated()
    {
        var file = MidiFile.Read([.. Header(), .. "XFIH"u8, 0, 0, 0, 2, 1, 2, .. Track(0x00, 0x90, 60, 100, 0x10, 0x80, 60, 0)]);
        Assert.Equal(16, Assert.Single(file.Notes()).EndTick);
    }

    [Fact]
    public void Sysex_packets_and_escapes_are_skipped_by_their_length()
    {
        // A sysex packet that does not end in F7 (continued later), then an F7 escape: both are skipped
        // by their length prefix, and the note after them is kept (NAudio.Midi 3.3.0 loses it).
        var file = MidiFile.Read([.. Header(), .. Track(0x00, 0xF0, 0x02, 0x7E, 0x7F, 0x00, 0xF7, 0x02, 0x01, 0x02,
            0x00, 0x90, 60, 100, 0x10, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00)]);
        Assert.Equal((60, 0L, 16L), Assert.Single(file.Notes()) is var n ? (n.Pitch, n.StartTick, n.EndTick) : default);
    }

    [Fact]
    public void Invalid_models_are_refused_by_the_writer()
    {
        Assert.Throws<ArgumentException>(() => new MidiFile(0, MidiTiming.Musical(96), [new MidiTrack([new NoteOnEvent(0, 0, 128, 1)])]).ToBytes());
        Assert.Throws<ArgumentException>(() => new MidiFile(0, MidiTiming.Musical(96), [new MidiTrack(), new MidiTrack()]).ToBytes());
        Assert.Throws<ArgumentException>(() => new MidiFile(1, MidiTiming.Musical(96), [new MidiTrack([new NoteOnEvent(0, 16, 60, 1)])]).ToBytes());
        Assert.Throws<ArgumentException>(() => new MidiFile(1, MidiTiming.Musical(96), [new MidiTrack([new NoteOnEvent(0x1000_0000, 0, 60, 1)])]).ToBytes());
    }
}
