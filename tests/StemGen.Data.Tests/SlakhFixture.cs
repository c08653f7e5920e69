using System.Text;
using StemGen.Audio;
using StemGen.Audio.Midi;

namespace StemGen.Data.Tests;

/// <summary>
/// A small Slakh2100-format tree made on the fly (44.1 kHz mono 16-bit FLAC stems, Slakh's
/// metadata field names), with one of each kind of bad input:
/// <list type="bullet">
/// <item>train/Track00001: good, 3 stems (piano, bass, drums) + S03 audio_rendered false; a stray 0xFF byte before the YAML.</item>
/// <item>train/Track00002: S00 good, S01 listed but missing, S02 all silent, S03 unknown program 200,
///   S04 unreadable audio, S05 good, S06 in the folder only (program from MIDI/S06.mid: violin).</item>
/// <item>validation/Track00003: one stem.</item>
/// <item>validation/Track00004: no metadata.yaml.</item>
/// <item>test/Track00005: metadata.yaml that is not YAML.</item>
/// <item>test/Track00006: good, 2 stems, 3.5 s.</item>
/// </list>
/// </summary>
internal static class SlakhFixture
{
    public const int Rate = 44100;

    public static void Create(string root)
    {
        // Track00001
        var t1 = Track(root, "train", "Track00001");
        Stem(t1, "S00", Signals.Sine(440, 0.3, 5, Rate));
        Stem(t1, "S01", Signals.Sine(110, 0.3, 5, Rate));
        Stem(t1, "S02", Signals.Bursts(5, Rate, 1));
        var yaml1 = Metadata("a1b2", [
            StemYaml("S00", 0, "Acoustic Grand Piano", "Piano"),
            StemYaml("S01", 33, "Electric Bass (finger)", "Bass"),
            StemYaml("S02", 128, "Drums", "Drums", isDrum: true),
            StemYaml("S03", 48, "String Ensemble 1", "Strings (continued)", rendered: false),
        ]);
        File.WriteAllBytes(Path.Combine(t1, "metadata.yaml"), [0xFF, .. Encoding.UTF8.GetBytes(yaml1)]);

        // Track00002
        var t2 = Track(root, "train", "Track00002");
        Stem(t2, "S00", Signals.Sine(330, 0.3, 4, Rate));
        Stem(t2, "S02", new float[4 * Rate]);
        Stem(t2, "S03", Signals.Sine(550, 0.3, 4, Rate));
        File.WriteAllBytes(Path.Combine(t2, "stems", "S04.flac"), Encoding.ASCII.GetBytes("fLaC this is not really a FLAC stream"));
        Stem(t2, "S05", Signals.Sine(220, 0.3, 4, Rate));
        Stem(t2, "S06", Signals.Sine(660, 0.2, 4, Rate));
        Directory.CreateDirectory(Path.Combine(t2, "MIDI"));
        ViolinMidi().Write(Path.Combine(t2, "MIDI", "S06.mid"));
        File.WriteAllText(Path.Combine(t2, "metadata.yaml"), Metadata("c3d4", [
            StemYaml("S00", 4, "Electric Piano 1", "Piano"),
            StemYaml("S01", 25, "Acoustic Guitar (steel)", "Guitar"),
            StemYaml("S02", 81, "Lead 2 (sawtooth)", "Synth Lead"),
            StemYaml("S03", 200, "Mystery", "Unknown"),
            StemYaml("S04", 56, "Trumpet", "Brass"),
            StemYaml("S05", 73, "Flute", "Pipe"),
        ]));

        // Track00003: one stem
        var t3 = Track(root, "validation", "Track00003");
        Stem(t3, "S00", Signals.Sine(440, 0.3, 3, Rate));
        File.WriteAllText(Path.Combine(t3, "metadata.yaml"), Metadata("e5f6", [StemYaml("S00", 0, "Acoustic Grand Piano", "Piano")]));

        // Track00004: no metadata
        var t4 = Track(root, "validation", "Track00004");
        Stem(t4, "S00", Signals.Sine(440, 0.3, 3, Rate));

        // Track00005: broken YAML
        var t5 = Track(root, "test", "Track00005");
        Stem(t5, "S00", Signals.Sine(440, 0.3, 3, Rate));
        File.WriteAllText(Path.Combine(t5, "metadata.yaml"), "UUID: x\nstems: [unclosed\n  S00: {\n");

        // Track00006: good, 3.5 s
        var t6 = Track(root, "test", "Track00006");
        Stem(t6, "S00", Signals.Sine(440, 0.3, 3.5, Rate));
        Stem(t6, "S01", Signals.Bursts(3.5, Rate, 2));
        File.WriteAllText(Path.Combine(t6, "metadata.yaml"), Metadata("0a0b", [
            StemYaml("S00", 11, "Vibraphone", "Chromatic Percussion"),
            StemYaml("S01", 128, "Drums", "Drums", isDrum: true),
        ]));
    }

    private static string Track(string root, string split, string id)
    {
        var dir = Path.Combine(root, split, id);
        Directory.CreateDirectory(Path.Combine(dir, "stems"));
        return dir;
    }

    private static void Stem(string track, string id, float[] samples) =>
        AudioFile.Write(Path.Combine(track, "stems", id + ".flac"), Signals.Mono(samples, Rate), AudioWriteFormat.Flac16);

    /// <summary>A metadata.yaml as Slakh writes it (alphabetical keys, PyYAML style).</summary>
    public static string Metadata(string uuid, string[] stems) =>
        $"UUID: {uuid}\naudio_dir: stems\nlmd_midi_dir: lmd_matched/X/Y/Z.mid\nmidi_dir: MIDI\nnormalization_factor: -13.0\nnormalized: true\n" +
        "overall_gain: 0.2581740238554542\nstems:\n" + string.Concat(stems) + "target_peak: -1.0\n";

    public static string StemYaml(string id, int program, string programName, string instClass, bool isDrum = false, bool rendered = true) =>
        $"  {id}:\n    audio_rendered: {(rendered ? "true" : "false")}\n    inst_class: {instClass}\n    integrated_loudness: -21.5\n" +
        $"    is_drum: {(isDrum ? "true" : "false")}\n    midi_program_name: {programName}\n    midi_saved: true\n    plugin_name: some_patch.nkm\n    program_num: {program}\n";

    private static MidiFile ViolinMidi()
    {
        var events = new List<MidiEvent> { new ProgramChangeEvent(0, 0, 40), new NoteOnEvent(0, 0, 76, 90), new NoteOffEvent(960, 0, 76) };
        return new MidiFile(1, MidiTiming.Musical(480), [new MidiTrack([TempoEvent.FromBpm(0, 120)], 960), new MidiTrack(events, 960)]);
    }
}
