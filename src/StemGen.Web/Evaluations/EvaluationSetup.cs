namespace StemGen.Web.Evaluations;

public static class EvaluationSetup
{
    public static IHostApplicationBuilder AddEvaluations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EvaluationEvents>();
        builder.Services.AddScoped<EvaluationService>();
        builder.Services.AddTransient<EvaluationRunJob>();
        return builder;
    }
}
