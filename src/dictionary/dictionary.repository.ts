import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DictItemEntity } from './dict-item.entity';

@Injectable()
export class DictionaryRepository {
  private readonly items: Repository<DictItemEntity>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.items = dataSource.getRepository(DictItemEntity);
  }

  list(dictType: string): Promise<DictItemEntity[]> {
    return this.items.find({ where: { dict_type: dictType }, order: { sort_order: 'ASC', code: 'ASC' } });
  }

  async codes(dictType: string): Promise<Set<string>> {
    const rows = await this.items.find({ select: { code: true }, where: { dict_type: dictType } });
    return new Set(rows.map((r) => r.code));
  }

  findById(id: string): Promise<DictItemEntity | null> {
    return this.items.findOne({ where: { id } });
  }

  findByCode(dictType: string, code: string): Promise<DictItemEntity | null> {
    return this.items.findOne({ where: { dict_type: dictType, code } });
  }

  async insert(item: DictItemEntity): Promise<void> {
    await this.items.insert(item);
  }

  async update(id: string, patch: Partial<DictItemEntity>): Promise<void> {
    await this.items.update({ id }, patch);
  }

  async delete(id: string): Promise<void> {
    await this.items.delete({ id });
  }
}
