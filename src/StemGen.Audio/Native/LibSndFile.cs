using System.Runtime.InteropServices;

namespace StemGen.Audio.Native;

/// <summary>SF_INFO from sndfile.h: frames, rate, channels, format word, sections, seekable.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SfInfo
{
    public long Frames;
    public int SampleRate;
    public int Channels;
    public int Format;
    public int Sections;
    public int Seekable;
}

/// <summary>SF_VIRTUAL_IO: the five callbacks libsndfile uses instead of a file descriptor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SfVirtualIo
{
    public delegate* unmanaged<IntPtr, long> GetFileLength;
    public delegate* unmanaged<long, int, IntPtr, long> Seek;
    public delegate* unmanaged<void*, long, IntPtr, long> Read;
    public delegate* unmanaged<void*, long, IntPtr, long> Write;
    public delegate* unmanaged<IntPtr, long> Tell;
}

/// <summary>The libsndfile 1.x entry points and constants we use (sndfile.h).</summary>
internal static unsafe partial class LibSndFile
{
    private const string Lib = NativeLibraries.SndFile;

    // Major formats (SF_FORMAT_TYPEMASK) and subtypes (SF_FORMAT_SUBMASK).
    internal const int FormatWav = 0x010000;
    internal const int FormatAiff = 0x020000;
    internal const int FormatWavex = 0x130000;
    internal const int FormatFlac = 0x170000;
    internal const int FormatOgg = 0x200000;
    internal const int FormatRf64 = 0x220000;
    internal const int FormatMpeg = 0x230000;
    internal const int PcmS8 = 0x0001;
    internal const int Pcm16 = 0x0002;
    internal const int Pcm24 = 0x0003;
    internal const int Pcm32 = 0x0004;
    internal const int PcmU8 = 0x0005;
    internal const int Float = 0x0006;
    internal const int Double = 0x0007;
    internal const int Ulaw = 0x0010;
    internal const int Alaw = 0x0011;
    internal const int Vorbis = 0x0060;
    internal const int Opus = 0x0064;
    internal const int MpegLayerI = 0x0080;
    internal const int MpegLayerII = 0x0081;
    internal const int MpegLayerIII = 0x0082;
    internal const int SubMask = 0x0000FFFF;
    internal const int TypeMask = 0x0FFF0000;

    internal const int ModeRead = 0x10;
    internal const int ModeWrite = 0x20;

    // sf_error codes.
    internal const int ErrNone = 0;
    internal const int ErrUnrecognisedFormat = 1;
    internal const int ErrSystem = 2;
    internal const int ErrMalformedFile = 3;
    internal const int ErrUnsupportedEncoding = 4;

    // sf_command.
    internal const int CmdGetLogInfo = 0x1001;
    internal const int CmdSetNormFloat = 0x1013;
    internal const int CmdSetClipping = 0x10C0;
    internal const int CmdSetVbrEncodingQuality = 0x1300;
    internal const int CmdSetCompressionLevel = 0x1301;
    internal const int CmdSetBitrateMode = 0x1305;
    internal const int CmdSetOriginalSampleRate = 0x1500;

    [LibraryImport(Lib)] internal static partial IntPtr sf_open_virtual(SfVirtualIo* io, int mode, SfInfo* info, IntPtr userData);
    [LibraryImport(Lib)] internal static partial int sf_close(IntPtr file);
    [LibraryImport(Lib)] internal static partial int sf_error(IntPtr file);
    [LibraryImport(Lib)] internal static partial IntPtr sf_strerror(IntPtr file);
    [LibraryImport(Lib)] internal static partial IntPtr sf_version_string();
    [LibraryImport(Lib)] internal static partial int sf_command(IntPtr file, int command, void* data, int size);
    [LibraryImport(Lib)] internal static partial int sf_format_check(SfInfo* info);
    [LibraryImport(Lib)] internal static partial long sf_readf_float(IntPtr file, float* buffer, long frames);
    [LibraryImport(Lib)] internal static partial long sf_writef_float(IntPtr file, float* buffer, long frames);
    [LibraryImport(Lib)] internal static partial long sf_writef_int(IntPtr file, int* buffer, long frames);

    internal static string Version => Marshal.PtrToStringUTF8(sf_version_string()) ?? "libsndfile";

    /// <summary>libsndfile's last error text for a handle (or for the last failed open, with zero).</summary>
    internal static string ErrorText(IntPtr file) => Marshal.PtrToStringUTF8(sf_strerror(file))?.Trim() ?? "unknown error";
}
