using System.Reflection;
using System.Runtime.InteropServices;

namespace StemGen.Torch.Interop;

/// <summary>
/// Loads the shim deliberately: STEMGEN_TORCH_SHIM (a file path) first, then the copy beside the
/// assemblies, then the system search path; a failure says exactly what was tried and why.
/// </summary>
internal static class NativeLoader
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
        foreach (var candidate in Candidates())
        {
            try
            {
                var library = NativeLibrary.Load(candidate);
                UseAllCores(library);
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
    /// libtorch starts with one intra-op thread here; use every core unless STEMGEN_TORCH_THREADS
    /// says otherwise. Called through the export directly: the resolver cannot re-enter itself.
    /// </summary>
    private static unsafe void UseAllCores(IntPtr library)
    {
        var configured = Environment.GetEnvironmentVariable("STEMGEN_TORCH_THREADS");
        var threads = int.TryParse(configured, out var n) && n > 0 ? n : Environment.ProcessorCount;
        var setThreads = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "sg_set_num_threads");
        setThreads(threads);
    }

    private static IEnumerable<string> Candidates()
    {
        var overridePath = Environment.GetEnvironmentVariable("STEMGEN_TORCH_SHIM");
        if (!string.IsNullOrEmpty(overridePath)) yield return overridePath;
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        yield return FileName;
    }
}
