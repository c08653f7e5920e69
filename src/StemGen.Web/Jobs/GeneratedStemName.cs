using StemGen.Data;

namespace StemGen.Web.Jobs;

/// <summary>The name a kept candidate gets unless the user gives one, and its download's name: "Bass (generated #12.1)".</summary>
public static class GeneratedStemName
{
    public static string Of(InstrumentCategory category, int jobId, int candidateIndex) =>
        $"{category.DisplayName()} (generated #{jobId}.{candidateIndex + 1})";
}
