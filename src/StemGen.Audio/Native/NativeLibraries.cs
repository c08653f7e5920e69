using System.Reflection;
using System.Runtime.InteropServices;

namespace StemGen.Audio.Native;

/// <summary>
/// Resolves the three C libraries by SONAME through the system loader. A missing library fails
/// with the Debian package to install instead of the runtime's generic "unable to load" text.
/// </summary>
internal static class NativeLibraries
{
    internal const string SndFile = "libsndfile.so.1";
    internal const string Soxr = "libsoxr.so.0";
    internal const string Ebur128 = "libebur128.so.1";

    private static readonly Dictionary<string, string> Packages = new()
    {
        [SndFile] = "libsndfile1",
        [Soxr] = "libsoxr0",
        [Ebur128] = "libebur128-1",
    };

    // The resolver must be registered before the first P/Invoke of this assembly, whoever calls first.
#pragma warning disable CA2255
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        Load(name, NativeLibrary.TryLoad);

    internal delegate bool TryLoad(string name, out IntPtr handle);

    /// <summary>Zero for names that are not ours (the runtime's default search applies).</summary>
    internal static IntPtr Load(string name, TryLoad tryLoad)
    {
        if (!Packages.TryGetValue(name, out var package)) return IntPtr.Zero;
        if (tryLoad(name, out var handle)) return handle;
        throw new DllNotFoundException(
            $"{name} could not be loaded: StemGen's audio code needs the Debian package {package} " +
            $"(apt-get install {package}, or run scripts/install-deps.sh).");
    }
}
