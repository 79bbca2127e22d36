import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The reconciler looks for running subtasks whose last report is older than the heartbeat timeout
 * on every pass. Without this index that was a scan of the whole subtask table once a second; with
 * it, a range that holds only the silent rows.
 */
export class SubtaskHeartbeatIndex1795567700000 implements MigrationInterface {
  name = 'SubtaskHeartbeatIndex1795567700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('tb_subtask', new TableIndex({ name: 'IDX_subtask_heartbeat', columnNames: ['state', 'desired_state', 'heartbeat_at'] }));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tb_subtask', 'IDX_subtask_heartbeat');
  }
}
