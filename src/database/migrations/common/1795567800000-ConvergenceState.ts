import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What convergence under faults needs: the task's next transition (a waiting task's due time), the
 * subtask's last error talking to the ops service, and durable "status may be stale" marks. Every
 * live task is marked once, so the first boot after the upgrade re-derives every status. DDL per driver.
 */
export class ConvergenceState1795567800000 implements MigrationInterface {
  name = 'ConvergenceState1795567800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'better-sqlite3') {
      await queryRunner.query('ALTER TABLE "tb_task" ADD COLUMN "next_transition_at" datetime(3)');
      await queryRunner.query('ALTER TABLE "tb_subtask" ADD COLUMN "last_error" varchar(1024)');
      await queryRunner.query('CREATE TABLE "tb_task_status_mark" ("task_id" varchar(36) PRIMARY KEY NOT NULL, "marked_at" datetime(3) NOT NULL)');
    } else {
      await queryRunner.query('ALTER TABLE `tb_task` ADD `next_transition_at` datetime(3) NULL');
      await queryRunner.query('ALTER TABLE `tb_subtask` ADD `last_error` varchar(1024) NULL');
      await queryRunner.query(
        'CREATE TABLE `tb_task_status_mark` (`task_id` varchar(36) NOT NULL, `marked_at` datetime(3) NOT NULL, PRIMARY KEY (`task_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      );
    }
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    await queryRunner.query('INSERT INTO tb_task_status_mark (task_id, marked_at) SELECT id, ? FROM tb_task WHERE deleted_dt IS NULL', [now]);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tb_task_status_mark');
    await queryRunner.dropColumn('tb_subtask', 'last_error');
    await queryRunner.dropColumn('tb_task', 'next_transition_at');
  }
}
