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

    /// <summary>The studio's clock: the real time, plus whatever a test has moved it on (a listener "listening" to a clip).</summary>
    public OffsetClock Clock { get; } = new();
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
        // Every test client shares one address: the rate limits are raised here and tested with their own values in RateLimitTests.
        foreach (var limit in new[] { "SignInsPerMinute", "RegistrationsPerHour", "UploadsPerMinute", "JobsPerMinute", "WritesPerMinutePerAddress" })
            builder.UseSetting($"RateLimits:{limit}", "100000");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
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

    /// <summary>
    /// The names given to Studio:Admins in the settings: like an operator running <c>admin create</c>, the
    /// factory makes these accounts (password secret123, Admin and Listener) when the studio starts.
    /// </summary>
    public IEnumerable<string> AdminNames => CreateAdmins ? settings.Where(s => s.Key.StartsWith("Studio:Admins:")).Select(s => s.Value) : [];

    /// <summary>False: the names in Studio:Admins get no account (a studio whose operator named an admin who does not exist yet).</summary>
    public bool CreateAdmins { get; init; } = true;

    protected override Microsoft.Extensions.Hosting.IHost CreateHost(Microsoft.Extensions.Hosting.IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        CreateAdminsAsync(host.Services).GetAwaiter().GetResult();
        return host;
    }

    protected async Task CreateAdminsAsync(IServiceProvider services)
    {
        foreach (var name in AdminNames)
        {
            await using var scope = services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>();
            if (await users.FindByNameAsync(name) is not null) continue;
            var user = new Microsoft.AspNetCore.Identity.IdentityUser { UserName = name };
            Assert.True((await users.CreateAsync(user, "secret123")).Succeeded);
            Assert.True((await users.AddToRolesAsync(user, Data.Roles.All)).Succeeded);
        }
    }

    /// <summary>Grants a site role the way an admin does, without signing the user out; the user's next sign-in carries it.</summary>
    public async Task GrantAsync(string userName, string role)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>();
        Assert.True((await users.AddToRoleAsync((await users.FindByNameAsync(userName))!, role)).Succeeded);
    }

    /// <summary>A new account that an admin made a Listener, signed in (Listener is granted, not given to every account).</summary>
    public async Task<StudioClient> RegisterListenerAsync(string userName, string password = "secret123")
    {
        await RegisterAsync(userName, password);
        await GrantAsync(userName, Data.Roles.Listener);
        return await SignInAsync(userName, password);
    }

    public async Task<StudioClient> SignInAsync(string userName, string password = "secret123")
    {
        var client = NewClient();
        var response = await client.LoginAsync(userName, password);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/projects", response.Headers.Location?.OriginalString);
        await client.FetchApiTokenAsync();
        return client;
    }

    public StudioClient NewClient() => new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>
    /// Registers a user (through the real form) and returns a logged-in client with an API anti-forgery token;
    /// an admin of <see cref="AdminNames"/> (made by the operator, not registered) is signed in instead.
    /// </summary>
    public async Task<StudioClient> RegisterAsync(string userName, string password = "secret123")
    {
        if (AdminNames.Contains(userName, StringComparer.OrdinalIgnoreCase)) return await SignInAsync(userName, password);
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

/// <summary>The system clock moved on by <see cref="Advance"/>; timers are the system's.</summary>
public sealed class OffsetClock : TimeProvider
{
    private long offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));
}
