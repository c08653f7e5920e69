using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Model.Generation;

namespace StemGen.Web.Tests;

/// <summary>
/// The real studio in memory (TestServer) over its own temp data folder, with small upload limits
/// and the tone generator, or with <c>shippedModel</c> the production generator (the repository's
/// shipped codec and model, as the studio runs them). The database is SQLite in that folder unless
/// <c>database</c> names another (a PostgreSQL database from <see cref="PostgresServer"/>). Two
/// factories on one folder and database simulate a restart.
/// </summary>
public class StudioFactory : WebApplicationFactory<Program>
{
    private readonly bool shippedModel;

    private readonly IReadOnlyDictionary<string, string> settings;

    public StudioFactory(string? dataDirectory = null, ToneStemGenerator? generator = null, bool shippedModel = false, TestDatabase? database = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        this.shippedModel = shippedModel;
        this.settings = settings ?? new Dictionary<string, string>();
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "stemgen-web-tests", Guid.NewGuid().ToString("N"));
        Generator = generator ?? new ToneStemGenerator();
        Database = database ?? TestDatabase.Sqlite;
    }

    public string DataDirectory { get; }
    public ToneStemGenerator Generator { get; }
    public TestDatabase Database { get; }

    /// <summary>Each checkpoint the tone generator was "loaded" for (null: the configured one), in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string?> LoadedCheckpoints { get; } = new();

    public const long MaxFileBytes = 1024 * 1024;
    public const int MaxFiles = 3;
    public const double MaxDurationSeconds = 5;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Studio:DataDirectory", DataDirectory);
        builder.UseSetting("Studio:Database", Database.Provider.ToString());
        if (Database.ConnectionString is not null) builder.UseSetting("ConnectionStrings:Studio", Database.ConnectionString);
        builder.UseSetting("DetailedErrors", "true");
        builder.UseSetting("Uploads:MaxFileBytes", MaxFileBytes.ToString());
        builder.UseSetting("Uploads:MaxFiles", MaxFiles.ToString());
        builder.UseSetting("Uploads:MaxDurationSeconds", MaxDurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (shippedModel) return;
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<Func<string?, IStemGenerator>>(_ => checkpoint =>
            {
                LoadedCheckpoints.Enqueue(checkpoint);
                return Generator;
            });
        });
    }

    public StudioClient NewClient() => new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Registers a user (through the real form) and returns a logged-in client with an API anti-forgery token.</summary>
    public async Task<StudioClient> RegisterAsync(string userName, string password = "secret123")
    {
        var client = NewClient();
        var response = await client.RegisterAsync(userName, password);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/projects", response.Headers.Location?.OriginalString);
        await client.FetchApiTokenAsync();
        return client;
    }

    public void DeleteData()
    {
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
