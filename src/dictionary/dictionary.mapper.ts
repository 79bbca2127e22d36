import type { Language } from '../config/app-config';
import type { DictItemEntity } from './dict-item.entity';
import type { DictItemDto } from './dto/dictionary.dto';

export function toDictItemDto(item: DictItemEntity, lang: Language): DictItemDto {
  return {
    id: item.id,
    dict_type: item.dict_type,
    code: item.code,
    label: lang === 'en' ? item.label_en : item.label_zh,
    label_zh: item.label_zh,
    label_en: item.label_en,
    sort_order: item.sort_order,
  };
}
