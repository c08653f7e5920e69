using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StemGen.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddModelServingAndListeningCheck : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ListeningCheck",
                table: "TrainingRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "ListeningCheckJson",
                table: "TrainingRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "ListeningGain",
                table: "TrainingRuns",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Model",
                table: "GenerationJobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ServedModels",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Path = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    CodecIdentity = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Step = table.Column<long>(type: "INTEGER", nullable: false),
                    RunId = table.Column<int>(type: "INTEGER", nullable: true),
                    ServedById = table.Column<string>(type: "TEXT", nullable: false),
                    ServedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServedModels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ServedModels_AspNetUsers_ServedById",
                        column: x => x.ServedById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ServedModels_ServedById",
                table: "ServedModels",
                column: "ServedById");

            migrationBuilder.CreateIndex(
                name: "IX_ServedModels_Sha256",
                table: "ServedModels",
                column: "Sha256");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ServedModels");

            migrationBuilder.DropColumn(
                name: "ListeningCheck",
                table: "TrainingRuns");

            migrationBuilder.DropColumn(
                name: "ListeningCheckJson",
                table: "TrainingRuns");

            migrationBuilder.DropColumn(
                name: "ListeningGain",
                table: "TrainingRuns");

            migrationBuilder.DropColumn(
                name: "Model",
                table: "GenerationJobs");
        }
    }
}
