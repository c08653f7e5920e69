using System.Reflection;
using System.Runtime.InteropServices;

namespace StemGen.Torch.Interop;

/// <summary>
/// Loads the shim deliberately: STEMGEN_TORCH_SHIM (a file path) first, then the copy beside the
/// assemblies, then the system search path; a failure says exactly what was tried and why.
/// </summary>
internal static partial class NativeLoader
{
    internal const string LibraryName = "stemgen_torch";
    private const string FileName = "libstemgen_torch.so";

    // A library module initializer is right here: the resolver must be in place before any
    // P/Invoke of this assembly runs, whoever calls first.
#pragma warning disable CA2255
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    private static readonly Lock LoadLock = new();
    private static IntPtr loaded;

    // The runtime calls the resolver once per entry point (on its first call), not once per
    // library: load and configure once, then hand back the same handle. Otherwise every
    // not-yet-bound export would reset the thread count set through TorchRuntime.Threads.
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        lock (LoadLock)
        {
            if (loaded == IntPtr.Zero) loaded = Load();
            return loaded;
        }
    }

    private static IntPtr Load()
    {
        var attempts = new List<string>();
        KeepBlasSingleThreaded();
        KeepFreedMemory();
        foreach (var candidate in Candidates())
        {
            try
            {
                var library = NativeLibrary.Load(candidate);
                UsePolicyThreads(library);
                return library;
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                attempts.Add($"  {candidate}: {e.Message}");
            }
        }
        throw new DllNotFoundException(
            $"Could not load the StemGen libtorch shim ({FileName}). Tried:\n{string.Join("\n", attempts)}\n" +
            "Build it with `dotnet build` (needs cmake and libtorch: `apt-get install libtorch-dev`), " +
            "or set STEMGEN_TORCH_SHIM to its path.");
    }

    /// <summary>
    /// libtorch starts with one intra-op thread here; start with the count of the thread policy
    /// (<see cref="TorchThreads"/>: STEMGEN_TORCH_THREADS, by default the cores idle now). Called
    /// through the export directly: the resolver cannot re-enter itself.
    /// </summary>
    private static unsafe void UsePolicyThreads(IntPtr library)
    {
        var threads = TorchThreads.Count();
        var setThreads = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "sg_set_num_threads");
        setThreads(threads);
    }

    /// <summary>
    /// libtorch's intra-op pool (OpenMP, sized by <see cref="UsePolicyThreads"/>) is the one pool: BLAS
    /// calls made from inside it must not start teams of their own (OpenBLAS, MKL and OpenMP read
    /// these once, when they initialise, so they are set in the process environment before the
    /// load; a value the user set is kept). .NET's Environment.SetEnvironmentVariable does not
    /// reach the C runtime's environment on Linux, hence setenv.
    /// </summary>
    private static void KeepBlasSingleThreaded()
    {
        if (!OperatingSystem.IsLinux()) return;
        foreach (var name in (string[])["OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_MAX_ACTIVE_LEVELS"])
            _ = LibC.setenv(name, "1", 0);
    }

    /// <summary>
    /// glibc serves every allocation over 32 MB (codec activations of a 20 s window are 45 MB and
    /// more) with a fresh mmap and unmaps it on free, so each op's output is page-faulted and zeroed
    /// again: a third of the codec's time went to the kernel. One arena on the brk heap, no mmap
    /// and a 1 GB trim threshold keep freed tensors for the next op (the resident size stays near
    /// the peak instead). Skipped when the user tunes malloc (MALLOC_*_ or GLIBC_TUNABLES) or sets
    /// STEMGEN_TORCH_MALLOC=default.
    /// </summary>
    private static void KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("STEMGEN_TORCH_MALLOC") == "default") return;
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>();
        if (environment.Any(k => k == "GLIBC_TUNABLES" || (k.StartsWith("MALLOC_", StringComparison.Ordinal) && k.EndsWith('_')))) return;
        const int TrimThreshold = -1, TopPad = -2, MmapMax = -4, ArenaMax = -8;
        try
        {
            _ = LibC.mallopt(ArenaMax, 1);
            _ = LibC.mallopt(MmapMax, 0);
            _ = LibC.mallopt(TrimThreshold, 1 << 30);
            _ = LibC.mallopt(TopPad, 64 << 20);
        }
        catch (EntryPointNotFoundException)
        {
            // not glibc (musl): its allocator has no such knobs
        }
    }

    private static partial class LibC
    {
        [LibraryImport("libc.so.6")]
        internal static partial int mallopt(int parameter, int value);

        [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int setenv(string name, string value, int overwrite);
    }

    private static IEnumerable<string> Candidates()
    {
        var overridePath = Environment.GetEnvironmentVariable("STEMGEN_TORCH_SHIM");
        if (!string.IsNullOrEmpty(overridePath)) yield return overridePath;
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        yield return FileName;
    }
}
