import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795567244144 implements MigrationInterface {
  name = 'Initial1795567244144';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`tb_dict_item\` (\`id\` varchar(36) NOT NULL, \`dict_type\` varchar(32) NOT NULL, \`code\` varchar(32) NOT NULL, \`label_zh\` varchar(255) NOT NULL, \`label_en\` varchar(255) NOT NULL, \`sort_order\` int NOT NULL DEFAULT '0', \`create_dt\` datetime(3) NOT NULL, \`update_dt\` datetime(3) NOT NULL, UNIQUE INDEX \`UQ_dict_type_code\` (\`dict_type\`, \`code\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await queryRunner.query(
      `CREATE TABLE \`tb_task\` (\`id\` varchar(36) NOT NULL, \`task_name\` varchar(255) NOT NULL, \`algo_type\` varchar(32) NOT NULL, \`run_dt\` datetime(3) NOT NULL, \`play_url\` varchar(2048) NOT NULL, \`store_conf_unid\` varchar(128) NULL, \`source_type\` varchar(32) NOT NULL, \`vchans\` json NULL, \`node_count\` int NULL, \`pull_source_url\` varchar(2048) NULL, \`status\` varchar(16) NOT NULL, \`status_counts\` json NOT NULL, \`status_reason\` varchar(1024) NULL, \`create_dt\` datetime(3) NOT NULL, \`update_dt\` datetime(3) NOT NULL, \`deleted_dt\` datetime(3) NULL, INDEX \`IDX_task_status_created\` (\`status\`, \`deleted_dt\`, \`create_dt\`), INDEX \`IDX_task_algo_created\` (\`algo_type\`, \`deleted_dt\`, \`create_dt\`), INDEX \`IDX_task_live_created\` (\`deleted_dt\`, \`create_dt\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await queryRunner.query(
      `CREATE TABLE \`tb_mtask\` (\`id\` varchar(36) NOT NULL, \`task_id\` varchar(36) NOT NULL, \`position\` int NOT NULL, \`mtask_unid\` varchar(64) NOT NULL, \`name\` varchar(255) NULL, \`type\` int NOT NULL, \`time_interval\` int NULL, \`start_time\` varchar(8) NULL, \`end_time\` varchar(8) NULL, \`progress\` int NULL, INDEX \`IDX_mtask_task\` (\`task_id\`, \`position\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await queryRunner.query(
      `CREATE TABLE \`tb_scene\` (\`id\` varchar(36) NOT NULL, \`mtask_id\` varchar(36) NOT NULL, \`task_id\` varchar(36) NOT NULL, \`position\` int NOT NULL, \`scene_unid\` varchar(64) NOT NULL, \`name\` varchar(255) NULL, \`preset\` int NULL, \`calibration\` text NULL, \`rois\` json NOT NULL, \`config_xml\` text NULL, \`basic_config_xml\` text NULL, \`link_scenes\` json NOT NULL, \`algo_type\` varchar(32) NOT NULL, \`algo_args\` json NOT NULL, \`is_record\` int NULL, \`is_active\` int NULL, \`vchan_refid\` varchar(128) NULL, \`play_urls\` json NULL, INDEX \`IDX_scene_task\` (\`task_id\`, \`vchan_refid\`), INDEX \`IDX_scene_mtask\` (\`mtask_id\`, \`position\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await queryRunner.query(
      `CREATE TABLE \`tb_subtask\` (\`id\` varchar(36) NOT NULL, \`task_id\` varchar(36) NOT NULL, \`position\` int NOT NULL, \`vchan_refid\` varchar(128) NULL, \`vchan_name\` varchar(255) NULL, \`play_url\` varchar(2048) NULL, \`is_ptz\` tinyint NOT NULL DEFAULT 0, \`node_index\` int NULL, \`pull_source_url\` varchar(2048) NULL, \`state\` varchar(16) NOT NULL, \`desired_state\` varchar(8) NOT NULL, \`generation\` int NOT NULL DEFAULT '0', \`status_reason\` varchar(1024) NULL, \`progress\` int NULL, \`reported_at\` datetime(3) NULL, \`heartbeat_at\` datetime(3) NULL, \`attempts\` int NOT NULL DEFAULT '0', \`next_attempt_at\` datetime(3) NULL, \`lease_owner\` varchar(64) NULL, \`lease_until\` datetime(3) NULL, \`create_dt\` datetime(3) NOT NULL, \`update_dt\` datetime(3) NOT NULL, INDEX \`IDX_subtask_work\` (\`state\`, \`desired_state\`, \`next_attempt_at\`), INDEX \`IDX_subtask_task\` (\`task_id\`, \`position\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await queryRunner.query(
      `ALTER TABLE \`tb_mtask\` ADD CONSTRAINT \`FK_993e807a683c4b06bc5d4e4c3e5\` FOREIGN KEY (\`task_id\`) REFERENCES \`tb_task\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`tb_scene\` ADD CONSTRAINT \`FK_8fc52f613158d501231242daa39\` FOREIGN KEY (\`mtask_id\`) REFERENCES \`tb_mtask\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`tb_subtask\` ADD CONSTRAINT \`FK_b9d9f273e7dd3b5ad2e044bf271\` FOREIGN KEY (\`task_id\`) REFERENCES \`tb_task\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`tb_subtask\` DROP FOREIGN KEY \`FK_b9d9f273e7dd3b5ad2e044bf271\``);
    await queryRunner.query(`ALTER TABLE \`tb_scene\` DROP FOREIGN KEY \`FK_8fc52f613158d501231242daa39\``);
    await queryRunner.query(`ALTER TABLE \`tb_mtask\` DROP FOREIGN KEY \`FK_993e807a683c4b06bc5d4e4c3e5\``);
    await queryRunner.query(`DROP INDEX \`IDX_subtask_task\` ON \`tb_subtask\``);
    await queryRunner.query(`DROP INDEX \`IDX_subtask_work\` ON \`tb_subtask\``);
    await queryRunner.query(`DROP TABLE \`tb_subtask\``);
    await queryRunner.query(`DROP INDEX \`IDX_scene_mtask\` ON \`tb_scene\``);
    await queryRunner.query(`DROP INDEX \`IDX_scene_task\` ON \`tb_scene\``);
    await queryRunner.query(`DROP TABLE \`tb_scene\``);
    await queryRunner.query(`DROP INDEX \`IDX_mtask_task\` ON \`tb_mtask\``);
    await queryRunner.query(`DROP TABLE \`tb_mtask\``);
    await queryRunner.query(`DROP INDEX \`IDX_task_live_created\` ON \`tb_task\``);
    await queryRunner.query(`DROP INDEX \`IDX_task_algo_created\` ON \`tb_task\``);
    await queryRunner.query(`DROP INDEX \`IDX_task_status_created\` ON \`tb_task\``);
    await queryRunner.query(`DROP TABLE \`tb_task\``);
    await queryRunner.query(`DROP INDEX \`UQ_dict_type_code\` ON \`tb_dict_item\``);
    await queryRunner.query(`DROP TABLE \`tb_dict_item\``);
  }
}
