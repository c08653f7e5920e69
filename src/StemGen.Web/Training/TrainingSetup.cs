using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Training;

public static class TrainingSetup
{
    public static IHostApplicationBuilder AddTraining(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TrainingService>();
        builder.Services.AddTaskKind<TrainingRunJob>();
        builder.Services.AddTaskKind<ListeningCheckJob>();
        builder.Services.AddScoped<ModelLibrary>();
        builder.Services.AddSingleton<ServedModelEvents>();
        builder.Services.AddScoped<ModelServing>();
        return builder;
    }
}
