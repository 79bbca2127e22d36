import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MtaskEntity } from './mtask.entity';

export interface PlayUrls {
  http?: string | null;
  rtsp?: string | null;
}

/** A scene of an mtask: what one camera (preset) looks at, with its ROIs, calibration and algorithm config. */
@Entity('tb_scene')
@Index('IDX_scene_mtask', ['mtask_id', 'position'])
@Index('IDX_scene_task', ['task_id', 'vchan_refid'])
export class SceneEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 36 }) mtask_id: string;
  @ManyToOne(() => MtaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'mtask_id' })
  mtask?: MtaskEntity;
  /** Denormalised so a page of tasks loads its scenes with one `task_id IN (...)` query. */
  @Column({ type: 'varchar', length: 36 }) task_id: string;
  @Column({ type: 'int' }) position: number;
  @Column({ type: 'varchar', length: 64 }) scene_unid: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) name: string | null;
  @Column({ type: 'int', nullable: true }) preset: number | null;
  @Column({ type: 'text', nullable: true }) calibration: string | null;
  @Column({ type: 'json' }) rois: string[];
  @Column({ type: 'text', nullable: true }) config_xml: string | null;
  @Column({ type: 'text', nullable: true }) basic_config_xml: string | null;
  @Column({ type: 'json' }) link_scenes: unknown[];
  @Column({ type: 'varchar', length: 32 }) algo_type: string;
  @Column({ type: 'json' }) algo_args: Record<string, unknown>;
  @Column({ type: 'int', nullable: true }) is_record: number | null;
  @Column({ type: 'int', nullable: true }) is_active: number | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) vchan_refid: string | null;
  @Column({ type: 'json', nullable: true }) play_urls: PlayUrls | null;
}
