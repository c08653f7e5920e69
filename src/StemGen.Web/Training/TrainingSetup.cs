namespace StemGen.Web.Training;

public static class TrainingSetup
{
    public static IHostApplicationBuilder AddTraining(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TrainingEvents>();
        builder.Services.AddScoped<TrainingService>();
        builder.Services.AddTransient<TrainingRunJob>();
        builder.Services.AddTransient<ListeningCheckJob>();
        builder.Services.AddScoped<ModelLibrary>();
        builder.Services.AddSingleton<ServedModelEvents>();
        builder.Services.AddScoped<ModelServing>();
        return builder;
    }
}
