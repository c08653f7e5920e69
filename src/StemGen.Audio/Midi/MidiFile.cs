namespace StemGen.Audio.Midi;

/// <summary>One track: events in tick order and where the track ends.</summary>
public sealed class MidiTrack
{
    public MidiTrack(IEnumerable<MidiEvent>? events = null, long? endTick = null)
    {
        Events = events?.ToList() ?? [];
        EndTick = endTick ?? (Events.Count == 0 ? 0 : Events.Max(e => e.Tick));
    }

    /// <summary>Events; keep them in tick order (the writer sorts stably anyway).</summary>
    public List<MidiEvent> Events { get; }

    /// <summary>Tick of the end-of-track event (at least the last event's tick).</summary>
    public long EndTick { get; set; }

    /// <summary>The first track-name meta event's text, if any.</summary>
    public string? Name => Events.OfType<TextEvent>().FirstOrDefault(e => e.Type == TextEvent.TrackNameType)?.Text;
}

/// <summary>
/// A Standard MIDI File (format 0 or 1) in memory: header fields and tracks of absolute-tick
/// events. Read with <see cref="Read(string, MidiReadOptions?)"/>, write with <see cref="Write(string)"/>; a
/// written file reads back to the same model. <see cref="Notes"/> pairs note-ons with note-offs
/// and times them through the <see cref="TempoMap"/>; <see cref="Parts"/> splits the file per instrument.
/// </summary>
public sealed class MidiFile
{
    public MidiFile(int format, MidiTiming timing, IEnumerable<MidiTrack>? tracks = null)
    {
        if (format is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(format), format, "StemGen reads and writes SMF formats 0 and 1");
        Format = format;
        Timing = timing;
        Tracks = tracks?.ToList() ?? [];
    }

    /// <summary>0: one track holding every channel; 1: several tracks played together.</summary>
    public int Format { get; }

    public MidiTiming Timing { get; }

    public List<MidiTrack> Tracks { get; }

    /// <summary>Ticks to seconds from every tempo event in the file.</summary>
    public TempoMap TempoMap => new(Timing, Tracks.SelectMany(t => t.Events).OfType<TempoEvent>());

    /// <summary>The last track's end, in ticks.</summary>
    public long EndTick => Tracks.Count == 0 ? 0 : Tracks.Max(t => t.EndTick);

    public double DurationSeconds => TempoMap.ToSeconds(EndTick);

    public static MidiFile Read(string path, MidiReadOptions? options = null) => MidiReader.Read(path, options);

    public static MidiFile Read(ReadOnlySpan<byte> bytes, string name = "midi", MidiReadOptions? options = null) =>
        MidiReader.Read(bytes, name, options);

    /// <summary>Writes atomically (temp file, then rename).</summary>
    public void Write(string path) => MidiWriter.Write(this, path);

    public byte[] ToBytes() => MidiWriter.ToBytes(this);

    /// <summary>All notes, paired and timed, ordered by start then track, channel and pitch.</summary>
    public IReadOnlyList<MidiNote> Notes() => MidiParts.Notes(this);

    /// <summary>The notes grouped per instrument: (track, channel, program), drums on channel index 9.</summary>
    public IReadOnlyList<MidiPart> Parts() => MidiParts.Split(this);

    /// <summary>The same music as a single-track format-0 file (events merged in tick order, track by track at equal ticks).</summary>
    public MidiFile ToFormat0()
    {
        var events = Tracks
            .SelectMany((t, index) => t.Events.Where(e => e is not TextEvent { Type: TextEvent.TrackNameType }).Select(e => (e, index)))
            .OrderBy(x => x.e.Tick).ThenBy(x => x.index) // stable: order within a track and tick is kept
            .Select(x => x.e)
            .ToList();
        if (Tracks.Select(t => t.Name).FirstOrDefault(n => n is not null) is { } name) events.Insert(0, TextEvent.TrackName(0, name));
        return new MidiFile(0, Timing, [new MidiTrack(events, EndTick)]);
    }
}
