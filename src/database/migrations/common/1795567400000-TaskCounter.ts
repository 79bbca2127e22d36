import { MigrationInterface, QueryRunner } from 'typeorm';

/** Slot rows as this migration created them; the live constant may change, an applied migration must not. */
const TASK_COUNTER_SLOTS = 16;

/** The live-task counter (see TaskCounterEntity), filled with the tasks that exist. DDL per driver. */
export class TaskCounter1795567400000 implements MigrationInterface {
  name = 'TaskCounter1795567400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'better-sqlite3') {
      await queryRunner.query('CREATE TABLE "tb_task_counter" ("slot" integer PRIMARY KEY NOT NULL, "live" integer NOT NULL)');
    } else {
      await queryRunner.query('CREATE TABLE `tb_task_counter` (`slot` int NOT NULL, `live` int NOT NULL, PRIMARY KEY (`slot`)) ENGINE=InnoDB');
    }
    await queryRunner.query('INSERT INTO tb_task_counter (slot, live) SELECT 0, COUNT(*) FROM tb_task WHERE deleted_dt IS NULL');
    for (let slot = 1; slot < TASK_COUNTER_SLOTS; slot++) await queryRunner.query('INSERT INTO tb_task_counter (slot, live) VALUES (?, 0)', [slot]);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tb_task_counter');
  }
}
