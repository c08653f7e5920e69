namespace StemGen.Audio.Midi;

/// <summary>A note with both ends, in ticks and in seconds through the file's tempo map.</summary>
/// <param name="Track">0-based track index.</param>
/// <param name="Channel">0-based channel; 9 is the drum channel.</param>
/// <param name="Program">The program in force on this track and channel when the note started (0 before any change).</param>
public sealed record MidiNote(int Track, int Channel, int Program, int Pitch, int Velocity, long StartTick, long EndTick, double Start, double End)
{
    public bool IsDrum => Channel == MidiParts.DrumChannel;
    public double Duration => End - Start;
}

/// <summary>One instrument's notes: a (track, channel, program) combination, as Slakh and pretty_midi split files.</summary>
public sealed record MidiPart(int Track, int Channel, int Program, string? Name, IReadOnlyList<MidiNote> Notes)
{
    public bool IsDrum => Channel == MidiParts.DrumChannel;

    /// <summary>
    /// A format-1 file with just this part, ready to render: a conductor track with the source's
    /// tempo, time and key signatures, and one track with the name, the program change and this
    /// part's notes plus its track's controllers, pitch bends and pressure on the same channel.
    /// </summary>
    public MidiFile ToMidiFile(MidiFile source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var conductor = source.Tracks.SelectMany(t => t.Events)
            .Where(e => e is TempoEvent or TimeSignatureEvent or KeySignatureEvent)
            .OrderBy(e => e.Tick)
            .ToList();
        var events = new List<MidiEvent>();
        if (Name is not null) events.Add(TextEvent.TrackName(0, Name));
        events.Add(new ProgramChangeEvent(0, Channel, Program));
        var controls = Track < source.Tracks.Count
            ? source.Tracks[Track].Events.Where(e => e switch
            {
                ControlChangeEvent c => c.Channel == Channel,
                PitchBendEvent p => p.Channel == Channel,
                ChannelPressureEvent p => p.Channel == Channel,
                _ => false,
            })
            : [];
        var timed = controls.Select(e => (e.Tick, Order: 0, Event: e))
            .Concat(Notes.SelectMany(n => new[]
            {
                (n.StartTick, Order: 2, Event: (MidiEvent)new NoteOnEvent(n.StartTick, Channel, n.Pitch, n.Velocity)),
                // Offs before ons at the same tick, so a repeated note is not cut by its own predecessor.
                (n.EndTick, Order: 1, Event: new NoteOffEvent(n.EndTick, Channel, n.Pitch, 0)),
            }))
            .OrderBy(x => x.Item1).ThenBy(x => x.Order)
            .Select(x => x.Event);
        events.AddRange(timed);
        var end = Math.Max(source.EndTick, events.Count == 0 ? 0 : events.Max(e => e.Tick));
        return new MidiFile(1, source.Timing, [new MidiTrack(conductor, end), new MidiTrack(events, end)]);
    }
}

/// <summary>Note pairing and per-instrument splitting.</summary>
internal static class MidiParts
{
    public const int DrumChannel = 9;

    /// <summary>
    /// Pairs each note-on with the first unmatched earlier note-on of the same track, channel and
    /// pitch (first in, first out). A note still sounding at the end of its track ends there.
    /// Program changes apply per track and channel from their tick on.
    /// </summary>
    public static IReadOnlyList<MidiNote> Notes(MidiFile file)
    {
        var tempo = file.TempoMap;
        var notes = new List<MidiNote>();
        for (var t = 0; t < file.Tracks.Count; t++)
        {
            var track = file.Tracks[t];
            var programs = new int[16];
            var open = new Dictionary<(int Channel, int Pitch), Queue<(long Tick, int Velocity, int Program)>>();
            void Close(int channel, int pitch, long tick)
            {
                if (!open.TryGetValue((channel, pitch), out var queue) || queue.Count == 0) return; // stray note-off
                var (start, velocity, program) = queue.Dequeue();
                notes.Add(new MidiNote(t, channel, program, pitch, velocity, start, tick, tempo.ToSeconds(start), tempo.ToSeconds(tick)));
            }
            var ordered = track.Events.Select((e, i) => (e, i)).OrderBy(x => x.e.Tick).ThenBy(x => x.i).Select(x => x.e);
            foreach (var e in ordered)
            {
                switch (e)
                {
                    case ProgramChangeEvent p when p.Channel is >= 0 and < 16:
                        programs[p.Channel] = p.Program;
                        break;
                    case NoteOnEvent n when n.Velocity > 0 && n.Channel is >= 0 and < 16:
                        if (!open.TryGetValue((n.Channel, n.Note), out var queue)) open[(n.Channel, n.Note)] = queue = new();
                        queue.Enqueue((n.Tick, n.Velocity, programs[n.Channel]));
                        break;
                    case NoteOnEvent n:
                        Close(n.Channel, n.Note, n.Tick);
                        break;
                    case NoteOffEvent n:
                        Close(n.Channel, n.Note, n.Tick);
                        break;
                }
            }
            var end = Math.Max(track.EndTick, track.Events.Count == 0 ? 0 : track.Events.Max(e => e.Tick));
            foreach (var ((channel, pitch), queue) in open)
                while (queue.Count > 0) Close(channel, pitch, end);
        }
        return notes.OrderBy(n => n.StartTick).ThenBy(n => n.Track).ThenBy(n => n.Channel).ThenBy(n => n.Pitch).ToList();
    }

    public static IReadOnlyList<MidiPart> Split(MidiFile file) =>
        Notes(file)
            .GroupBy(n => (n.Track, n.Channel, n.Program))
            .OrderBy(g => g.Key.Track).ThenBy(g => g.Key.Channel).ThenBy(g => g.Key.Program)
            .Select(g => new MidiPart(g.Key.Track, g.Key.Channel, g.Key.Program, file.Tracks[g.Key.Track].Name, g.ToList()))
            .ToList();
}
