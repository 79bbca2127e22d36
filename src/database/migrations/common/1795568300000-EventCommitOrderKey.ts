import { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = '"at", "kind", "task_id", "subtask_id", "from_value", "to_value", "generation", "reason", "actor_type", "actor_subject", "actor_role"';

/**
 * tb_event is keyed by its commit-order position: a transaction takes its positions from
 * tb_event_sequence as its last step and keeps the sequence row locked until it commits, so
 * events are inserted already numbered and the separate id (and the later numbering of NULL seqs)
 * is gone. Rows still unnumbered are numbered here, in their id (insert) order, after the numbered
 * ones. Pruning deletes a leading run of seq, so the index on `at` goes too. DDL per driver; the
 * data moves with INSERT … SELECT.
 */
export class EventCommitOrderKey1795568300000 implements MigrationInterface {
  name = 'EventCommitOrderKey1795568300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === 'better-sqlite3';
    const cols = sqlite ? COLUMNS : COLUMNS.replace(/"/g, '`');
    if (sqlite) {
      await queryRunner.query(
        'CREATE TABLE "tb_event_keyed" ("seq" bigint PRIMARY KEY NOT NULL, "at" datetime(3) NOT NULL, "kind" varchar(32) NOT NULL, "task_id" varchar(36) NOT NULL, "subtask_id" varchar(36), "from_value" varchar(16), "to_value" varchar(16), "generation" integer, "reason" varchar(1024), "actor_type" varchar(8) NOT NULL, "actor_subject" varchar(128), "actor_role" varchar(16))',
      );
    } else {
      await queryRunner.query(
        'CREATE TABLE `tb_event_keyed` (`seq` bigint NOT NULL, `at` datetime(3) NOT NULL, `kind` varchar(32) NOT NULL, `task_id` varchar(36) NOT NULL, `subtask_id` varchar(36) NULL, `from_value` varchar(16) NULL, `to_value` varchar(16) NULL, `generation` int NULL, `reason` varchar(1024) NULL, `actor_type` varchar(8) NOT NULL, `actor_subject` varchar(128) NULL, `actor_role` varchar(16) NULL, INDEX `IDX_event_subtask` (`subtask_id`, `seq`), INDEX `IDX_event_task` (`task_id`, `seq`), PRIMARY KEY (`seq`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      );
    }
    const q = (name: string) => (sqlite ? `"${name}"` : `\`${name}\``);
    await queryRunner.query(
      `INSERT INTO ${q('tb_event_keyed')} (${q('seq')}, ${cols}) SELECT ${q('seq')}, ${cols} FROM ${q('tb_event')} WHERE ${q('seq')} IS NOT NULL`,
    );
    // The unnumbered rows follow every number given so far, in insert order.
    await queryRunner.query(
      `INSERT INTO ${q('tb_event_keyed')} (${q('seq')}, ${cols}) SELECT s.${q('next_seq')} - 1 + ROW_NUMBER() OVER (ORDER BY e.${q('id')}), ${cols
        .split(', ')
        .map((c) => `e.${c}`)
        .join(', ')} FROM ${q('tb_event')} e CROSS JOIN ${q('tb_event_sequence')} s WHERE s.${q('id')} = 1 AND e.${q('seq')} IS NULL`,
    );
    await queryRunner.query(
      `UPDATE ${q('tb_event_sequence')} SET ${q('next_seq')} = (SELECT COALESCE(MAX(${q('seq')}), 0) + 1 FROM ${q('tb_event_keyed')}) WHERE ${q('id')} = 1 AND ${q('next_seq')} < (SELECT COALESCE(MAX(${q('seq')}), 0) + 1 FROM ${q('tb_event_keyed')})`,
    );
    await queryRunner.query(`DROP TABLE ${q('tb_event')}`);
    if (sqlite) {
      await queryRunner.query('ALTER TABLE "tb_event_keyed" RENAME TO "tb_event"');
      await queryRunner.query('CREATE INDEX "IDX_event_subtask" ON "tb_event" ("subtask_id", "seq") ');
      await queryRunner.query('CREATE INDEX "IDX_event_task" ON "tb_event" ("task_id", "seq") ');
    } else {
      await queryRunner.query('RENAME TABLE `tb_event_keyed` TO `tb_event`');
    }
  }

  /** Back to a generated id per row (the seq, zero-padded, in a UUIDv7's shape so it sorts the same) and a nullable seq. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === 'better-sqlite3';
    const cols = sqlite ? COLUMNS : COLUMNS.replace(/"/g, '`');
    const q = (name: string) => (sqlite ? `"${name}"` : `\`${name}\``);
    if (sqlite) {
      await queryRunner.query(
        'CREATE TABLE "tb_event_ided" ("id" varchar(36) PRIMARY KEY NOT NULL, "seq" bigint, "at" datetime(3) NOT NULL, "kind" varchar(32) NOT NULL, "task_id" varchar(36) NOT NULL, "subtask_id" varchar(36), "from_value" varchar(16), "to_value" varchar(16), "generation" integer, "reason" varchar(1024), "actor_type" varchar(8) NOT NULL, "actor_subject" varchar(128), "actor_role" varchar(16))',
      );
    } else {
      await queryRunner.query(
        'CREATE TABLE `tb_event_ided` (`id` varchar(36) NOT NULL, `seq` bigint NULL, `at` datetime(3) NOT NULL, `kind` varchar(32) NOT NULL, `task_id` varchar(36) NOT NULL, `subtask_id` varchar(36) NULL, `from_value` varchar(16) NULL, `to_value` varchar(16) NULL, `generation` int NULL, `reason` varchar(1024) NULL, `actor_type` varchar(8) NOT NULL, `actor_subject` varchar(128) NULL, `actor_role` varchar(16) NULL, INDEX `IDX_event_at` (`at`), INDEX `IDX_event_subtask` (`subtask_id`, `seq`), INDEX `IDX_event_task` (`task_id`, `seq`), UNIQUE INDEX `UQ_event_seq` (`seq`), PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      );
    }
    const padded = sqlite ? `printf('00000000-0000-7000-8000-%012d', ${q('seq')})` : `CONCAT('00000000-0000-7000-8000-', LPAD(${q('seq')}, 12, '0'))`;
    await queryRunner.query(
      `INSERT INTO ${q('tb_event_ided')} (${q('id')}, ${q('seq')}, ${cols}) SELECT ${padded}, ${q('seq')}, ${cols} FROM ${q('tb_event')}`,
    );
    await queryRunner.query(`DROP TABLE ${q('tb_event')}`);
    if (sqlite) {
      await queryRunner.query('ALTER TABLE "tb_event_ided" RENAME TO "tb_event"');
      await queryRunner.query('CREATE INDEX "IDX_event_at" ON "tb_event" ("at") ');
      await queryRunner.query('CREATE INDEX "IDX_event_subtask" ON "tb_event" ("subtask_id", "seq") ');
      await queryRunner.query('CREATE INDEX "IDX_event_task" ON "tb_event" ("task_id", "seq") ');
      await queryRunner.query('CREATE UNIQUE INDEX "UQ_event_seq" ON "tb_event" ("seq") ');
    } else {
      await queryRunner.query('RENAME TABLE `tb_event_ided` TO `tb_event`');
    }
  }
}
