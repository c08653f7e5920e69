namespace StemGen.Web.Endpoints;

/// <summary>
/// The /api/projects/{projectId} group as <see cref="ProjectEndpoints"/> builds it (signed in, anti-forgery on
/// every change, the membership filter), for route files of their own.
/// </summary>
public static class ProjectApiGroup
{
    public static RouteGroupBuilder MapProjectGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/projects/{projectId:int}").RequireAuthorization()
            .AddEndpointFilter<ApiAntiforgeryFilter>().AddEndpointFilter<ProjectMembershipFilter>();
}
