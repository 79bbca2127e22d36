import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reconciler looks for running subtasks whose last report is older than the heartbeat timeout
 * on every pass. Without this index that was a scan of the whole subtask table once a second; with
 * it, a range that holds only the silent rows.
 */
export class SubtaskHeartbeatIndex1795567700000 implements MigrationInterface {
  name = 'SubtaskHeartbeatIndex1795567700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX IDX_subtask_heartbeat ON tb_subtask (state, desired_state, heartbeat_at)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === 'better-sqlite3';
    await queryRunner.query(sqlite ? 'DROP INDEX IDX_subtask_heartbeat' : 'DROP INDEX IDX_subtask_heartbeat ON tb_subtask');
  }
}
