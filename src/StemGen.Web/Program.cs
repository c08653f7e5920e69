using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using StemGen.Jobs;
using StemGen.Web;
using StemGen.Web.Components;
using StemGen.Web.Data;
using StemGen.Web.Projects;
using StemGen.Web.Datasets;
using StemGen.Web.Evaluations;
using StemGen.Web.Training;
using StemGen.Web.Endpoints;
using StemGen.Web.Hubs;
using StemGen.Web.Jobs;
using StemGen.Web.Events;
using StemGen.Web.Tasks;
using StemGen.Web.Listening;
using StemGen.Web.Security;
using StemGen.Web.Storage;
using StemGen.Web.Uploads;

var builder = WebApplication.CreateBuilder(args);
var services = builder.Services;

services.Configure<StudioOptions>(builder.Configuration.GetSection(StudioOptions.Section));
services.Configure<UploadOptions>(builder.Configuration.GetSection(UploadOptions.Section));
services.Configure<GenerationOptions>(builder.Configuration.GetSection(GenerationOptions.Section));
services.AddSingleton(TimeProvider.System);

// Forwarded headers from known proxies, HSTS, browser headers, data-protection keys (Security section).
builder.AddWebSecurity();
services.AddStudioRateLimits(builder.Configuration);

// Database: SQLite under the data folder (default) or PostgreSQL (Studio:Database, ConnectionStrings:Studio).
builder.AddStudioDatabase();

services.AddIdentity<IdentityUser, IdentityRole>(options =>
    {
        options.Password.RequiredLength = 8;
        options.Password.RequireDigit = true;
        options.Password.RequireLowercase = true;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
        options.Lockout.MaxFailedAccessAttempts = 10;
    })
    .AddEntityFrameworkStores<StudioDbContext>()
    .AddDefaultTokenProviders();
services.ConfigureApplicationCookie(options =>
{
    options.LoginPath = "/account/login";
    options.AccessDeniedPath = "/account/denied";
    options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
    // API callers get status codes, not a redirect to the login page.
    options.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
    options.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
});
// A role change, lock or new password rotates the security stamp: cookies and open pages notice within RevalidateSeconds.
services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<StudioOptions>>((o, studio) =>
    o.ValidationInterval = TimeSpan.FromSeconds(Math.Max(0, studio.Value.RevalidateSeconds)));
services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, AccountRevalidation>();
services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, WorkerKeyAuthentication>(WorkerKeyAuthentication.SchemeName, null);
services.AddAuthorization(options => options.AddPolicy(WorkerKeyAuthentication.Policy, policy => policy
    .AddAuthenticationSchemes(WorkerKeyAuthentication.SchemeName).RequireRole(WorkerKeyAuthentication.Policy)));
services.AddCascadingAuthenticationState();
// Behind a TLS proxy (forwarded headers) the request is HTTPS and these cookies are marked Secure; the CSP forbids framing.
services.AddAntiforgery(o => { o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; o.SuppressXFrameOptionsHeader = true; });
services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

services.AddScoped<ProjectAccess>();
services.AddScoped<UserRoles>();
services.AddScoped<Invites>();
services.AddScoped<ProjectService>();
services.AddScoped<StemService>();
services.AddScoped<TempoService>();
services.AddScoped<MixExport>();
services.AddScoped<BlobReferences>();
services.AddSingleton<DownloadLimiter>();
services.AddHostedService<BlobSweeper>();
services.AddScoped<StemUploadService>();
services.AddScoped<JobService>();
services.AddSingleton<IBlobStore>(sp => new LocalFolderBlobStore(sp.GetRequiredService<IOptions<StudioOptions>>().Value.BlobDirectory));
services.AddSingleton<ProjectEvents>();
services.AddSingleton<ProjectHubMembers>();
// Jobs: Hangfire (SQLite embedded, or PostgreSQL with GPU workers), the job ledger, the generator.
builder.AddStudioJobs();
// The task kernel: one event bus, the studio's queue, the watchdog and start-up recovery for every kind of long task.
services.AddTaskKernel();
// Listening tests: study design and preparation jobs, listener sessions, results.
builder.AddListeningTests();
// Datasets: imports, synthetic renders and token caches as jobs under Studio:DatasetsRoot.
builder.AddDatasets();
// Training runs: launched, watched, paused and resumed from the admin pages.
builder.AddTraining();
// Evaluations: the paper's grids and metrics for a model on a dataset split, as CPU-queue jobs.
builder.AddEvaluations();
services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
services.AddHostedService<ProjectHubRelay>();

services.AddRazorComponents().AddInteractiveServerComponents();
// Snackbars at the bottom: at the top they covered the page header and the generate panel.
services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
services.AddSingleton<UserPreferences>();
services.AddHttpContextAccessor();

var app = builder.Build();

await DatabaseSetup.InitializeAsync(app.Services);
// The operator's commands (StemGen.Web admin create NAME): run against the configured database, then exit.
if (AdminCommand.Find(args) is { } command)
{
    Environment.ExitCode = await AdminCommand.RunAsync(app.Services, command, Console.Out);
    return;
}

app.UseWebSecurity();
if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
app.UseStaticFiles();
// Vendored npm bundles (wavesurfer.js) copied by scripts/install-deps.sh into the top-level wwwroot.
if (VendorAssets.Find(app.Services.GetRequiredService<IOptions<StudioOptions>>().Value, app.Environment) is { } vendor)
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(vendor), RequestPath = "/vendor" });
app.UseAuthentication();
app.UseRateLimiter(); // after authentication: uploads and job requests count per user
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
// Every endpoint the studio maps itself, in one group whose filter turns a refusal into a 400 ProblemDetails
// with its message and a missing item into a 404 (Endpoints/ApiErrors.cs).
var endpoints = app.MapGroup("").AddEndpointFilter<ApiErrors>();
endpoints.MapAccountEndpoints();
endpoints.MapProjectEndpoints().MapJobEndpoints();
endpoints.MapTempoEndpoints();
endpoints.MapMixEndpoints();
endpoints.MapListeningEndpoints();
endpoints.MapDatasetEndpoints();
endpoints.MapTrainingEndpoints();
endpoints.MapEvaluationEndpoints();
endpoints.MapWorkerEndpoints();
endpoints.MapWorkerKeyEndpoints().MapAdminJobEndpoints().MapQuotaEndpoints();
app.MapHub<ProjectHub>("/hubs/project");
app.MapHub<WorkerHub>("/hubs/worker");
app.MapJobsDashboard();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null); // WebSecurity's CSP says 'none'

app.Logger.LogInformation("StemGen Studio: data in {Data}", app.Services.GetRequiredService<IOptions<StudioOptions>>().Value.FullDataDirectory);
app.Run();

static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
{
    if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs"))
        context.Response.StatusCode = status;
    else
        context.Response.Redirect(context.RedirectUri);
    return Task.CompletedTask;
}

/// <summary>Lets WebApplicationFactory find the entry point.</summary>
public partial class Program;
