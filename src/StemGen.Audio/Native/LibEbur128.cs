using System.Runtime.InteropServices;

namespace StemGen.Audio.Native;

/// <summary>The libebur128 1.2 entry points (ebur128.h). Functions return 0 on success.</summary>
internal static unsafe partial class LibEbur128
{
    private const string Lib = NativeLibraries.Ebur128;

    // Modes: integrated loudness (with the momentary window it needs), sample peak, true peak, LRA.
    internal const int ModeM = 1 << 0;
    internal const int ModeS = (1 << 1) | ModeM;
    internal const int ModeI = (1 << 2) | ModeM;
    internal const int ModeLra = (1 << 3) | ModeS;
    internal const int ModeSamplePeak = (1 << 4) | ModeM;
    internal const int ModeTruePeak = (1 << 5) | ModeM | ModeSamplePeak;

    // Channel weights (enum channel).
    internal const int ChannelUnused = 0;
    internal const int ChannelLeft = 1;
    internal const int ChannelRight = 2;
    internal const int ChannelCenter = 3;
    internal const int ChannelLeftSurround = 4;
    internal const int ChannelRightSurround = 5;
    internal const int ChannelDualMono = 6;

    [LibraryImport(Lib)] internal static partial void ebur128_get_version(out int major, out int minor, out int patch);
    [LibraryImport(Lib)] internal static partial IntPtr ebur128_init(uint channels, nuint sampleRate, int mode);
    [LibraryImport(Lib)] internal static partial void ebur128_destroy(IntPtr* state);
    [LibraryImport(Lib)] internal static partial int ebur128_set_channel(IntPtr state, uint channel, int value);
    [LibraryImport(Lib)] internal static partial int ebur128_add_frames_float(IntPtr state, float* frames, nuint count);
    [LibraryImport(Lib)] internal static partial int ebur128_loudness_global(IntPtr state, out double lufs);
    [LibraryImport(Lib)] internal static partial int ebur128_loudness_range(IntPtr state, out double lu);
    [LibraryImport(Lib)] internal static partial int ebur128_sample_peak(IntPtr state, uint channel, out double peak);
    [LibraryImport(Lib)] internal static partial int ebur128_true_peak(IntPtr state, uint channel, out double peak);

    internal static string Version
    {
        get
        {
            ebur128_get_version(out var major, out var minor, out var patch);
            return $"libebur128-{major}.{minor}.{patch}";
        }
    }
}
