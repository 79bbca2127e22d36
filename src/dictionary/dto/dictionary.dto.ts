import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EnvelopeDto, ListEnvelopeDto } from '../../common/http/envelope.dto';
import { IsDigits, IsText, Trim } from '../../common/validation/decorators';

export const DICT_TYPES = ['algo_type'] as const;

export class ListDictQueryDto {
  @ApiProperty({ enum: DICT_TYPES, example: 'algo_type' }) @IsIn(DICT_TYPES) dict_type: string;
}

export class CreateDictItemDto {
  @ApiProperty({ enum: DICT_TYPES, example: 'algo_type' }) @IsIn(DICT_TYPES) dict_type: string;

  @ApiProperty({ example: '5', description: 'For algo_type: a number written as a string' })
  @IsString() @Trim() @IsDigits(9)
  code: string;

  @ApiProperty({ example: '烟火' }) @IsText() @Trim() @IsNotEmpty() @MaxLength(255) label_zh: string;
  @ApiProperty({ example: 'Smoke and fire' }) @IsText() @Trim() @IsNotEmpty() @MaxLength(255) label_en: string;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) sort_order?: number;
}

export class UpdateDictItemDto {
  @ApiPropertyOptional() @IsOptional() @IsText() @Trim() @IsNotEmpty() @MaxLength(255) label_zh?: string;
  @ApiPropertyOptional() @IsOptional() @IsText() @Trim() @IsNotEmpty() @MaxLength(255) label_en?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1_000_000) sort_order?: number;
}

export class DictItemDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'algo_type' }) dict_type: string;
  @ApiProperty({ example: '0' }) code: string;
  @ApiProperty({ example: '交通', description: "Label in the request's language" }) label: string;
  @ApiProperty({ example: '交通' }) label_zh: string;
  @ApiProperty({ example: 'Traffic' }) label_en: string;
  @ApiProperty() sort_order: number;
}

export class DictListResponseDto extends ListEnvelopeDto {
  @ApiProperty({ type: [DictItemDto] }) list_data: DictItemDto[];
}

export class DictItemResponseDto extends EnvelopeDto {
  @ApiProperty({ type: DictItemDto }) item: DictItemDto;
}
