using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Storage;

namespace StemGen.Web.Projects;

/// <summary>
/// Project life cycle and membership. Callers check the caller's role with <see cref="ProjectAccess"/> first.
/// Every change (name, deletion, membership) tells the project's open pages and hub clients itself, whoever made it (a page or the API).
/// </summary>
public sealed class ProjectService(StudioDbContext db, UserManager<IdentityUser> users, BlobReferences blobs, ProjectEvents events, TimeProvider clock)
{
    public async Task<Project> CreateAsync(string ownerId, string name, CancellationToken cancellationToken = default)
    {
        var project = new Project { Name = ValidName(name), CreatedAt = clock.GetUtcNow().UtcDateTime };
        project.Members.Add(new ProjectMember { UserId = ownerId, Role = ProjectRole.Owner, AddedAt = project.CreatedAt });
        db.Projects.Add(project);
        await db.SaveChangesAsync(cancellationToken);
        return project;
    }

    public async Task RenameAsync(int projectId, string name, CancellationToken cancellationToken = default)
    {
        var project = await db.Projects.FirstAsync(p => p.Id == projectId, cancellationToken);
        project.Name = ValidName(name);
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(new ProjectChangedEvent(projectId, "name"));
    }

    /// <summary>Deletes the project, its members, stems, jobs and candidates, and the blobs nothing else uses.</summary>
    public async Task DeleteAsync(int projectId, CancellationToken cancellationToken = default)
    {
        var hashes = await db.Stems.Where(s => s.ProjectId == projectId).Select(s => s.BlobHash)
            .Concat(db.GenerationCandidates.Where(c => c.Job!.ProjectId == projectId).Select(c => c.BlobHash))
            .Distinct().ToListAsync(cancellationToken);
        await db.Projects.Where(p => p.Id == projectId).ExecuteDeleteAsync(cancellationToken);
        await blobs.DeleteUnreferencedAsync(hashes, cancellationToken);
        events.Publish(new ProjectChangedEvent(projectId, "deleted"));
    }

    /// <summary>Adds a member by user name, or changes the role of an existing one. The owner's own role cannot change here.</summary>
    public async Task<ProjectMember> InviteAsync(int projectId, string userName, ProjectRole role, CancellationToken cancellationToken = default)
    {
        if (role == ProjectRole.Owner) throw new StudioValidationException("invite as Editor or Viewer; a project has one owner");
        if (!Enum.IsDefined(role)) throw new StudioValidationException($"unknown role {(int)role}");
        var user = await users.FindByNameAsync((userName ?? "").Trim())
            ?? throw new StudioValidationException($"no user named '{userName}'");
        var member = await db.ProjectMembers.FirstOrDefaultAsync(m => m.ProjectId == projectId && m.UserId == user.Id, cancellationToken);
        if (member is { Role: ProjectRole.Owner }) throw new StudioValidationException($"{user.UserName} owns this project");
        if (member is null)
        {
            member = new ProjectMember { ProjectId = projectId, UserId = user.Id, Role = role, AddedAt = clock.GetUtcNow().UtcDateTime };
            db.ProjectMembers.Add(member);
        }
        else member.Role = role;
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(new ProjectChangedEvent(projectId, "members"));
        return member;
    }

    public async Task RemoveMemberAsync(int projectId, string userId, CancellationToken cancellationToken = default)
    {
        var member = await db.ProjectMembers.FirstOrDefaultAsync(m => m.ProjectId == projectId && m.UserId == userId, cancellationToken)
            ?? throw new StudioValidationException("not a member of this project");
        if (member.Role == ProjectRole.Owner) throw new StudioValidationException("the owner cannot be removed; delete the project instead");
        db.ProjectMembers.Remove(member);
        await db.SaveChangesAsync(cancellationToken);
        await events.DropMemberAsync(projectId, userId); // the removed member's open connections stop hearing the project
        events.Publish(new ProjectChangedEvent(projectId, "members"));
    }

    public sealed record MemberView(string UserId, string UserName, ProjectRole Role);

    public async Task<List<MemberView>> MembersAsync(int projectId, CancellationToken cancellationToken = default) =>
        await (from m in db.ProjectMembers
               join u in db.Users on m.UserId equals u.Id
               where m.ProjectId == projectId
               orderby m.Role descending, u.UserName
               select new MemberView(m.UserId, u.UserName!, m.Role)).ToListAsync(cancellationToken);

    public sealed record ProjectSummary(int Id, string Name, ProjectRole Role, int Stems, DateTime CreatedAt);

    public async Task<List<ProjectSummary>> ListForUserAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.ProjectMembers.Where(m => m.UserId == userId)
            .OrderByDescending(m => m.Project!.CreatedAt)
            .Select(m => new ProjectSummary(m.ProjectId, m.Project!.Name, m.Role, m.Project.Stems.Count, m.Project.CreatedAt))
            .ToListAsync(cancellationToken);

    public static string ValidName(string? name)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0) throw new StudioValidationException("a project needs a name");
        if (trimmed.Length > Project.MaxNameLength) throw new StudioValidationException($"a project name has at most {Project.MaxNameLength} characters");
        if (Storage.UserText.Refusal(trimmed, "project name") is { } refusal) throw new StudioValidationException(refusal);
        return trimmed;
    }
}
