import { MigrationInterface, QueryRunner } from 'typeorm';

/** The per-day live-task counts (see TaskDayCountEntity), filled with the tasks that exist. DDL per driver. */
export class TaskDayCounts1795567600000 implements MigrationInterface {
  name = 'TaskDayCounts1795567600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // create_dt is stored in UTC on both drivers, so its date part is the UTC day.
    let day: string;
    if (queryRunner.connection.options.type === 'better-sqlite3') {
      await queryRunner.query(
        'CREATE TABLE "tb_task_day_count" ("day" integer NOT NULL, "slot" integer NOT NULL, "live" integer NOT NULL, PRIMARY KEY ("day", "slot"))',
      );
      day = "CAST(julianday(substr(create_dt, 1, 10)) - julianday('1970-01-01') AS INTEGER)";
    } else {
      await queryRunner.query(
        'CREATE TABLE `tb_task_day_count` (`day` int NOT NULL, `slot` int NOT NULL, `live` int NOT NULL, PRIMARY KEY (`day`, `slot`)) ENGINE=InnoDB',
      );
      day = "DATEDIFF(create_dt, '1970-01-01')";
    }
    await queryRunner.query(`INSERT INTO tb_task_day_count (day, slot, live) SELECT ${day}, 0, COUNT(*) FROM tb_task WHERE deleted_dt IS NULL GROUP BY ${day}`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tb_task_day_count');
  }
}
