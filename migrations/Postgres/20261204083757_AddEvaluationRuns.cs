using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StemGen.Web.Migrations.Postgres
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ModelPath = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    CodecIdentity = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Dataset = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Split = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Runs = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Examples = table.Column<int>(type: "integer", nullable: false),
                    Seconds = table.Column<double>(type: "double precision", nullable: false),
                    Embedding = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Seed = table.Column<long>(type: "bigint", nullable: false),
                    Steps = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Table1Scales = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Table2Ws = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    StepsGrid = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    CancelRequested = table.Column<bool>(type: "boolean", nullable: false),
                    Phase = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Percent = table.Column<double>(type: "double precision", nullable: false),
                    Error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ReportJson = table.Column<string>(type: "text", nullable: true),
                    HangfireJobId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedById = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
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
