using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using StemGen.Jobs;
using StemGen.Web.Jobs;

namespace StemGen.Web.Endpoints;

/// <summary>
/// Workers sign in with their key in the X-Worker-Key header: a key an admin made on /admin/workers (its name is the
/// worker's), or one of <see cref="JobsOptions.WorkerKeys"/> (then X-Worker-Name names it, for logs and pages). Only the
/// worker endpoints and hub accept it; what a worker may touch is then its own leased job (<see cref="WorkerLeases"/>).
/// </summary>
public sealed class WorkerKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    WorkerKeyStore keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "WorkerKey";
    public const string Policy = "Worker";

    /// <summary>The claim that carries the key's lease holder id ("key:12", "config:0").</summary>
    public const string HolderClaim = "stemgen:worker-key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(WorkerHeaders.Key, out var presented) || presented.ToString() is not { Length: > 0 } key)
            return AuthenticateResult.NoResult();
        if (await keys.SignInAsync(key, Request.Headers[WorkerHeaders.Name].ToString(), Context.RequestAborted) is not { } worker)
        {
            Logger.LogWarning("refused an unknown or revoked worker key from {Address}", Context.Connection.RemoteIpAddress);
            return AuthenticateResult.Fail("unknown or revoked worker key");
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, worker.Name), new Claim(ClaimTypes.Role, Policy), new Claim(HolderClaim, worker.Holder)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
