using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StemGen.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SecurityWorkerKeysAndLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ErrorDetail",
                table: "GenerationJobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Lease",
                table: "GenerationJobs",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "WorkerKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    KeyHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RevokedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastUsedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkerKeys", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WorkerKeys_KeyHash",
                table: "WorkerKeys",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WorkerKeys_Name",
                table: "WorkerKeys",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WorkerKeys");

            migrationBuilder.DropColumn(
                name: "ErrorDetail",
                table: "GenerationJobs");

            migrationBuilder.DropColumn(
                name: "Lease",
                table: "GenerationJobs");
        }
    }
}
