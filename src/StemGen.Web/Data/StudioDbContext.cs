using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace StemGen.Web.Data;

/// <summary>
/// The studio database: Identity's tables plus projects, members, stems, generation jobs and their
/// candidates. Its schema is created by the hand-written migrations in the top-level migrations/
/// folder; MigrationSchemaTests proves they build exactly this model.
/// </summary>
public sealed class StudioDbContext(DbContextOptions<StudioDbContext> options) : IdentityDbContext<IdentityUser>(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<Stem> Stems => Set<Stem>();
    public DbSet<GenerationJob> GenerationJobs => Set<GenerationJob>();
    public DbSet<GenerationCandidate> GenerationCandidates => Set<GenerationCandidate>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Project>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(Project.MaxNameLength);
        });

        builder.Entity<ProjectMember>(e =>
        {
            e.HasKey(m => new { m.ProjectId, m.UserId });
            e.HasOne(m => m.Project).WithMany(p => p.Members).HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<IdentityUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(m => m.UserId);
        });

        builder.Entity<Stem>(e =>
        {
            e.Property(s => s.Name).HasMaxLength(Stem.MaxNameLength);
            e.Property(s => s.BlobHash).HasMaxLength(64);
            e.Property(s => s.Format).HasMaxLength(16);
            e.HasOne(s => s.Project).WithMany(p => p.Stems).HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(s => s.ProjectId);
            e.HasIndex(s => s.BlobHash);
        });

        builder.Entity<GenerationJob>(e =>
        {
            e.HasOne(j => j.Project).WithMany(p => p.Jobs).HasForeignKey(j => j.ProjectId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(j => new { j.ProjectId, j.CreatedAt });
            e.HasIndex(j => j.State);
        });

        builder.Entity<GenerationCandidate>(e =>
        {
            e.Property(c => c.BlobHash).HasMaxLength(64);
            e.HasOne(c => c.Job).WithMany(j => j.Candidates).HasForeignKey(c => c.JobId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(c => new { c.JobId, c.Index }).IsUnique();
            e.HasIndex(c => c.BlobHash);
        });
    }
}
