namespace StemGen.Data.Tests;

public class InstrumentCategoryTests
{
    [Fact]
    public void There_are_18_categories_in_the_fixed_codebook_order()
    {
        // Checkpoints store embeddings by these indices: this list must never change.
        string[] expected =
        [
            "Piano", "Chromatic Percussion", "Organ", "Guitar", "Bass", "Strings", "Ensemble", "Brass", "Reed", "Pipe",
            "Synth Lead", "Synth Pad", "Synth Effects", "Ethnic", "Percussive", "Sound Effects", "Drums", "Other",
        ];
        Assert.Equal(18, InstrumentCategories.Count);
        Assert.Equal(expected, InstrumentCategories.All.Select(c => c.DisplayName()));
        Assert.Equal(Enumerable.Range(0, 18), InstrumentCategories.All.Select(c => (int)c));
    }

    [Fact]
    public void Programs_map_to_their_general_midi_family()
    {
        for (var program = 0; program < 128; program++)
            Assert.Equal((InstrumentCategory)(program / 8), InstrumentCategories.FromProgram(program));
        Assert.Equal(InstrumentCategory.Bass, InstrumentCategories.FromProgram(33));
        Assert.Equal(InstrumentCategory.Ensemble, InstrumentCategories.FromProgram(48));
        Assert.Equal(InstrumentCategory.SoundEffects, InstrumentCategories.FromProgram(127));
    }

    [Fact]
    public void Drums_come_from_program_128_or_the_drum_flag()
    {
        Assert.Equal(InstrumentCategory.Drums, InstrumentCategories.FromProgram(128));
        Assert.Equal(InstrumentCategory.Drums, InstrumentCategories.FromProgram(0, isDrum: true));
        Assert.Equal(InstrumentCategory.Drums, InstrumentCategories.FromProgram(-1, isDrum: true));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(129)]
    [InlineData(200)]
    public void Unknown_program_numbers_have_no_category(int program) => Assert.Null(InstrumentCategories.FromProgram(program));

    [Theory]
    [InlineData("Strings (continued)", InstrumentCategory.Ensemble)]
    [InlineData("Sound effects", InstrumentCategory.SoundEffects)]
    [InlineData("Chromatic Percussion", InstrumentCategory.ChromaticPercussion)]
    [InlineData("SynthLead", InstrumentCategory.SynthLead)]
    [InlineData("16", InstrumentCategory.Drums)]
    [InlineData("drums", InstrumentCategory.Drums)]
    public void Parse_reads_display_names_enum_names_indices_and_slakh_spellings(string text, InstrumentCategory expected) =>
        Assert.Equal(expected, InstrumentCategories.Parse(text));

    [Theory]
    [InlineData("Kazoo")]
    [InlineData("18")]
    [InlineData("")]
    public void Parse_returns_null_for_unknown_names(string text) => Assert.Null(InstrumentCategories.Parse(text));

    [Theory]
    [InlineData("bass_DI.wav", InstrumentCategory.Bass)]
    [InlineData("SynthBass 2.flac", InstrumentCategory.Bass)]
    [InlineData("Kick In.wav", InstrumentCategory.Drums)]
    [InlineData("OH_L.wav", InstrumentCategory.Drums)]
    [InlineData("HiHat.wav", InstrumentCategory.Drums)]
    [InlineData("EP_Rhodes.wav", InstrumentCategory.Piano)]
    [InlineData("grand piano.mp3", InstrumentCategory.Piano)]
    [InlineData("Strings.wav", InstrumentCategory.Ensemble)]
    [InlineData("Violin 1.wav", InstrumentCategory.Strings)]
    [InlineData("gtr_rhythm_L.flac", InstrumentCategory.Guitar)]
    [InlineData("AltoSax.wav", InstrumentCategory.Reed)]
    [InlineData("trumpets.wav", InstrumentCategory.Brass)]
    [InlineData("flute.ogg", InstrumentCategory.Pipe)]
    [InlineData("Warm Pad.wav", InstrumentCategory.SynthPad)]
    [InlineData("lead synth.wav", InstrumentCategory.SynthLead)]
    [InlineData("steel_drums.wav", InstrumentCategory.Percussive)]
    [InlineData("Marimba.wav", InstrumentCategory.ChromaticPercussion)]
    [InlineData("Hammond B3.wav", InstrumentCategory.Organ)]
    [InlineData("sitar.wav", InstrumentCategory.Ethnic)]
    [InlineData("riser_fx.wav", InstrumentCategory.SoundEffects)]
    [InlineData("Lead Vocal.wav", InstrumentCategory.Other)]
    [InlineData("untitled 3.wav", InstrumentCategory.Other)]
    [InlineData("", InstrumentCategory.Other)]
    public void Suggest_guesses_a_category_from_a_file_name(string fileName, InstrumentCategory expected) =>
        Assert.Equal(expected, InstrumentCategories.Suggest(fileName));

    [Fact]
    public void Words_split_at_separators_case_changes_and_digits() =>
        Assert.Equal(["bass", "di", "2", "take", "3"], InstrumentCategories.Words("bassDI2_take-3"));
}
