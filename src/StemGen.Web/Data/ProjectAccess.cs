using System.Security.Claims;
using Microsoft.EntityFrameworkCore;

namespace StemGen.Web.Data;

/// <summary>
/// The one place that answers "may this user do this in this project?". Pages, endpoints, downloads
/// and live updates all ask it; a non-member gets null, which every caller turns into 404 so that
/// strangers cannot even learn that a project exists.
/// </summary>
public sealed class ProjectAccess(StudioDbContext db)
{
    /// <summary>The user's role in the project, or null when the user is anonymous, not a member, or the project does not exist.</summary>
    public async Task<ProjectRole?> RoleAsync(int projectId, string? userId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(userId)) return null;
        var member = await db.ProjectMembers.AsNoTracking()
            .Where(m => m.ProjectId == projectId && m.UserId == userId)
            .Select(m => (ProjectRole?)m.Role)
            .FirstOrDefaultAsync(cancellationToken);
        return member;
    }

    public Task<ProjectRole?> RoleAsync(int projectId, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        RoleAsync(projectId, UserId(user), cancellationToken);

    /// <summary>True when the user has at least <paramref name="required"/> in the project.</summary>
    public async Task<bool> HasRoleAsync(int projectId, ClaimsPrincipal user, ProjectRole required, CancellationToken cancellationToken = default) =>
        await RoleAsync(projectId, user, cancellationToken) is { } role && role >= required;

    public static string? UserId(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
}
