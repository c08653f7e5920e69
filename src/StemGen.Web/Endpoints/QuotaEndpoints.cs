using StemGen.Web.Data;
using StemGen.Web.Security;

namespace StemGen.Web.Endpoints;

/// <summary>GET /api/me/quotas (any signed-in user): their queued jobs, variations per job and stored bytes against their quotas.</summary>
public static class QuotaEndpoints
{
    public static IEndpointRouteBuilder MapQuotaEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/quotas", async (HttpContext http, UserQuotas quotas, CancellationToken ct) =>
            Results.Ok(await quotas.ForUserAsync(ProjectAccess.UserId(http.User)!, ct))).RequireAuthorization();
        return app;
    }
}
