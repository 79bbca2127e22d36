import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795567246896 implements MigrationInterface {
  name = 'Initial1795567246896';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tb_dict_item" ("id" varchar(36) PRIMARY KEY NOT NULL, "dict_type" varchar(32) NOT NULL, "code" varchar(32) NOT NULL, "label_zh" varchar(255) NOT NULL, "label_en" varchar(255) NOT NULL, "sort_order" integer NOT NULL DEFAULT (0), "create_dt" datetime(3) NOT NULL, "update_dt" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_dict_type_code" ON "tb_dict_item" ("dict_type", "code") `);
    await queryRunner.query(
      `CREATE TABLE "tb_task" ("id" varchar(36) PRIMARY KEY NOT NULL, "task_name" varchar(255) NOT NULL, "algo_type" varchar(32) NOT NULL, "run_dt" datetime(3) NOT NULL, "play_url" varchar(2048) NOT NULL, "store_conf_unid" varchar(128), "source_type" varchar(32) NOT NULL, "vchans" json, "node_count" integer, "pull_source_url" varchar(2048), "status" varchar(16) NOT NULL, "status_counts" json NOT NULL, "status_reason" varchar(1024), "create_dt" datetime(3) NOT NULL, "update_dt" datetime(3) NOT NULL, "deleted_dt" datetime(3))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_task_status_created" ON "tb_task" ("status", "deleted_dt", "create_dt") `);
    await queryRunner.query(`CREATE INDEX "IDX_task_algo_created" ON "tb_task" ("algo_type", "deleted_dt", "create_dt") `);
    await queryRunner.query(`CREATE INDEX "IDX_task_live_created" ON "tb_task" ("deleted_dt", "create_dt", "id") `);
    await queryRunner.query(
      `CREATE TABLE "tb_mtask" ("id" varchar(36) PRIMARY KEY NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "mtask_unid" varchar(64) NOT NULL, "name" varchar(255), "type" integer NOT NULL, "time_interval" integer, "start_time" varchar(8), "end_time" varchar(8), "progress" integer)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_mtask_task" ON "tb_mtask" ("task_id", "position") `);
    await queryRunner.query(
      `CREATE TABLE "tb_scene" ("id" varchar(36) PRIMARY KEY NOT NULL, "mtask_id" varchar(36) NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "scene_unid" varchar(64) NOT NULL, "name" varchar(255), "preset" integer, "calibration" text, "rois" json NOT NULL, "config_xml" text, "basic_config_xml" text, "link_scenes" json NOT NULL, "algo_type" varchar(32) NOT NULL, "algo_args" json NOT NULL, "is_record" integer, "is_active" integer, "vchan_refid" varchar(128), "play_urls" json)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_scene_task" ON "tb_scene" ("task_id", "vchan_refid") `);
    await queryRunner.query(`CREATE INDEX "IDX_scene_mtask" ON "tb_scene" ("mtask_id", "position") `);
    await queryRunner.query(
      `CREATE TABLE "tb_subtask" ("id" varchar(36) PRIMARY KEY NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "vchan_refid" varchar(128), "vchan_name" varchar(255), "play_url" varchar(2048), "is_ptz" boolean NOT NULL DEFAULT (0), "node_index" integer, "pull_source_url" varchar(2048), "state" varchar(16) NOT NULL, "desired_state" varchar(8) NOT NULL, "generation" integer NOT NULL DEFAULT (0), "status_reason" varchar(1024), "progress" integer, "reported_at" datetime(3), "heartbeat_at" datetime(3), "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" datetime(3), "lease_owner" varchar(64), "lease_until" datetime(3), "create_dt" datetime(3) NOT NULL, "update_dt" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_subtask_work" ON "tb_subtask" ("state", "desired_state", "next_attempt_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_subtask_task" ON "tb_subtask" ("task_id", "position") `);
    await queryRunner.query(`DROP INDEX "IDX_mtask_task"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_tb_mtask" ("id" varchar(36) PRIMARY KEY NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "mtask_unid" varchar(64) NOT NULL, "name" varchar(255), "type" integer NOT NULL, "time_interval" integer, "start_time" varchar(8), "end_time" varchar(8), "progress" integer, CONSTRAINT "FK_993e807a683c4b06bc5d4e4c3e5" FOREIGN KEY ("task_id") REFERENCES "tb_task" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_tb_mtask"("id", "task_id", "position", "mtask_unid", "name", "type", "time_interval", "start_time", "end_time", "progress") SELECT "id", "task_id", "position", "mtask_unid", "name", "type", "time_interval", "start_time", "end_time", "progress" FROM "tb_mtask"`,
    );
    await queryRunner.query(`DROP TABLE "tb_mtask"`);
    await queryRunner.query(`ALTER TABLE "temporary_tb_mtask" RENAME TO "tb_mtask"`);
    await queryRunner.query(`CREATE INDEX "IDX_mtask_task" ON "tb_mtask" ("task_id", "position") `);
    await queryRunner.query(`DROP INDEX "IDX_scene_task"`);
    await queryRunner.query(`DROP INDEX "IDX_scene_mtask"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_tb_scene" ("id" varchar(36) PRIMARY KEY NOT NULL, "mtask_id" varchar(36) NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "scene_unid" varchar(64) NOT NULL, "name" varchar(255), "preset" integer, "calibration" text, "rois" json NOT NULL, "config_xml" text, "basic_config_xml" text, "link_scenes" json NOT NULL, "algo_type" varchar(32) NOT NULL, "algo_args" json NOT NULL, "is_record" integer, "is_active" integer, "vchan_refid" varchar(128), "play_urls" json, CONSTRAINT "FK_8fc52f613158d501231242daa39" FOREIGN KEY ("mtask_id") REFERENCES "tb_mtask" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_tb_scene"("id", "mtask_id", "task_id", "position", "scene_unid", "name", "preset", "calibration", "rois", "config_xml", "basic_config_xml", "link_scenes", "algo_type", "algo_args", "is_record", "is_active", "vchan_refid", "play_urls") SELECT "id", "mtask_id", "task_id", "position", "scene_unid", "name", "preset", "calibration", "rois", "config_xml", "basic_config_xml", "link_scenes", "algo_type", "algo_args", "is_record", "is_active", "vchan_refid", "play_urls" FROM "tb_scene"`,
    );
    await queryRunner.query(`DROP TABLE "tb_scene"`);
    await queryRunner.query(`ALTER TABLE "temporary_tb_scene" RENAME TO "tb_scene"`);
    await queryRunner.query(`CREATE INDEX "IDX_scene_task" ON "tb_scene" ("task_id", "vchan_refid") `);
    await queryRunner.query(`CREATE INDEX "IDX_scene_mtask" ON "tb_scene" ("mtask_id", "position") `);
    await queryRunner.query(`DROP INDEX "IDX_subtask_work"`);
    await queryRunner.query(`DROP INDEX "IDX_subtask_task"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_tb_subtask" ("id" varchar(36) PRIMARY KEY NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "vchan_refid" varchar(128), "vchan_name" varchar(255), "play_url" varchar(2048), "is_ptz" boolean NOT NULL DEFAULT (0), "node_index" integer, "pull_source_url" varchar(2048), "state" varchar(16) NOT NULL, "desired_state" varchar(8) NOT NULL, "generation" integer NOT NULL DEFAULT (0), "status_reason" varchar(1024), "progress" integer, "reported_at" datetime(3), "heartbeat_at" datetime(3), "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" datetime(3), "lease_owner" varchar(64), "lease_until" datetime(3), "create_dt" datetime(3) NOT NULL, "update_dt" datetime(3) NOT NULL, CONSTRAINT "FK_b9d9f273e7dd3b5ad2e044bf271" FOREIGN KEY ("task_id") REFERENCES "tb_task" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_tb_subtask"("id", "task_id", "position", "vchan_refid", "vchan_name", "play_url", "is_ptz", "node_index", "pull_source_url", "state", "desired_state", "generation", "status_reason", "progress", "reported_at", "heartbeat_at", "attempts", "next_attempt_at", "lease_owner", "lease_until", "create_dt", "update_dt") SELECT "id", "task_id", "position", "vchan_refid", "vchan_name", "play_url", "is_ptz", "node_index", "pull_source_url", "state", "desired_state", "generation", "status_reason", "progress", "reported_at", "heartbeat_at", "attempts", "next_attempt_at", "lease_owner", "lease_until", "create_dt", "update_dt" FROM "tb_subtask"`,
    );
    await queryRunner.query(`DROP TABLE "tb_subtask"`);
    await queryRunner.query(`ALTER TABLE "temporary_tb_subtask" RENAME TO "tb_subtask"`);
    await queryRunner.query(`CREATE INDEX "IDX_subtask_work" ON "tb_subtask" ("state", "desired_state", "next_attempt_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_subtask_task" ON "tb_subtask" ("task_id", "position") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_subtask_task"`);
    await queryRunner.query(`DROP INDEX "IDX_subtask_work"`);
    await queryRunner.query(`ALTER TABLE "tb_subtask" RENAME TO "temporary_tb_subtask"`);
    await queryRunner.query(
      `CREATE TABLE "tb_subtask" ("id" varchar(36) PRIMARY KEY NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "vchan_refid" varchar(128), "vchan_name" varchar(255), "play_url" varchar(2048), "is_ptz" boolean NOT NULL DEFAULT (0), "node_index" integer, "pull_source_url" varchar(2048), "state" varchar(16) NOT NULL, "desired_state" varchar(8) NOT NULL, "generation" integer NOT NULL DEFAULT (0), "status_reason" varchar(1024), "progress" integer, "reported_at" datetime(3), "heartbeat_at" datetime(3), "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" datetime(3), "lease_owner" varchar(64), "lease_until" datetime(3), "create_dt" datetime(3) NOT NULL, "update_dt" datetime(3) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "tb_subtask"("id", "task_id", "position", "vchan_refid", "vchan_name", "play_url", "is_ptz", "node_index", "pull_source_url", "state", "desired_state", "generation", "status_reason", "progress", "reported_at", "heartbeat_at", "attempts", "next_attempt_at", "lease_owner", "lease_until", "create_dt", "update_dt") SELECT "id", "task_id", "position", "vchan_refid", "vchan_name", "play_url", "is_ptz", "node_index", "pull_source_url", "state", "desired_state", "generation", "status_reason", "progress", "reported_at", "heartbeat_at", "attempts", "next_attempt_at", "lease_owner", "lease_until", "create_dt", "update_dt" FROM "temporary_tb_subtask"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_tb_subtask"`);
    await queryRunner.query(`CREATE INDEX "IDX_subtask_task" ON "tb_subtask" ("task_id", "position") `);
    await queryRunner.query(`CREATE INDEX "IDX_subtask_work" ON "tb_subtask" ("state", "desired_state", "next_attempt_at") `);
    await queryRunner.query(`DROP INDEX "IDX_scene_mtask"`);
    await queryRunner.query(`DROP INDEX "IDX_scene_task"`);
    await queryRunner.query(`ALTER TABLE "tb_scene" RENAME TO "temporary_tb_scene"`);
    await queryRunner.query(
      `CREATE TABLE "tb_scene" ("id" varchar(36) PRIMARY KEY NOT NULL, "mtask_id" varchar(36) NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "scene_unid" varchar(64) NOT NULL, "name" varchar(255), "preset" integer, "calibration" text, "rois" json NOT NULL, "config_xml" text, "basic_config_xml" text, "link_scenes" json NOT NULL, "algo_type" varchar(32) NOT NULL, "algo_args" json NOT NULL, "is_record" integer, "is_active" integer, "vchan_refid" varchar(128), "play_urls" json)`,
    );
    await queryRunner.query(
      `INSERT INTO "tb_scene"("id", "mtask_id", "task_id", "position", "scene_unid", "name", "preset", "calibration", "rois", "config_xml", "basic_config_xml", "link_scenes", "algo_type", "algo_args", "is_record", "is_active", "vchan_refid", "play_urls") SELECT "id", "mtask_id", "task_id", "position", "scene_unid", "name", "preset", "calibration", "rois", "config_xml", "basic_config_xml", "link_scenes", "algo_type", "algo_args", "is_record", "is_active", "vchan_refid", "play_urls" FROM "temporary_tb_scene"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_tb_scene"`);
    await queryRunner.query(`CREATE INDEX "IDX_scene_mtask" ON "tb_scene" ("mtask_id", "position") `);
    await queryRunner.query(`CREATE INDEX "IDX_scene_task" ON "tb_scene" ("task_id", "vchan_refid") `);
    await queryRunner.query(`DROP INDEX "IDX_mtask_task"`);
    await queryRunner.query(`ALTER TABLE "tb_mtask" RENAME TO "temporary_tb_mtask"`);
    await queryRunner.query(
      `CREATE TABLE "tb_mtask" ("id" varchar(36) PRIMARY KEY NOT NULL, "task_id" varchar(36) NOT NULL, "position" integer NOT NULL, "mtask_unid" varchar(64) NOT NULL, "name" varchar(255), "type" integer NOT NULL, "time_interval" integer, "start_time" varchar(8), "end_time" varchar(8), "progress" integer)`,
    );
    await queryRunner.query(
      `INSERT INTO "tb_mtask"("id", "task_id", "position", "mtask_unid", "name", "type", "time_interval", "start_time", "end_time", "progress") SELECT "id", "task_id", "position", "mtask_unid", "name", "type", "time_interval", "start_time", "end_time", "progress" FROM "temporary_tb_mtask"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_tb_mtask"`);
    await queryRunner.query(`CREATE INDEX "IDX_mtask_task" ON "tb_mtask" ("task_id", "position") `);
    await queryRunner.query(`DROP INDEX "IDX_subtask_task"`);
    await queryRunner.query(`DROP INDEX "IDX_subtask_work"`);
    await queryRunner.query(`DROP TABLE "tb_subtask"`);
    await queryRunner.query(`DROP INDEX "IDX_scene_mtask"`);
    await queryRunner.query(`DROP INDEX "IDX_scene_task"`);
    await queryRunner.query(`DROP TABLE "tb_scene"`);
    await queryRunner.query(`DROP INDEX "IDX_mtask_task"`);
    await queryRunner.query(`DROP TABLE "tb_mtask"`);
    await queryRunner.query(`DROP INDEX "IDX_task_live_created"`);
    await queryRunner.query(`DROP INDEX "IDX_task_algo_created"`);
    await queryRunner.query(`DROP INDEX "IDX_task_status_created"`);
    await queryRunner.query(`DROP TABLE "tb_task"`);
    await queryRunner.query(`DROP INDEX "UQ_dict_type_code"`);
    await queryRunner.query(`DROP TABLE "tb_dict_item"`);
  }
}
