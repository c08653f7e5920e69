using System.Diagnostics;

namespace StemGen.Data.Rendering;

/// <summary>A command-line tool (mma, fluidsynth) that is missing, failed, or ran too long.</summary>
public sealed class ExternalToolException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Runs Debian's command-line renderers with arguments passed as a list (no shell), a time limit and captured output.</summary>
internal static class ExternalTool
{
    /// <summary>The Debian package of each tool, for the error message when it is missing.</summary>
    private static readonly Dictionary<string, string> Packages = new() { ["mma"] = "mma", ["fluidsynth"] = "fluidsynth" };

    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Full path of a tool on PATH, or null.</summary>
    public static string? Find(string name)
    {
        if (Path.IsPathRooted(name)) return File.Exists(name) ? name : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static Result Run(string tool, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var path = Find(tool) ?? throw new ExternalToolException(
            $"{tool} is not installed (Debian: apt-get install {Packages.GetValueOrDefault(tool, tool)}; scripts/install-deps.sh does it)");
        var start = new ProcessStartInfo(path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ExternalToolException($"cannot start {path}: {e.Message}", e);
        }
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            process.WaitForExitAsync(timer.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            cancellationToken.ThrowIfCancellationRequested();
            throw new ExternalToolException($"{tool} ran longer than {timeout.TotalSeconds:0} s and was stopped");
        }
        return new Result(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    /// <summary>The last lines of a tool's output, for error messages.</summary>
    public static string Tail(string text, int lines = 4) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(lines));
}
