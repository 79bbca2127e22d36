import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EnvelopeDto, ListEnvelopeDto } from '../../common/http/envelope.dto';
import { IsDigits, IsText, Trim } from '../../common/validation/decorators';
import { ALGO_TYPE_DESCRIPTION } from '../../common/http/api-schema';

export const DICT_TYPES = ['algo_type'] as const;

export class ListDictQueryDto {
  @ApiProperty({ type: String, enum: DICT_TYPES, example: 'algo_type' }) @IsIn(DICT_TYPES) dict_type: string;
}

export class CreateDictItemDto {
  @ApiProperty({ type: String, enum: DICT_TYPES, example: 'algo_type' }) @IsIn(DICT_TYPES) dict_type: string;

  @ApiProperty({ type: String, pattern: '^[0-9]{1,9}$', example: '5', description: 'For algo_type: a number written as a string, not yet in the dictionary' })
  @IsString()
  @Trim()
  @IsDigits(9)
  code: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 255, example: '烟火' }) @IsText() @Trim() @IsNotEmpty() @MaxLength(255) label_zh: string;
  @ApiProperty({ type: String, minLength: 1, maxLength: 255, example: 'Smoke and fire' }) @IsText() @Trim() @IsNotEmpty() @MaxLength(255) label_en: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, example: 50, description: 'Position in lists, ascending' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  sort_order?: number;
}

export class UpdateDictItemDto {
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 255, example: '交通' })
  @IsOptional()
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(255)
  label_zh?: string;
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 255, example: 'Road traffic' })
  @IsOptional()
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(255)
  label_en?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000, example: 10 }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) sort_order?: number;
}

export class DictItemDto {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String, enum: DICT_TYPES, example: 'algo_type' }) dict_type: string;
  @ApiProperty({ type: String, example: '0', description: ALGO_TYPE_DESCRIPTION }) code: string;
  @ApiProperty({ type: String, example: '交通', description: "Label in the request's language" }) label: string;
  @ApiProperty({ type: String, example: '交通' }) label_zh: string;
  @ApiProperty({ type: String, example: 'Traffic' }) label_en: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) sort_order: number;
}

export class DictListResponseDto extends ListEnvelopeDto {
  @ApiProperty({ type: [DictItemDto] }) list_data: DictItemDto[];
}

export class DictItemResponseDto extends EnvelopeDto {
  @ApiProperty({ type: DictItemDto }) item: DictItemDto;
}
