using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using StemGen.Web.Data;

namespace StemGen.Web.Migrations;

/// <summary>
/// The first studio schema: ASP.NET Core Identity's tables, then projects, members, stems, generation
/// jobs and their candidates. Written by hand (no EF Design package here); MigrationSchemaTests
/// compares what it builds with what <see cref="StudioDbContext"/>'s model creates.
/// </summary>
[DbContext(typeof(StudioDbContext))]
[Migration("20261122050000_InitialSchema")]
public sealed class InitialSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        CreateIdentity(migrationBuilder);
        CreateStudio(migrationBuilder);
    }

    private static void CreateIdentity(MigrationBuilder m)
    {
        m.CreateTable(
            name: "AspNetRoles",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                Name = t.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                NormalizedName = t.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                ConcurrencyStamp = t.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_AspNetRoles", x => x.Id));

        m.CreateTable(
            name: "AspNetUsers",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                UserName = t.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                NormalizedUserName = t.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                Email = t.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                NormalizedEmail = t.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                EmailConfirmed = t.Column<bool>(type: "INTEGER", nullable: false),
                PasswordHash = t.Column<string>(type: "TEXT", nullable: true),
                SecurityStamp = t.Column<string>(type: "TEXT", nullable: true),
                ConcurrencyStamp = t.Column<string>(type: "TEXT", nullable: true),
                PhoneNumber = t.Column<string>(type: "TEXT", nullable: true),
                PhoneNumberConfirmed = t.Column<bool>(type: "INTEGER", nullable: false),
                TwoFactorEnabled = t.Column<bool>(type: "INTEGER", nullable: false),
                LockoutEnd = t.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                LockoutEnabled = t.Column<bool>(type: "INTEGER", nullable: false),
                AccessFailedCount = t.Column<int>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_AspNetUsers", x => x.Id));

        m.CreateTable(
            name: "AspNetRoleClaims",
            columns: t => new
            {
                Id = t.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                RoleId = t.Column<string>(type: "TEXT", nullable: false),
                ClaimType = t.Column<string>(type: "TEXT", nullable: true),
                ClaimValue = t.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_AspNetRoleClaims", x => x.Id);
                t.ForeignKey("FK_AspNetRoleClaims_AspNetRoles_RoleId", x => x.RoleId, "AspNetRoles", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateTable(
            name: "AspNetUserClaims",
            columns: t => new
            {
                Id = t.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                ClaimType = t.Column<string>(type: "TEXT", nullable: true),
                ClaimValue = t.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_AspNetUserClaims", x => x.Id);
                t.ForeignKey("FK_AspNetUserClaims_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateTable(
            name: "AspNetUserLogins",
            columns: t => new
            {
                LoginProvider = t.Column<string>(type: "TEXT", nullable: false),
                ProviderKey = t.Column<string>(type: "TEXT", nullable: false),
                ProviderDisplayName = t.Column<string>(type: "TEXT", nullable: true),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_AspNetUserLogins", x => new { x.LoginProvider, x.ProviderKey });
                t.ForeignKey("FK_AspNetUserLogins_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateTable(
            name: "AspNetUserRoles",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                RoleId = t.Column<string>(type: "TEXT", nullable: false),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_AspNetUserRoles", x => new { x.UserId, x.RoleId });
                t.ForeignKey("FK_AspNetUserRoles_AspNetRoles_RoleId", x => x.RoleId, "AspNetRoles", "Id", onDelete: ReferentialAction.Cascade);
                t.ForeignKey("FK_AspNetUserRoles_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateTable(
            name: "AspNetUserTokens",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                LoginProvider = t.Column<string>(type: "TEXT", nullable: false),
                Name = t.Column<string>(type: "TEXT", nullable: false),
                Value = t.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_AspNetUserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
                t.ForeignKey("FK_AspNetUserTokens_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateIndex("IX_AspNetRoleClaims_RoleId", "AspNetRoleClaims", "RoleId");
        m.CreateIndex("RoleNameIndex", "AspNetRoles", "NormalizedName", unique: true);
        m.CreateIndex("IX_AspNetUserClaims_UserId", "AspNetUserClaims", "UserId");
        m.CreateIndex("IX_AspNetUserLogins_UserId", "AspNetUserLogins", "UserId");
        m.CreateIndex("IX_AspNetUserRoles_RoleId", "AspNetUserRoles", "RoleId");
        m.CreateIndex("EmailIndex", "AspNetUsers", "NormalizedEmail");
        m.CreateIndex("UserNameIndex", "AspNetUsers", "NormalizedUserName", unique: true);
    }

    private static void CreateStudio(MigrationBuilder m)
    {
        m.CreateTable(
            name: "Projects",
            columns: t => new
            {
                Id = t.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Name = t.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                CreatedAt = t.Column<DateTime>(type: "TEXT", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_Projects", x => x.Id));

        m.CreateTable(
            name: "ProjectMembers",
            columns: t => new
            {
                ProjectId = t.Column<int>(type: "INTEGER", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Role = t.Column<int>(type: "INTEGER", nullable: false),
                AddedAt = t.Column<DateTime>(type: "TEXT", nullable: false),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_ProjectMembers", x => new { x.ProjectId, x.UserId });
                t.ForeignKey("FK_ProjectMembers_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
                t.ForeignKey("FK_ProjectMembers_Projects_ProjectId", x => x.ProjectId, "Projects", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateTable(
            name: "Stems",
            columns: t => new
            {
                Id = t.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ProjectId = t.Column<int>(type: "INTEGER", nullable: false),
                Name = t.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Category = t.Column<int>(type: "INTEGER", nullable: false),
                BlobHash = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Format = t.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                SizeBytes = t.Column<long>(type: "INTEGER", nullable: false),
                DurationSeconds = t.Column<double>(type: "REAL", nullable: false),
                SampleRate = t.Column<int>(type: "INTEGER", nullable: false),
                Channels = t.Column<int>(type: "INTEGER", nullable: false),
                Peaks = t.Column<byte[]>(type: "BLOB", nullable: false),
                PeaksSamplesPerBucket = t.Column<int>(type: "INTEGER", nullable: false),
                SourceJobId = t.Column<int>(type: "INTEGER", nullable: true),
                CreatedAt = t.Column<DateTime>(type: "TEXT", nullable: false),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_Stems", x => x.Id);
                t.ForeignKey("FK_Stems_Projects_ProjectId", x => x.ProjectId, "Projects", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateTable(
            name: "GenerationJobs",
            columns: t => new
            {
                Id = t.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                ProjectId = t.Column<int>(type: "INTEGER", nullable: false),
                RequestedById = t.Column<string>(type: "TEXT", nullable: false),
                TargetCategory = t.Column<int>(type: "INTEGER", nullable: false),
                ParametersJson = t.Column<string>(type: "TEXT", nullable: false),
                State = t.Column<int>(type: "INTEGER", nullable: false),
                CancelRequested = t.Column<bool>(type: "INTEGER", nullable: false),
                Attempts = t.Column<int>(type: "INTEGER", nullable: false),
                ProgressLevel = t.Column<int>(type: "INTEGER", nullable: false),
                ProgressStep = t.Column<int>(type: "INTEGER", nullable: false),
                ProgressPercent = t.Column<double>(type: "REAL", nullable: false),
                EtaSeconds = t.Column<double>(type: "REAL", nullable: true),
                Phase = t.Column<string>(type: "TEXT", nullable: true),
                Device = t.Column<string>(type: "TEXT", nullable: true),
                Error = t.Column<string>(type: "TEXT", nullable: true),
                CreatedAt = t.Column<DateTime>(type: "TEXT", nullable: false),
                StartedAt = t.Column<DateTime>(type: "TEXT", nullable: true),
                FinishedAt = t.Column<DateTime>(type: "TEXT", nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_GenerationJobs", x => x.Id);
                t.ForeignKey("FK_GenerationJobs_Projects_ProjectId", x => x.ProjectId, "Projects", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateTable(
            name: "GenerationCandidates",
            columns: t => new
            {
                Id = t.Column<int>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                JobId = t.Column<int>(type: "INTEGER", nullable: false),
                Index = t.Column<int>(type: "INTEGER", nullable: false),
                BlobHash = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                SizeBytes = t.Column<long>(type: "INTEGER", nullable: false),
                DurationSeconds = t.Column<double>(type: "REAL", nullable: false),
                SampleRate = t.Column<int>(type: "INTEGER", nullable: false),
                Channels = t.Column<int>(type: "INTEGER", nullable: false),
                Peaks = t.Column<byte[]>(type: "BLOB", nullable: false),
                PeaksSamplesPerBucket = t.Column<int>(type: "INTEGER", nullable: false),
                Status = t.Column<int>(type: "INTEGER", nullable: false),
                AcceptedStemId = t.Column<int>(type: "INTEGER", nullable: true),
                CreatedAt = t.Column<DateTime>(type: "TEXT", nullable: false),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_GenerationCandidates", x => x.Id);
                t.ForeignKey("FK_GenerationCandidates_GenerationJobs_JobId", x => x.JobId, "GenerationJobs", "Id", onDelete: ReferentialAction.Cascade);
            });

        m.CreateIndex("IX_ProjectMembers_UserId", "ProjectMembers", "UserId");
        m.CreateIndex("IX_Stems_ProjectId", "Stems", "ProjectId");
        m.CreateIndex("IX_Stems_BlobHash", "Stems", "BlobHash");
        m.CreateIndex("IX_GenerationJobs_ProjectId_CreatedAt", "GenerationJobs", ["ProjectId", "CreatedAt"]);
        m.CreateIndex("IX_GenerationJobs_State", "GenerationJobs", "State");
        m.CreateIndex("IX_GenerationCandidates_JobId_Index", "GenerationCandidates", ["JobId", "Index"], unique: true);
        m.CreateIndex("IX_GenerationCandidates_BlobHash", "GenerationCandidates", "BlobHash");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in new[]
                 {
                     "GenerationCandidates", "GenerationJobs", "Stems", "ProjectMembers", "Projects",
                     "AspNetRoleClaims", "AspNetUserClaims", "AspNetUserLogins", "AspNetUserRoles", "AspNetUserTokens", "AspNetRoles", "AspNetUsers",
                 })
            migrationBuilder.DropTable(table);
    }
}
