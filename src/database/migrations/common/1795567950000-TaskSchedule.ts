import { MigrationInterface, QueryRunner } from 'typeorm';

/** A task's schedule (API.md section 8): weekly windows its subtasks run in; null means always. DDL per driver. */
export class TaskSchedule1795567950000 implements MigrationInterface {
  name = 'TaskSchedule1795567950000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'better-sqlite3') {
      await queryRunner.query('ALTER TABLE "tb_task" ADD COLUMN "schedule" json');
    } else {
      await queryRunner.query('ALTER TABLE `tb_task` ADD `schedule` json NULL');
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('tb_task', 'schedule');
  }
}
