using StemGen.Web.Storage;

namespace StemGen.Web.Tests;

/// <summary>Download names (the user's text wherever file systems allow it, unique in a zip without loops) and the per-user limit on zips.</summary>
public sealed class DownloadTests
{
    [Theory]
    [InlineData("Bass (generated #1.1)", "Bass (generated #1.1).wav")]
    [InlineData("Grüße, 東京 & co", "Grüße, 東京 & co.wav")]
    [InlineData("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j.wav")]
    [InlineData("  ..hidden.  ", "hidden.wav")]
    [InlineData("CON", "_CON.wav")]
    [InlineData("evil\u202Egnp.exe", "evil_gnp.exe.wav")]
    [InlineData("tab\there", "tab_here.wav")]
    [InlineData("...", "stem.wav")]
    public void Download_names_keep_the_users_characters_where_platforms_allow(string name, string expected) =>
        Assert.Equal(expected, StemFiles.SafeFileName(name, ".wav"));

    [Fact]
    public void Names_in_one_zip_are_unique_and_keep_their_suffix_when_cut()
    {
        var shared = new string('x', 100);
        var names = StemFiles.UniqueFileNames([(shared + new string('a', 50), ".wav"), (shared + new string('b', 50), ".wav"), (shared, ".wav"),
            ("Drums", ".wav"), ("drums", ".wav"), ("Drums (2)", ".wav"), ("😀" + new string('y', 98) + "😀", ".flac")]);
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(shared + ".wav", names[0]);
        Assert.Equal(new string('x', 96) + " (2).wav", names[1]);
        Assert.Equal(new string('x', 96) + " (3).wav", names[2]);
        Assert.Equal(["Drums.wav", "drums (2).wav", "Drums (2) (2).wav"], names[3..6]);
        Assert.Equal("😀" + new string('y', 98) + ".flac", names[6]); // never half a surrogate pair
    }

    [Fact]
    public void Each_user_has_at_most_two_zips_running()
    {
        var limiter = new DownloadLimiter();
        using var first = limiter.TryEnter("u1");
        var second = limiter.TryEnter("u1");
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(limiter.TryEnter("u1"));
        Assert.NotNull(limiter.TryEnter("u2"));
        second!.Dispose();
        second.Dispose(); // twice is once
        Assert.NotNull(limiter.TryEnter("u1"));
        Assert.Null(limiter.TryEnter("u1"));
    }
}
