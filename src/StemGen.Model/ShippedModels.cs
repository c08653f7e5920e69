namespace StemGen.Model;

/// <summary>
/// The codec and model files shipped in the repository's <c>models/</c> folder (found by walking up
/// from the program's folder to the one holding StemGen.Web.sln), or the files named by the
/// environment variables <see cref="CodecVariable"/> and <see cref="CheckpointVariable"/>.
/// </summary>
public static class ShippedModels
{
    public const string CodecFileName = "codec-tiny.safetensors";
    public const string CheckpointFileName = "stemgen-tiny.safetensors";
    public const string CodecVariable = "STEMGEN_CODEC";
    public const string CheckpointVariable = "STEMGEN_CHECKPOINT";
    public const string SolutionFileName = "StemGen.Web.sln";

    /// <summary>The repository's models/ folder, or null when the program does not run from a checkout.</summary>
    public static string? ModelsFolder(string? startFolder = null)
    {
        for (var folder = new DirectoryInfo(startFolder ?? AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, SolutionFileName))) return Path.Combine(folder.FullName, "models");
        return null;
    }

    /// <summary>The codec weights to use: <paramref name="explicitPath"/>, else $STEMGEN_CODEC, else models/codec-tiny.safetensors.</summary>
    public static string CodecPath(string? explicitPath = null) =>
        Resolve(explicitPath, CodecVariable, CodecFileName, "codec weights", "--codec",
            "train one with `stemgen codec train --data <audio folder> --run <run folder>` and use <run folder>/codec.safetensors");

    /// <summary>The model checkpoint to use: <paramref name="explicitPath"/>, else $STEMGEN_CHECKPOINT, else models/stemgen-tiny.safetensors.</summary>
    public static string CheckpointPath(string? explicitPath = null) =>
        Resolve(explicitPath, CheckpointVariable, CheckpointFileName, "model checkpoint", "--checkpoint",
            "train a model on tokens of that codec and use its best.safetensors");

    /// <summary>An existing file, or a <see cref="FileNotFoundException"/> that says which file is missing and how to get it.</summary>
    private static string Resolve(string? explicitPath, string variable, string fileName, string what, string option, string howToMake)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath)
                : throw new FileNotFoundException($"{what} not found: {explicitPath} (given with {option})", explicitPath);
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
            return File.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment)
                : throw new FileNotFoundException($"{what} not found: {fromEnvironment} (from ${variable})", fromEnvironment);
        var folder = ModelsFolder();
        if (folder is null)
            throw new FileNotFoundException($"no {what} given and no repository checkout found above {AppContext.BaseDirectory} " +
                                            $"(looked for {SolutionFileName} to find models/{fileName}): pass {option} PATH or set ${variable}");
        var shipped = Path.Combine(folder, fileName);
        return File.Exists(shipped) ? shipped
            : throw new FileNotFoundException($"{what} not found: {shipped} is missing. It is the shipped file of the repository " +
                                              $"(pull the latest main), or {howToMake}; or pass {option} PATH or set ${variable}", shipped);
    }
}
