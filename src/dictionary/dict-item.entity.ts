import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An item of a dictionary (e.g. `algo_type`), labelled in every supported language. */
@Entity('tb_dict_item')
@Index('UQ_dict_type_code', ['dict_type', 'code'], { unique: true })
export class DictItemEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 32 }) dict_type: string;
  @Column({ type: 'varchar', length: 32 }) code: string;
  @Column({ type: 'varchar', length: 255 }) label_zh: string;
  @Column({ type: 'varchar', length: 255 }) label_en: string;
  @Column({ type: 'int', default: 0 }) sort_order: number;
  @Column({ type: 'datetime', precision: 3 }) create_dt: Date;
  @Column({ type: 'datetime', precision: 3 }) update_dt: Date;
}
