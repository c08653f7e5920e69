using StemGen.Audio;
using StemGen.Data.Slakh;
using StemGen.Jobs;
using StemGen.Model.Generation;
using StemGen.Web.Data;

namespace StemGen.Web.Tasks;

/// <summary>The one rule for what a user reads when a long task fails.</summary>
public static class TaskErrors
{
    /// <summary>
    /// The message alone for the errors that describe the user's data, settings or files (they say what to fix);
    /// the type too for anything else, which is a fault of the studio and worth reporting as it is.
    /// </summary>
    public static string ForUser(Exception e) => e is StudioValidationException or SlakhFormatException or AudioFormatException
        or GenerationRequestException or GeneratorUnavailableException
        or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidOperationException
        ? e.Message : $"{e.GetType().Name}: {e.Message}";
}
