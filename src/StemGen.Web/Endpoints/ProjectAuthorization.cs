using Microsoft.AspNetCore.Antiforgery;
using StemGen.Web.Data;

namespace StemGen.Web.Endpoints;

/// <summary>Endpoint metadata: the least role an endpoint under /api/projects/{projectId} needs.</summary>
public sealed record RequiresProjectRole(ProjectRole Role);

/// <summary>
/// The filter on every project endpoint: a caller who is not a member gets 404 (the project might as
/// well not exist); a member below the endpoint's role gets 403. The role goes into HttpContext.Items.
/// </summary>
public sealed class ProjectMembershipFilter : IEndpointFilter
{
    private const string RoleKey = "StemGen.ProjectRole";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!int.TryParse(http.Request.RouteValues["projectId"]?.ToString(), out var projectId)) return Results.NotFound();
        var access = http.RequestServices.GetRequiredService<ProjectAccess>();
        var role = await access.RoleAsync(projectId, http.User, http.RequestAborted);
        if (role is null) return Results.NotFound();
        var required = http.GetEndpoint()?.Metadata.GetMetadata<RequiresProjectRole>()?.Role ?? ProjectRole.Viewer;
        if (role < required) return Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: $"needs the {required} role in this project (you are {role})");
        http.Items[RoleKey] = role.Value;
        return await next(context);
    }

    public static ProjectRole RoleOf(HttpContext http) => (ProjectRole)http.Items[RoleKey]!;
}

/// <summary>Checks the anti-forgery token (header RequestVerificationToken) on every state-changing API call.</summary>
public sealed class ApiAntiforgeryFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            try { await antiforgery.ValidateRequestAsync(http); }
            catch (AntiforgeryValidationException)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "missing or invalid anti-forgery token (GET /api/antiforgery, send it as the RequestVerificationToken header)");
            }
        }
        return await next(context);
    }
}

public static class EndpointConventions
{
    public static TBuilder RequiresRole<TBuilder>(this TBuilder builder, ProjectRole role) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresProjectRole(role));
}
