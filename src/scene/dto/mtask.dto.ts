import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsCode, IsPlainObject, IsSceneLinks, IsText, IsTimeOfDay, Trim } from '../../common/validation/decorators';

const XML_EXAMPLE = '<?xml version="1.0" encoding="UTF-8"?><root></root>';

export class CalibrationDto {
  @ApiProperty({ description: 'Calibration parameters, an XML string', example: XML_EXAMPLE })
  @IsString()
  calibration: string;
}

export class RoiDto {
  @ApiProperty({ description: 'A region of interest, an XML string', example: XML_EXAMPLE })
  @IsString()
  roi: string;
}

export class XmlDto {
  @ApiProperty({ description: 'An XML string', example: XML_EXAMPLE })
  @IsString()
  xml: string;
}

export class PlayUrlsDto {
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsText() @MaxLength(2048) http?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsText() @MaxLength(2048) rtsp?: string | null;
}

/** A scene as the original's request body has it. Output-only fields are accepted and ignored. */
export class SceneInputDto {
  @ApiPropertyOptional({ description: 'Scene id; generated when absent', maxLength: 64 })
  @IsOptional() @IsText() @Trim() @IsNotEmpty() @MaxLength(64)
  scene_unid?: string;

  @ApiPropertyOptional({ maxLength: 255 }) @IsOptional() @IsText() @MaxLength(255) name?: string | null;

  @ApiPropertyOptional({ description: 'PTZ preset position' }) @IsOptional() @IsInt() @Min(0) @Max(100000) preset?: number | null;

  @ApiPropertyOptional({ type: CalibrationDto })
  @IsOptional() @ValidateNested() @Type(() => CalibrationDto)
  callibration?: CalibrationDto | null;

  @ApiPropertyOptional({ type: [RoiDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(64) @ValidateNested({ each: true }) @Type(() => RoiDto)
  rois?: RoiDto[] | null;

  @ApiPropertyOptional({ type: XmlDto, description: 'Algorithm configuration' })
  @IsOptional() @ValidateNested() @Type(() => XmlDto)
  config?: XmlDto | null;

  @ApiPropertyOptional({ type: XmlDto, description: 'Basic algorithm configuration' })
  @IsOptional() @ValidateNested() @Type(() => XmlDto)
  basicConfig?: XmlDto | null;

  @ApiPropertyOptional({ type: 'array', items: {}, description: 'Linked scenes (PTZ only)' })
  @IsOptional() @IsArray() @ArrayMaxSize(64) @IsSceneLinks()
  link_scenes?: unknown[] | null;

  @ApiProperty({ description: "Algorithm type, equal to the task's", oneOf: [{ type: 'string' }, { type: 'integer' }], example: 1 })
  @IsCode()
  algo_type: string | number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Algorithm arguments; keys depend on algo_type' })
  @IsOptional() @IsPlainObject()
  algo_args?: Record<string, unknown> | null;

  @ApiPropertyOptional({ enum: [0, 1] }) @IsOptional() @IsIn([0, 1]) is_record?: number | null;
  @ApiPropertyOptional({ enum: [0, 1] }) @IsOptional() @IsIn([0, 1]) is_active?: number | null;

  @ApiPropertyOptional({ description: 'The video channel this scene belongs to', maxLength: 128 })
  @IsOptional() @IsText() @Trim() @IsNotEmpty() @MaxLength(128)
  vchan_refid?: string | null;

  @ApiPropertyOptional({ type: PlayUrlsDto })
  @IsOptional() @ValidateNested() @Type(() => PlayUrlsDto)
  play_urls?: PlayUrlsDto | null;

  @ApiPropertyOptional({ description: 'Output only; ignored on input', readOnly: true }) @IsOptional() is_running?: unknown;
  @ApiPropertyOptional({ description: 'Output only; ignored on input', readOnly: true }) @IsOptional() status_reason?: unknown;
}

export const MTASK_TYPES = [0, 1, 2] as const;

export class MtaskInputDto {
  @ApiPropertyOptional({ description: 'Mtask id; generated when absent', maxLength: 64 })
  @IsOptional() @IsText() @Trim() @IsNotEmpty() @MaxLength(64)
  mtask_unid?: string;

  @ApiPropertyOptional({ maxLength: 255 }) @IsOptional() @IsText() @MaxLength(255) name?: string | null;

  @ApiPropertyOptional({ enum: MTASK_TYPES, default: 0, description: '0 polling, 1 time period, 2 batch; non-PTZ cameras support only 0' })
  @IsOptional() @IsIn(MTASK_TYPES)
  type?: number;

  @ApiPropertyOptional({ description: 'Polling interval in minutes (type 0)', minimum: 1 })
  @IsOptional() @IsInt() @Max(10080)
  time_interval?: number | null;

  @ApiPropertyOptional({ example: '00:00:00' }) @IsOptional() @IsTimeOfDay() start_time?: string | null;
  @ApiPropertyOptional({ example: '22:01:20' }) @IsOptional() @IsTimeOfDay() end_time?: string | null;

  @ApiPropertyOptional({ description: 'Output only; ignored on input', readOnly: true }) @IsOptional() progress?: unknown;

  @ApiPropertyOptional({ type: [SceneInputDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(256) @ValidateNested({ each: true }) @Type(() => SceneInputDto)
  scenes?: SceneInputDto[] | null;
}
