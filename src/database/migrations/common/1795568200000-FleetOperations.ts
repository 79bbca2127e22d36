import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Fleet-scale operations (API.md section 9): claimed idempotency keys with the answer they gave,
 * and the indexes that find subtasks across tasks (by video channel, newest first). DDL per driver.
 */
export class FleetOperations1795568200000 implements MigrationInterface {
  name = 'FleetOperations1795568200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'better-sqlite3') {
      await queryRunner.query(
        'CREATE TABLE "tb_idempotency_key" ("subject" varchar(128) NOT NULL, "idem_key" varchar(255) NOT NULL, "request_hash" varchar(64) NOT NULL, "claim_token" varchar(36) NOT NULL, "state" varchar(8) NOT NULL, "status_code" integer, "response_body" text, "claimed_at" datetime(3) NOT NULL, "expires_at" datetime(3) NOT NULL, PRIMARY KEY ("subject", "idem_key"))',
      );
      await queryRunner.query('CREATE INDEX "IDX_idempotency_expires" ON "tb_idempotency_key" ("expires_at") ');
    } else {
      await queryRunner.query(
        'CREATE TABLE `tb_idempotency_key` (`subject` varchar(128) NOT NULL, `idem_key` varchar(255) NOT NULL, `request_hash` varchar(64) NOT NULL, `claim_token` varchar(36) NOT NULL, `state` varchar(8) NOT NULL, `status_code` int NULL, `response_body` text NULL, `claimed_at` datetime(3) NOT NULL, `expires_at` datetime(3) NOT NULL, INDEX `IDX_idempotency_expires` (`expires_at`), PRIMARY KEY (`subject`, `idem_key`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      );
    }
    await queryRunner.createIndex('tb_subtask', new TableIndex({ name: 'IDX_subtask_vchan', columnNames: ['vchan_refid', 'create_dt', 'id'] }));
    await queryRunner.createIndex('tb_subtask', new TableIndex({ name: 'IDX_subtask_created', columnNames: ['create_dt', 'id'] }));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tb_subtask', 'IDX_subtask_created');
    await queryRunner.dropIndex('tb_subtask', 'IDX_subtask_vchan');
    await queryRunner.query('DROP TABLE tb_idempotency_key');
  }
}
