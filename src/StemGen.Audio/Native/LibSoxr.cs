using System.Runtime.InteropServices;

namespace StemGen.Audio.Native;

/// <summary>soxr_io_spec_t: sample types in and out, a linear gain, flags.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SoxrIoSpec
{
    public int InputType;
    public int OutputType;
    public double Scale;
    public IntPtr Reserved;
    public nuint Flags;
}

/// <summary>soxr_quality_spec_t as filled by soxr_quality_spec(recipe, flags).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SoxrQualitySpec
{
    public double Precision;
    public double PhaseResponse;
    public double PassbandEnd;
    public double StopbandBegin;
    public IntPtr Reserved;
    public nuint Flags;
}

/// <summary>soxr_runtime_spec_t as filled by soxr_runtime_spec(threads).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SoxrRuntimeSpec
{
    public uint Log2MinDftSize;
    public uint Log2LargeDftSize;
    public uint CoefSizeKBytes;
    public uint NumThreads;
    public IntPtr Reserved;
    public nuint Flags;
}

/// <summary>The libsoxr 0.1 entry points (soxr.h). Errors are returned as C strings, zero for none.</summary>
internal static unsafe partial class LibSoxr
{
    private const string Lib = NativeLibraries.Soxr;

    // soxr_datatype_t: split (planar) float32, so AudioBuffer's channels go in without interleaving.
    internal const int Float32Split = 4;

    // Recipes (SOXR_QQ .. SOXR_VHQ) and the flag that keeps irrational ratios exact.
    internal const uint Quick = 0;
    internal const uint Low = 1;
    internal const uint Medium = 2;
    internal const uint High = 4;
    internal const uint VeryHigh = 6;

    [LibraryImport(Lib)] internal static partial IntPtr soxr_version();
    [LibraryImport(Lib)] internal static partial SoxrIoSpec soxr_io_spec(int inputType, int outputType);
    [LibraryImport(Lib)] internal static partial SoxrQualitySpec soxr_quality_spec(nuint recipe, nuint flags);
    [LibraryImport(Lib)] internal static partial SoxrRuntimeSpec soxr_runtime_spec(uint threads);
    [LibraryImport(Lib)]
    internal static partial IntPtr soxr_create(double inputRate, double outputRate, uint channels, IntPtr* error,
        SoxrIoSpec* io, SoxrQualitySpec* quality, SoxrRuntimeSpec* runtime);
    [LibraryImport(Lib)]
    internal static partial IntPtr soxr_process(IntPtr resampler, void* input, nuint inputLength, nuint* inputDone,
        void* output, nuint outputLength, nuint* outputDone);
    [LibraryImport(Lib)] internal static partial double soxr_delay(IntPtr resampler);
    [LibraryImport(Lib)] internal static partial IntPtr soxr_clear(IntPtr resampler);
    [LibraryImport(Lib)] internal static partial void soxr_delete(IntPtr resampler);

    internal static string Version => Marshal.PtrToStringUTF8(soxr_version()) ?? "libsoxr";

    internal static string? Error(IntPtr error) => error == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(error);
}
