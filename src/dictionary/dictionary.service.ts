import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppException } from '../common/errors/app.exception';
import type { Language } from '../config/app-config';
import { isUniqueViolation } from '../database/driver-errors';
import { DictionaryRepository } from './dictionary.repository';
import { toDictItemDto } from './dictionary.mapper';
import { CreateDictItemDto, DictItemDto, UpdateDictItemDto } from './dto/dictionary.dto';

/** Answers whether something still uses a dictionary code; registered by the modules that use codes. */
export type UsageCheck = (code: string) => Promise<boolean>;

@Injectable()
export class DictionaryService {
  private readonly usageChecks = new Map<string, UsageCheck[]>();

  constructor(private readonly repository: DictionaryRepository) {}

  /** Lets a dependent module (task) veto removing a code it uses, without the dictionary depending on it. */
  registerUsageCheck(dictType: string, check: UsageCheck): void {
    this.usageChecks.set(dictType, [...(this.usageChecks.get(dictType) ?? []), check]);
  }

  async list(dictType: string, lang: Language): Promise<DictItemDto[]> {
    return (await this.repository.list(dictType)).map((item) => toDictItemDto(item, lang));
  }

  /** The valid codes of a dictionary, read fresh so every replica sees an admin's edits at once. */
  codes(dictType: string): Promise<Set<string>> {
    return this.repository.codes(dictType);
  }

  async create(dto: CreateDictItemDto, lang: Language): Promise<DictItemDto> {
    if (await this.repository.findByCode(dto.dict_type, dto.code)) {
      throw new AppException('DICT_ITEM_EXISTS', { code: dto.code });
    }
    const now = new Date();
    const item = {
      id: uuidv7(),
      dict_type: dto.dict_type,
      code: dto.code,
      label_zh: dto.label_zh,
      label_en: dto.label_en,
      sort_order: dto.sort_order ?? 0,
      create_dt: now,
      update_dt: now,
    };
    try {
      await this.repository.insert(item);
    } catch (error) {
      // Another admin added the same code between the check above and this insert.
      if (isUniqueViolation(error)) throw new AppException('DICT_ITEM_EXISTS', { code: dto.code });
      throw error;
    }
    return toDictItemDto(item, lang);
  }

  async update(id: string, dto: UpdateDictItemDto, lang: Language): Promise<DictItemDto> {
    const item = await this.repository.findById(id);
    if (!item) throw new AppException('DICT_ITEM_NOT_FOUND', { id });
    const patch = { ...dto, update_dt: new Date() };
    await this.repository.update(id, patch);
    return toDictItemDto({ ...item, ...patch }, lang);
  }

  async remove(id: string): Promise<void> {
    const item = await this.repository.findById(id);
    if (!item) throw new AppException('DICT_ITEM_NOT_FOUND', { id });
    for (const check of this.usageChecks.get(item.dict_type) ?? []) {
      if (await check(item.code)) throw new AppException('DICT_ITEM_IN_USE', { code: item.code });
    }
    await this.repository.delete(id);
  }
}
