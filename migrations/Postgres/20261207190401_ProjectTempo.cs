using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StemGen.Web.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ProjectTempo : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "BeatsPerBar",
                table: "Projects",
                type: "integer",
                nullable: false,
                defaultValue: 4);

            migrationBuilder.AddColumn<double>(
                name: "TempoBpm",
                table: "Projects",
                type: "double precision",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BeatsPerBar",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "TempoBpm",
                table: "Projects");
        }
    }
}
