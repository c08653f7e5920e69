using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Listening;

public static class ListeningSetup
{
    public static IHostApplicationBuilder AddListeningTests(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IStudyItemSource, ImportedDatasetSource>();
        services.AddScoped<StudyService>();
        services.AddScoped<ListeningSessions>();
        services.AddScoped<StudyResults>();
        services.AddTaskKind<StudyPreparationJob>();
        return builder;
    }
}
