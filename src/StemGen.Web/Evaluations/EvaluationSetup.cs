using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Evaluations;

public static class EvaluationSetup
{
    public static IHostApplicationBuilder AddEvaluations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<EvaluationService>();
        builder.Services.AddTaskKind<EvaluationRunJob>();
        return builder;
    }
}
