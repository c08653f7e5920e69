using StemGen.Audio.Native;

namespace StemGen.Audio.Tests;

/// <summary>The C libraries load by SONAME, and a missing one says which Debian package to install.</summary>
public sealed class NativeLibraryTests
{
    [Fact]
    public void The_installed_libraries_report_their_versions()
    {
        var versions = AudioFile.LibraryVersions;
        Assert.Contains("libsndfile-1.", versions);
        Assert.Contains("libsoxr-0.1", versions);
        Assert.Contains("libebur128-1.", versions);
    }

    [Theory]
    [InlineData("libsndfile.so.1", "libsndfile1")]
    [InlineData("libsoxr.so.0", "libsoxr0")]
    [InlineData("libebur128.so.1", "libebur128-1")]
    public void A_missing_library_names_its_debian_package(string soname, string package)
    {
        var error = Assert.Throws<DllNotFoundException>(() => NativeLibraries.Load(soname, (string _, out IntPtr handle) => { handle = 0; return false; }));
        Assert.Contains($"apt-get install {package}", error.Message);
    }

    [Fact]
    public void Other_names_are_left_to_the_runtime()
    {
        Assert.Equal(IntPtr.Zero, NativeLibraries.Load("libc.so.6", (string _, out IntPtr handle) => { handle = 1; return true; }));
    }
}
