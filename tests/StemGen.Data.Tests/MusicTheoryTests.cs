using StemGen.Data.Rendering;

namespace StemGen.Data.Tests;

public class MusicTheoryTests
{
    private static string Symbols(string progression, Key key) =>
        string.Join(" | ", ChordProgressions.Realize(progression, key).Select(bar => string.Join(" ", bar.Select(c => c.Symbol(key)))));

    [Fact]
    public void Roman_numerals_are_read_in_the_key()
    {
        Assert.Equal("A | E | F#m | D", Symbols("I | V | vi | IV", Key.Parse("A major")));
        Assert.Equal("Am | Dm | E | Am", Symbols("i | iv | V | i", Key.Parse("A minor")));
        Assert.Equal("Cm | Ab | Eb | Bb", Symbols("i | VI | III | VII", Key.Parse("C minor")));
        Assert.Equal("F | Eb | Bb | F", Symbols("I | bVII | IV | I", Key.Parse("F major")));
        Assert.Equal("Em7 | A7 | Dmaj7 | Dmaj7", Symbols("ii7 | V7 | Imaj7 | Imaj7", Key.Parse("D major")));
        Assert.Equal("Bm7b5 | E7 | Am | Am", Symbols("iim7b5 | V7 | i | i", Key.Parse("A minor")));
        Assert.Equal("C G | Am F", Symbols("I V | vi IV", Key.Parse("C")));
    }

    [Fact]
    public void Every_progression_realizes_in_every_key()
    {
        for (var tonic = 0; tonic < 12; tonic++)
            foreach (var mode in new[] { Mode.Major, Mode.Minor })
            {
                var key = new Key(tonic, mode);
                foreach (var progression in ChordProgressions.For(mode))
                    Assert.NotEmpty(ChordProgressions.Realize(progression, key));
            }
    }

    [Fact]
    public void Diatonic_sevenths_follow_the_chord_function()
    {
        var c = Key.Parse("C major");
        Assert.Equal("G7", ChordProgressions.WithSeventh(ChordProgressions.Parse("V", c), c).Symbol(c));
        Assert.Equal("Cmaj7", ChordProgressions.WithSeventh(ChordProgressions.Parse("I", c), c).Symbol(c));
        Assert.Equal("Dm7", ChordProgressions.WithSeventh(ChordProgressions.Parse("ii", c), c).Symbol(c));
        Assert.Equal("Bm7b5", ChordProgressions.WithSeventh(ChordProgressions.Parse("viidim", c), c).Symbol(c));
        var a = Key.Parse("A minor");
        Assert.Equal("G7", ChordProgressions.WithSeventh(ChordProgressions.Parse("VII", a), a).Symbol(a));
        Assert.Equal("Fmaj7", ChordProgressions.WithSeventh(ChordProgressions.Parse("VI", a), a).Symbol(a));
    }

    [Theory]
    [InlineData("C major", 0, "C major")]
    [InlineData("G major", 1, "G major")]
    [InlineData("F major", -1, "F major")]
    [InlineData("Bb major", -2, "Bb major")]
    [InlineData("Gb major", -6, "Gb major")]
    [InlineData("A# minor", -5, "Bb minor")]
    [InlineData("E minor", 1, "E minor")]
    [InlineData("D minor", -1, "D minor")]
    [InlineData("F#m", 3, "F# minor")]
    public void Keys_spell_by_their_signature(string text, int sharpsOrFlats, string name)
    {
        var key = Key.Parse(text);
        Assert.Equal(sharpsOrFlats, key.SharpsOrFlats);
        Assert.Equal(name, key.ToString());
    }

    [Fact]
    public void Scales_have_seven_pitch_classes_with_the_right_third()
    {
        Assert.Equal([0, 2, 4, 5, 7, 9, 11], Key.Parse("C major").PitchClasses);
        Assert.Equal([9, 11, 0, 2, 4, 5, 7], Key.Parse("A minor").PitchClasses);
    }
}
