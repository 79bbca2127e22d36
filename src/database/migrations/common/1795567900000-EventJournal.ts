import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event journal (API.md section 7): rows appended with each change, numbered in commit order
 * by the sequencer (seq), and the one-row sequence it takes its next number from. DDL per driver.
 */
export class EventJournal1795567900000 implements MigrationInterface {
  name = 'EventJournal1795567900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'better-sqlite3') {
      await queryRunner.query(
        'CREATE TABLE "tb_event" ("id" varchar(36) PRIMARY KEY NOT NULL, "seq" bigint, "at" datetime(3) NOT NULL, "kind" varchar(32) NOT NULL, "task_id" varchar(36) NOT NULL, "subtask_id" varchar(36), "from_value" varchar(16), "to_value" varchar(16), "generation" integer, "reason" varchar(1024), "actor_type" varchar(8) NOT NULL, "actor_subject" varchar(128), "actor_role" varchar(16))',
      );
      await queryRunner.query('CREATE INDEX "IDX_event_at" ON "tb_event" ("at") ');
      await queryRunner.query('CREATE INDEX "IDX_event_subtask" ON "tb_event" ("subtask_id", "seq") ');
      await queryRunner.query('CREATE INDEX "IDX_event_task" ON "tb_event" ("task_id", "seq") ');
      await queryRunner.query('CREATE UNIQUE INDEX "UQ_event_seq" ON "tb_event" ("seq") ');
      await queryRunner.query('CREATE TABLE "tb_event_sequence" ("id" integer PRIMARY KEY NOT NULL, "next_seq" bigint NOT NULL)');
    } else {
      await queryRunner.query(
        'CREATE TABLE `tb_event` (`id` varchar(36) NOT NULL, `seq` bigint NULL, `at` datetime(3) NOT NULL, `kind` varchar(32) NOT NULL, `task_id` varchar(36) NOT NULL, `subtask_id` varchar(36) NULL, `from_value` varchar(16) NULL, `to_value` varchar(16) NULL, `generation` int NULL, `reason` varchar(1024) NULL, `actor_type` varchar(8) NOT NULL, `actor_subject` varchar(128) NULL, `actor_role` varchar(16) NULL, INDEX `IDX_event_at` (`at`), INDEX `IDX_event_subtask` (`subtask_id`, `seq`), INDEX `IDX_event_task` (`task_id`, `seq`), UNIQUE INDEX `UQ_event_seq` (`seq`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      );
      await queryRunner.query(
        'CREATE TABLE `tb_event_sequence` (`id` int NOT NULL, `next_seq` bigint NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      );
    }
    await queryRunner.query('INSERT INTO tb_event_sequence (id, next_seq) VALUES (1, 1)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tb_event_sequence');
    await queryRunner.query('DROP TABLE tb_event');
  }
}
