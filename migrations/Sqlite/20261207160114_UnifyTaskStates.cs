using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StemGen.Web.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UnifyTaskStates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<int>(
                name: "ListeningCheck",
                table: "TrainingRuns",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(int),
                oldType: "INTEGER",
                oldDefaultValue: 0);

            // One TaskState for every task: training's Paused moves to 5 (2 Succeeded, 3 Failed, 4 Cancelled as
            // everywhere); the listening check's None becomes null and Done (3) Succeeded (2).
            migrationBuilder.Sql("""UPDATE "TrainingRuns" SET "State" = CASE "State" WHEN 2 THEN 5 WHEN 3 THEN 2 WHEN 4 THEN 3 WHEN 5 THEN 4 ELSE "State" END""");
            migrationBuilder.Sql("""UPDATE "TrainingRuns" SET "ListeningCheck" = CASE "ListeningCheck" WHEN 0 THEN NULL ELSE "ListeningCheck" - 1 END""");

            migrationBuilder.AddColumn<string>(
                name: "ListeningCheckJobId",
                table: "TrainingRuns",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""UPDATE "TrainingRuns" SET "State" = CASE "State" WHEN 5 THEN 2 WHEN 2 THEN 3 WHEN 3 THEN 4 WHEN 4 THEN 5 ELSE "State" END""");
            migrationBuilder.Sql("""UPDATE "TrainingRuns" SET "ListeningCheck" = CASE WHEN "ListeningCheck" IS NULL THEN 0 WHEN "ListeningCheck" >= 3 THEN 4 ELSE "ListeningCheck" + 1 END""");

            migrationBuilder.DropColumn(
                name: "ListeningCheckJobId",
                table: "TrainingRuns");

            migrationBuilder.AlterColumn<int>(
                name: "ListeningCheck",
                table: "TrainingRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0,
                oldClrType: typeof(int),
                oldType: "INTEGER",
                oldNullable: true);
        }
    }
}
