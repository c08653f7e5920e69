namespace StemGen.Web.Training;

public static class TrainingSetup
{
    public static IHostApplicationBuilder AddTraining(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TrainingEvents>();
        builder.Services.AddScoped<TrainingService>();
        builder.Services.AddTransient<TrainingRunJob>();
        builder.Services.AddScoped<ModelLibrary>();
        return builder;
    }
}
