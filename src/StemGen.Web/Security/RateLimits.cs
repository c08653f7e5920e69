using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using StemGen.Web.Data;

namespace StemGen.Web.Security;

/// <summary>
/// How many requests of each costly kind a client may make per window ("RateLimits" section). Sign-in
/// and registration count per address (a stranger guessing passwords, or locking a known admin out
/// with failed attempts, or scripting accounts); uploads and job requests count per user and per address.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Below Identity's lockout (10 failures), so one address cannot lock an account out within a minute.</summary>
    public int SignInsPerMinute { get; set; } = 5;
    public int RegistrationsPerHour { get; set; } = 5;
    public int UploadsPerMinute { get; set; } = 20;
    public int JobsPerMinute { get; set; } = 20;
    /// <summary>Per address, of uploads and job requests together (several accounts behind one address).</summary>
    public int WritesPerMinutePerAddress { get; set; } = 60;
}

/// <summary>ASP.NET Core's rate limiter on sign-in, registration, uploads and job creation: 429 with Retry-After and a reason.</summary>
public static partial class RateLimits
{
    private enum Kind { None, SignIn, Register, Upload, Job }

    public static IServiceCollection AddStudioRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.Configure<QuotaOptions>(configuration.GetSection(QuotaOptions.Section));
        services.AddScoped<UserQuotas>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                var seconds = (int)Math.Ceiling(retry.TotalSeconds);
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsJsonAsync(new { error = $"too many requests of this kind; try again in {seconds} s" }, cancellationToken);
            };
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => Classify(http) switch
                {
                    Kind.SignIn => Window($"sign-in:{Address(http)}", limits.SignInsPerMinute, TimeSpan.FromMinutes(1)),
                    Kind.Register => Window($"register:{Address(http)}", limits.RegistrationsPerHour, TimeSpan.FromHours(1)),
                    Kind.Upload => Window($"upload:{Caller(http)}", limits.UploadsPerMinute, TimeSpan.FromMinutes(1)),
                    Kind.Job => Window($"job:{Caller(http)}", limits.JobsPerMinute, TimeSpan.FromMinutes(1)),
                    _ => RateLimitPartition.GetNoLimiter(""),
                }),
                PartitionedRateLimiter.Create<HttpContext, string>(http => Classify(http) is Kind.Upload or Kind.Job
                    ? Window($"writes:{Address(http)}", limits.WritesPerMinutePerAddress, TimeSpan.FromMinutes(1))
                    : RateLimitPartition.GetNoLimiter("")));
        });
        return services;
    }

    private static RateLimitPartition<string> Window(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        { PermitLimit = Math.Max(1, permits), Window = window, QueueLimit = 0, AutoReplenishment = true });

    private static Kind Classify(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method)) return Kind.None;
        var path = http.Request.Path.Value ?? "";
        return path switch
        {
            "/account/login" => Kind.SignIn,
            "/account/register" => Kind.Register,
            _ when StemsPath().IsMatch(path) => Kind.Upload,
            _ when JobsPath().IsMatch(path) => Kind.Job,
            _ => Kind.None,
        };
    }

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string Caller(HttpContext http) => ProjectAccess.UserId(http.User) ?? "anonymous:" + Address(http);

    /// <summary>Requests that add stems: uploads, and click tracks (rendered and stored like one).</summary>
    [GeneratedRegex("^/api/projects/[0-9]+/(stems|click)/?$")]
    private static partial Regex StemsPath();

    /// <summary>Requests that make the studio compute for the caller: generation jobs, tempo estimates, mix exports.</summary>
    [GeneratedRegex("^/api/projects/[0-9]+/(jobs|tempo/estimate|mix)/?$")]
    private static partial Regex JobsPath();
}
