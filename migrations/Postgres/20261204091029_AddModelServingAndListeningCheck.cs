using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StemGen.Web.Migrations.Postgres
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
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "ListeningCheckJson",
                table: "TrainingRuns",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "ListeningGain",
                table: "TrainingRuns",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Model",
                table: "GenerationJobs",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ServedModels",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Path = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Bytes = table.Column<long>(type: "bigint", nullable: false),
                    CodecIdentity = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Step = table.Column<long>(type: "bigint", nullable: false),
                    RunId = table.Column<int>(type: "integer", nullable: true),
                    ServedById = table.Column<string>(type: "text", nullable: false),
                    ServedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
