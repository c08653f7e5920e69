using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StemGen.Web.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 4);

            migrationBuilder.AddColumn<double>(
                name: "TempoBpm",
                table: "Projects",
                type: "REAL",
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
