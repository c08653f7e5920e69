using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StemGen.Web.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddTrainingRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TrainingRuns",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Dataset = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Codec = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CodecIdentity = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Preset = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Steps = table.Column<long>(type: "bigint", nullable: false),
                    Batch = table.Column<int>(type: "integer", nullable: false),
                    SeqFrames = table.Column<int>(type: "integer", nullable: false),
                    LearningRate = table.Column<double>(type: "double precision", nullable: false),
                    ContextDropout = table.Column<double>(type: "double precision", nullable: false),
                    Seed = table.Column<long>(type: "bigint", nullable: false),
                    EncodeSeconds = table.Column<double>(type: "double precision", nullable: false),
                    Device = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Folder = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    StopRequest = table.Column<int>(type: "integer", nullable: false),
                    Step = table.Column<long>(type: "bigint", nullable: false),
                    Phase = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ParameterCount = table.Column<long>(type: "bigint", nullable: true),
                    BestValidationAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    BestStep = table.Column<long>(type: "bigint", nullable: true),
                    Exported = table.Column<bool>(type: "boolean", nullable: false),
                    HangfireJobId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedById = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainingRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrainingRuns_AspNetUsers_CreatedById",
                        column: x => x.CreatedById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "TrainingPoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RunId = table.Column<int>(type: "integer", nullable: false),
                    Step = table.Column<long>(type: "bigint", nullable: false),
                    Validation = table.Column<bool>(type: "boolean", nullable: false),
                    Loss = table.Column<double>(type: "double precision", nullable: false),
                    LevelAccuracy = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    LevelLoss = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    LearningRate = table.Column<double>(type: "double precision", nullable: false),
                    TokensPerSecond = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainingPoints", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrainingPoints_TrainingRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "TrainingRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TrainingPoints_RunId_Step",
                table: "TrainingPoints",
                columns: new[] { "RunId", "Step" });

            migrationBuilder.CreateIndex(
                name: "IX_TrainingRuns_CreatedById",
                table: "TrainingRuns",
                column: "CreatedById");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TrainingPoints");

            migrationBuilder.DropTable(
                name: "TrainingRuns");
        }
    }
}
