using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Datasets;

public static class DatasetsSetup
{
    public static IHostApplicationBuilder AddDatasets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DatasetPaths>();
        builder.Services.AddSingleton<DatasetCatalog>();
        builder.Services.AddScoped<DatasetService>();
        builder.Services.AddTaskKind<DatasetTaskJob>();
        return builder;
    }
}
