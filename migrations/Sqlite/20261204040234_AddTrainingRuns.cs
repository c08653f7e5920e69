using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StemGen.Web.Migrations.Sqlite
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Dataset = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Codec = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CodecIdentity = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Preset = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Steps = table.Column<long>(type: "INTEGER", nullable: false),
                    Batch = table.Column<int>(type: "INTEGER", nullable: false),
                    SeqFrames = table.Column<int>(type: "INTEGER", nullable: false),
                    LearningRate = table.Column<double>(type: "REAL", nullable: false),
                    ContextDropout = table.Column<double>(type: "REAL", nullable: false),
                    Seed = table.Column<long>(type: "INTEGER", nullable: false),
                    EncodeSeconds = table.Column<double>(type: "REAL", nullable: false),
                    Device = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Folder = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    StopRequest = table.Column<int>(type: "INTEGER", nullable: false),
                    Step = table.Column<long>(type: "INTEGER", nullable: false),
                    Phase = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ParameterCount = table.Column<long>(type: "INTEGER", nullable: true),
                    BestValidationAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    BestStep = table.Column<long>(type: "INTEGER", nullable: true),
                    Exported = table.Column<bool>(type: "INTEGER", nullable: false),
                    HangfireJobId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<int>(type: "INTEGER", nullable: false),
                    Step = table.Column<long>(type: "INTEGER", nullable: false),
                    Validation = table.Column<bool>(type: "INTEGER", nullable: false),
                    Loss = table.Column<double>(type: "REAL", nullable: false),
                    LevelAccuracy = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    LevelLoss = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    LearningRate = table.Column<double>(type: "REAL", nullable: false),
                    TokensPerSecond = table.Column<double>(type: "REAL", nullable: false)
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
