using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StemGen.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddListeningStudies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ListeningStudies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Instructions = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Question = table.Column<int>(type: "INTEGER", nullable: false),
                    Dataset = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Seed = table.Column<long>(type: "INTEGER", nullable: false),
                    ItemsPerCondition = table.Column<int>(type: "INTEGER", nullable: false),
                    ClipSeconds = table.Column<double>(type: "REAL", nullable: false),
                    MinPlaySeconds = table.Column<double>(type: "REAL", nullable: true),
                    LoudnessLufs = table.Column<double>(type: "REAL", nullable: false),
                    OpenToAll = table.Column<bool>(type: "INTEGER", nullable: false),
                    Screening = table.Column<int>(type: "INTEGER", nullable: false),
                    ReferenceBelow = table.Column<double>(type: "REAL", nullable: false),
                    AnchorAbove = table.Column<double>(type: "REAL", nullable: false),
                    MaxFailPercent = table.Column<double>(type: "REAL", nullable: false),
                    PseudonymKey = table.Column<byte[]>(type: "BLOB", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    ProgressPercent = table.Column<double>(type: "REAL", nullable: false),
                    Phase = table.Column<string>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    HangfireJobId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ListeningStudies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ListeningStudies_AspNetUsers_CreatedById",
                        column: x => x.CreatedById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "StudyConditions",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StudyId = table.Column<int>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Preset = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Model = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StudyConditions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_StudyConditions_ListeningStudies_StudyId",
                        column: x => x.StudyId,
                        principalTable: "ListeningStudies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StudyInvites",
                columns: table => new
                {
                    StudyId = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StudyInvites", x => new { x.StudyId, x.UserId });
                    table.ForeignKey(
                        name: "FK_StudyInvites_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_StudyInvites_ListeningStudies_StudyId",
                        column: x => x.StudyId,
                        principalTable: "ListeningStudies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StudyItems",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StudyId = table.Column<int>(type: "INTEGER", nullable: false),
                    ConditionId = table.Column<int>(type: "INTEGER", nullable: false),
                    PublicId = table.Column<string>(type: "TEXT", maxLength: 22, nullable: false),
                    Example = table.Column<int>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    BlobHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DurationSeconds = table.Column<double>(type: "REAL", nullable: false),
                    Lufs = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StudyItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_StudyItems_ListeningStudies_StudyId",
                        column: x => x.StudyId,
                        principalTable: "ListeningStudies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_StudyItems_StudyConditions_ConditionId",
                        column: x => x.ConditionId,
                        principalTable: "StudyConditions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "StudyAssignments",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StudyId = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    ItemId = table.Column<int>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    PlayedSeconds = table.Column<double>(type: "REAL", nullable: false),
                    Ended = table.Column<bool>(type: "INTEGER", nullable: false),
                    Score = table.Column<int>(type: "INTEGER", nullable: true),
                    RatedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StudyAssignments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_StudyAssignments_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_StudyAssignments_ListeningStudies_StudyId",
                        column: x => x.StudyId,
                        principalTable: "ListeningStudies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_StudyAssignments_StudyItems_ItemId",
                        column: x => x.ItemId,
                        principalTable: "StudyItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ListeningStudies_CreatedById",
                table: "ListeningStudies",
                column: "CreatedById");

            migrationBuilder.CreateIndex(
                name: "IX_StudyAssignments_ItemId",
                table: "StudyAssignments",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_StudyAssignments_StudyId_UserId_Position",
                table: "StudyAssignments",
                columns: new[] { "StudyId", "UserId", "Position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StudyAssignments_UserId_ItemId",
                table: "StudyAssignments",
                columns: new[] { "UserId", "ItemId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StudyConditions_StudyId_Position",
                table: "StudyConditions",
                columns: new[] { "StudyId", "Position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StudyInvites_UserId",
                table: "StudyInvites",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_StudyItems_BlobHash",
                table: "StudyItems",
                column: "BlobHash");

            migrationBuilder.CreateIndex(
                name: "IX_StudyItems_ConditionId",
                table: "StudyItems",
                column: "ConditionId");

            migrationBuilder.CreateIndex(
                name: "IX_StudyItems_PublicId",
                table: "StudyItems",
                column: "PublicId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StudyItems_StudyId_ConditionId_Example",
                table: "StudyItems",
                columns: new[] { "StudyId", "ConditionId", "Example" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "StudyAssignments");

            migrationBuilder.DropTable(
                name: "StudyInvites");

            migrationBuilder.DropTable(
                name: "StudyItems");

            migrationBuilder.DropTable(
                name: "StudyConditions");

            migrationBuilder.DropTable(
                name: "ListeningStudies");
        }
    }
}
