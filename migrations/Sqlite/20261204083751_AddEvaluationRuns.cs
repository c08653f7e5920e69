using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StemGen.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddEvaluationRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "EvaluationRuns",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ModelPath = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    CodecIdentity = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Dataset = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Split = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Runs = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Examples = table.Column<int>(type: "INTEGER", nullable: false),
                    Seconds = table.Column<double>(type: "REAL", nullable: false),
                    Embedding = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Seed = table.Column<long>(type: "INTEGER", nullable: false),
                    Steps = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Table1Scales = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Table2Ws = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    StepsGrid = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    CancelRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    Phase = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Percent = table.Column<double>(type: "REAL", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ReportJson = table.Column<string>(type: "TEXT", nullable: true),
                    HangfireJobId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvaluationRuns_AspNetUsers_CreatedById",
                        column: x => x.CreatedById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationRuns_CreatedAt",
                table: "EvaluationRuns",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationRuns_CreatedById",
                table: "EvaluationRuns",
                column: "CreatedById");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EvaluationRuns");
        }
    }
}
