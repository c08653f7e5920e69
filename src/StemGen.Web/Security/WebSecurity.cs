using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace StemGen.Web.Security;

/// <summary>Transport and browser settings ("Security" section).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Addresses of the TLS proxies in front of the studio whose X-Forwarded-For/-Proto are believed (loopback always is).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Where the data-protection keys (sign-in cookies, anti-forgery, invites) live; default keys/ in the data folder. Every studio process of one site must share it.</summary>
    public string? KeysDirectory { get; set; }

    /// <summary>Optional PFX certificate that encrypts the keys at rest (and its password).</summary>
    public string? KeysCertificatePath { get; set; }
    public string? KeysCertificatePassword { get; set; }
}

/// <summary>
/// What the studio needs to be safe behind a TLS proxy: forwarded headers from known proxies only
/// (so the request is seen as HTTPS and cookies are marked Secure), HSTS on HTTPS, a content security
/// policy and the other browser headers, and data-protection keys in a folder only the service user
/// can read (optionally encrypted with a certificate).
/// </summary>
public static class WebSecurity
{
    /// <summary>
    /// The studio's pages load scripts and styles from itself only. MudBlazor sets inline styles, wavesurfer.js
    /// draws into a shadow root with its own style element, and the Blazor circuit is a same-origin WebSocket.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; " +
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The Hangfire dashboard (/admin/jobs, admins only) writes inline scripts: the same policy with those allowed.</summary>
    public const string DashboardContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddWebSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        services.Configure<SecurityOptions>(builder.Configuration.GetSection(SecurityOptions.Section));
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in options.KnownProxies.Where(p => !string.IsNullOrWhiteSpace(p)))
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy.Trim()));
        });
        services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = false;
        });

        services.AddOptions<StemGen.Web.Jobs.JobsOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<StemGen.Web.Jobs.JobsOptions>, WorkerKeyRules>();

        var studio = builder.Configuration.GetSection(StudioOptions.Section).Get<StudioOptions>() ?? new StudioOptions();
        var keys = KeysFolder(options.KeysDirectory ?? Path.Combine(studio.FullDataDirectory, "keys"));
        var protection = services.AddDataProtection().SetApplicationName("StemGen.Studio").PersistKeysToFileSystem(keys);
        if (!string.IsNullOrWhiteSpace(options.KeysCertificatePath))
            protection.ProtectKeysWithCertificate(X509CertificateLoader.LoadPkcs12FromFile(options.KeysCertificatePath, options.KeysCertificatePassword));
        return builder;
    }

    /// <summary>The keys folder, created (or narrowed) to be readable by the service user only.</summary>
    public static DirectoryInfo KeysFolder(string path)
    {
        var folder = Directory.CreateDirectory(Path.GetFullPath(path));
        if (!OperatingSystem.IsWindows())
            folder.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        return folder;
    }

    /// <summary>Forwarded headers first (so everything after sees the client's scheme and address), then HSTS and the browser headers.</summary>
    public static WebApplication UseWebSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/admin/jobs") ? DashboardContentSecurityPolicy : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            return next(context);
        });
        return app;
    }
}

/// <summary>The studio refuses to start with a worker key that is a placeholder or short enough to guess.</summary>
public sealed class WorkerKeyRules : IValidateOptions<StemGen.Web.Jobs.JobsOptions>
{
    public const int MinLength = 32;

    public ValidateOptionsResult Validate(string? name, StemGen.Web.Jobs.JobsOptions options)
    {
        var bad = options.WorkerKeys.Select((key, i) => (key, i))
            .Where(k => k.key.Length < MinLength || k.key.Contains("CHANGE-ME", StringComparison.OrdinalIgnoreCase))
            .Select(k => $"Jobs:WorkerKeys:{k.i}").ToList();
        return bad.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(
            $"{string.Join(", ", bad)}: a worker key has at least {MinLength} characters and is no placeholder (make one with: openssl rand -hex 32)");
    }
}
