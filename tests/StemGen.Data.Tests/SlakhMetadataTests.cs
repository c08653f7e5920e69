using System.Text;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tests;

public class SlakhMetadataTests
{
    private static readonly string Sample = SlakhFixture.Metadata("1a81ae092884234f3264e2f45927f00a", [
        SlakhFixture.StemYaml("S00", 30, "Distortion Guitar", "Guitar"),
        SlakhFixture.StemYaml("S01", 128, "Drums", "Drums", isDrum: true),
        SlakhFixture.StemYaml("S02", 48, "String Ensemble 1", "Strings (continued)", rendered: false),
    ]);

    [Fact]
    public void Reads_slakh_field_names()
    {
        var m = SlakhMetadata.Parse(Sample);
        Assert.Equal("1a81ae092884234f3264e2f45927f00a", m.Uuid);
        Assert.Equal("stems", m.AudioDir);
        Assert.Equal("MIDI", m.MidiDir);
        Assert.Equal("lmd_matched/X/Y/Z.mid", m.LmdMidiDir);
        Assert.Equal(-13.0, m.NormalizationFactor);
        Assert.True(m.Normalized);
        Assert.Equal(0.2581740238554542, m.OverallGain);
        Assert.Equal(-1.0, m.TargetPeak);
        Assert.Equal(["S00", "S01", "S02"], m.Stems.Select(s => s.Id));
        var guitar = m.Stem("S00")!;
        Assert.True(guitar.AudioRendered);
        Assert.Equal("Guitar", guitar.InstClass);
        Assert.Equal(-21.5, guitar.IntegratedLoudness);
        Assert.False(guitar.IsDrum);
        Assert.Equal("Distortion Guitar", guitar.MidiProgramName);
        Assert.True(guitar.MidiSaved);
        Assert.Equal("some_patch.nkm", guitar.PluginName);
        Assert.Equal(30, guitar.ProgramNum);
        Assert.Equal(InstrumentCategory.Guitar, guitar.Category);
        Assert.Equal(InstrumentCategory.Drums, m.Stem("S01")!.Category);
        Assert.False(m.Stem("S02")!.AudioRendered);
        Assert.Equal(InstrumentCategory.Ensemble, m.Stem("S02")!.Category);
        Assert.Empty(m.Warnings);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })] // BOM
    [InlineData(new byte[] { (byte)'%', (byte)'\n' })]
    public void Stray_bytes_before_the_yaml_are_skipped(byte[] junk)
    {
        var m = SlakhMetadata.Parse([.. junk, .. Encoding.UTF8.GetBytes(Sample)]);
        Assert.Equal("1a81ae092884234f3264e2f45927f00a", m.Uuid);
        Assert.Equal(3, m.Stems.Count);
    }

    [Fact]
    public void A_stray_byte_is_reported_as_a_warning()
    {
        var m = SlakhMetadata.Parse([0xFF, .. Encoding.UTF8.GetBytes(Sample)]);
        Assert.Contains(m.Warnings, w => w.Contains("stray"));
    }

    [Fact]
    public void Missing_fields_take_defaults_and_warn()
    {
        var m = SlakhMetadata.Parse("stems:\n  S00:\n    inst_class: Piano\n  S01:\n    is_drum: true\n");
        Assert.Null(m.Uuid);
        Assert.Equal("stems", m.AudioDir);
        Assert.True(m.Stem("S00")!.AudioRendered);
        Assert.Null(m.Stem("S00")!.ProgramNum);
        // No program: the inst_class spelling decides.
        Assert.Equal(InstrumentCategory.Piano, m.Stem("S00")!.Category);
        Assert.Equal(InstrumentCategory.Drums, m.Stem("S01")!.Category);
        Assert.Contains(m.Warnings, w => w.Contains("S00: no program_num"));
    }

    [Fact]
    public void Unknown_program_numbers_give_no_category_and_a_warning()
    {
        var m = SlakhMetadata.Parse("stems:\n  S00:\n    program_num: 200\n  S01:\n    program_num: many\n");
        Assert.Null(m.Stem("S00")!.Category);
        Assert.Null(m.Stem("S01")!.ProgramNum);
        Assert.Contains(m.Warnings, w => w.Contains("unknown program number 200"));
        Assert.Contains(m.Warnings, w => w.Contains("'many' is not a number"));
    }

    [Fact]
    public void Text_that_is_not_yaml_throws_a_format_exception()
    {
        Assert.Throws<SlakhFormatException>(() => SlakhMetadata.Parse("UUID: x\nstems: [unclosed\n  S00: {\n"));
        Assert.Throws<SlakhFormatException>(() => SlakhMetadata.Parse("- a list\n- not a mapping\n"));
    }

    [Fact]
    public void Written_yaml_reads_back_the_same()
    {
        var original = new SlakhMetadata
        {
            Uuid = "abc",
            NormalizationFactor = -13,
            Normalized = true,
            OverallGain = 0.123456789,
            TargetPeak = -1,
            Key = "F# minor",
            Tempo = 97,
            TimeSignature = "3/4",
            Chords = ["F#m", "C#7", "Bm7b5", "Dmaj7"],
            Groove = "JazzWaltzSus",
            Seed = 42,
            Generator = "test: \"quoted\"",
            Duration = 61.5,
            Stems =
            [
                new SlakhStem { Id = "S00", InstClass = "Strings (continued)", ProgramNum = 48, MidiProgramName = "String Ensemble 1", IntegratedLoudness = -20.25, PluginName = "TimGM6mb.sf2", Part = "Chord-Sus" },
                new SlakhStem { Id = "S01", IsDrum = true, ProgramNum = 128, AudioRendered = false, MidiProgramName = "Drums", Part = "yes" },
            ],
        };
        var yaml = original.ToYaml();
        var back = SlakhMetadata.Parse(yaml);
        Assert.Empty(back.Warnings);
        Assert.Equal(yaml, back.ToYaml());
        Assert.Equal((original.Uuid, original.OverallGain, original.Key, original.Tempo, original.TimeSignature, original.Groove, original.Seed, original.Generator, original.Duration),
            (back.Uuid, back.OverallGain, back.Key, back.Tempo, back.TimeSignature, back.Groove, back.Seed, back.Generator, back.Duration));
        Assert.Equal(original.Chords, back.Chords);
        Assert.Equal(original.Stems, back.Stems);
        // Slakh's layout: alphabetical keys, stems nested two spaces deep.
        Assert.StartsWith("UUID: abc\naudio_dir: stems\n", yaml);
        Assert.Contains("\nstems:\n  S00:\n    audio_rendered: true\n", yaml);
        Assert.Contains("normalization_factor: -13.0\n", yaml);
    }
}
