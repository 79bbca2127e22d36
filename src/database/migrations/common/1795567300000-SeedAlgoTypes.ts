import { MigrationInterface, QueryRunner } from 'typeorm';

/** The original's fixed algorithm types as items of the `algo_type` dictionary. Portable SQL: runs on MySQL and SQLite. */
const ALGO_TYPES = [
  { id: '00000000-0000-7000-8000-000000000000', code: '0', zh: '交通', en: 'Traffic' },
  { id: '00000000-0000-7000-8000-000000000001', code: '1', zh: '客流', en: 'Passenger flow' },
  { id: '00000000-0000-7000-8000-000000000002', code: '2', zh: '安防', en: 'Security' },
  { id: '00000000-0000-7000-8000-000000000003', code: '3', zh: '违停', en: 'Illegal parking' },
  { id: '00000000-0000-7000-8000-000000000004', code: '4', zh: '人脸', en: 'Face' },
];

export class SeedAlgoTypes1795567300000 implements MigrationInterface {
  name = 'SeedAlgoTypes1795567300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    for (const [index, item] of ALGO_TYPES.entries()) {
      await queryRunner.query(
        'INSERT INTO tb_dict_item (id, dict_type, code, label_zh, label_en, sort_order, create_dt, update_dt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [item.id, 'algo_type', item.code, item.zh, item.en, index, now, now],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM tb_dict_item WHERE dict_type = 'algo_type' AND id IN (${ALGO_TYPES.map(() => '?').join(', ')})`,
      ALGO_TYPES.map((i) => i.id),
    );
  }
}
