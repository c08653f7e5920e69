using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace StemGen.Web.Tests.Browser;

/// <summary>
/// The studio on a real Kestrel socket (a browser cannot reach TestServer): the factory builds its
/// in-memory host as usual, then a second host from the same builder on 127.0.0.1 with a free port.
/// Both share the data folder (and the tone generator, unless <c>shippedModel</c>: then each loads the shipped models);
/// only the Kestrel host runs jobs.
/// </summary>
public sealed class KestrelStudioFactory : StudioFactory
{
    private IHost? kestrelHost;

    public string ServerAddress { get; private set; } = "";

    public KestrelStudioFactory(ToneStemGenerator? generator = null, bool shippedModel = false, TestDatabase? database = null,
        IReadOnlyDictionary<string, string>? settings = null)
        : base(generator: generator, shippedModel: shippedModel, database: database, settings: settings)
    {
    }

    private const string TwinSetting = "Tests:InMemoryTwin";

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // One job server per data folder: the in-memory twin only serves requests.
        builder.ConfigureWebHost(web => web.UseSetting(TwinSetting, "true").ConfigureTestServices(services =>
        {
            services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(Jobs.EmbeddedJobServer)));
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<IConfiguration>()[TwinSetting] == "true"
                ? new NoJobServer() : ActivatorUtilities.CreateInstance<Jobs.EmbeddedJobServer>(sp));
        }));
        var testHost = builder.Build();
        builder.ConfigureWebHost(web => web.UseKestrel().UseUrls("http://127.0.0.1:0").UseSetting(TwinSetting, "false"));
        kestrelHost = builder.Build();
        kestrelHost.Start();
        var addresses = kestrelHost.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        ServerAddress = addresses.Addresses.First();
        testHost.Start();
        CreateAdminsAsync(testHost.Services).GetAwaiter().GetResult();
        return testHost;
    }

    /// <summary>Starts both hosts (the factory is lazy).</summary>
    public string Start()
    {
        _ = Services;
        return ServerAddress;
    }

    public override async ValueTask DisposeAsync()
    {
        if (kestrelHost is { } host)
        {
            kestrelHost = null;
            await host.StopAsync();
            host.Dispose();
        }
        await base.DisposeAsync();
    }

    private sealed class NoJobServer : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
