using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using StemGen.Jobs;
using StemGen.Web.Jobs;

namespace StemGen.Web.Endpoints;

/// <summary>
/// Workers sign in with a key from <see cref="JobsOptions.WorkerKeys"/> in the X-Worker-Key header
/// (their name in X-Worker-Name, for logs and pages). Only the worker endpoints and hub accept it.
/// </summary>
public sealed class WorkerKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptions<JobsOptions> jobs) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "WorkerKey";
    public const string Policy = "Worker";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(WorkerHeaders.Key, out var presented) || presented.ToString() is not { Length: > 0 } key)
            return Task.FromResult(AuthenticateResult.NoResult());
        var given = Encoding.UTF8.GetBytes(key);
        // Constant-time comparison: the key is a secret.
        if (!jobs.Value.WorkerKeys.Any(k => k.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k), given)))
            return Task.FromResult(AuthenticateResult.Fail("unknown worker key"));
        var name = Request.Headers[WorkerHeaders.Name].ToString() is { Length: > 0 and <= 100 } n ? n : "worker";
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, Policy)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
