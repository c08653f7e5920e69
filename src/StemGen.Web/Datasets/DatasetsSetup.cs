namespace StemGen.Web.Datasets;

public static class DatasetsSetup
{
    public static IHostApplicationBuilder AddDatasets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DatasetEvents>();
        builder.Services.AddSingleton<DatasetCatalog>();
        builder.Services.AddScoped<DatasetService>();
        builder.Services.AddTransient<DatasetTaskJob>();
        return builder;
    }
}
