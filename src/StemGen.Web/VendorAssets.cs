namespace StemGen.Web;

/// <summary>
/// Finds the folder of vendored npm bundles: the configured one, else the top-level wwwroot of the
/// repository (the folder holding StemGen.Web.sln) above the content root or the executable.
/// Null when there is none: the pages then work without drawn waveforms.
/// </summary>
public static class VendorAssets
{
    public static string? Find(StudioOptions options, IWebHostEnvironment environment)
    {
        if (!string.IsNullOrEmpty(options.VendorAssetsDirectory))
            return Directory.Exists(options.VendorAssetsDirectory) ? Path.GetFullPath(options.VendorAssetsDirectory) : null;
        foreach (var start in new[] { environment.ContentRootPath, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "StemGen.Web.sln")))
                    return Directory.Exists(Path.Combine(dir.FullName, "wwwroot")) ? Path.Combine(dir.FullName, "wwwroot") : null;
        }
        return null;
    }
}
