import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsCode, IsPlainObject, IsSceneLinks, IsText, IsTimeOfDay, Trim } from '../../common/validation/decorators';
import { sceneAlgoTypeInput, sceneLinkItem } from '../../common/http/api-schema';

const TIME_OF_DAY_PATTERN = '^([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d$';

const XML_EXAMPLE = '<?xml version="1.0" encoding="UTF-8"?><root></root>';

export class CalibrationDto {
  @ApiProperty({ type: String, description: 'Calibration parameters, a well-formed XML document (at most XML_MAX_BYTES)', example: XML_EXAMPLE })
  @IsString()
  calibration: string;
}

export class RoiDto {
  @ApiProperty({ type: String, description: 'A region of interest, a well-formed XML document (at most XML_MAX_BYTES)', example: XML_EXAMPLE })
  @IsString()
  roi: string;
}

export class XmlDto {
  @ApiProperty({ type: String, description: 'A well-formed XML document (at most XML_MAX_BYTES)', example: XML_EXAMPLE })
  @IsString()
  xml: string;
}

export class PlayUrlsDto {
  @ApiPropertyOptional({ type: String, format: 'uri', nullable: true, maxLength: 2048, example: 'http://10.0.0.5/live/1.flv' })
  @IsOptional()
  @IsText()
  @MaxLength(2048)
  http?: string | null;
  @ApiPropertyOptional({ type: String, format: 'uri', nullable: true, maxLength: 2048, example: 'rtsp://10.0.0.5:8554/live/1' })
  @IsOptional()
  @IsText()
  @MaxLength(2048)
  rtsp?: string | null;
}

/** A scene as the original's request body has it. Output-only fields are accepted and ignored. */
export class SceneInputDto {
  @ApiPropertyOptional({ type: String, description: 'Scene id; generated when absent', minLength: 1, maxLength: 64 })
  @IsOptional()
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(64)
  scene_unid?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'gate' }) @IsOptional() @IsText() @MaxLength(255) name?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: 100000, description: 'PTZ preset position' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  preset?: number | null;

  @ApiPropertyOptional({ type: CalibrationDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => CalibrationDto)
  callibration?: CalibrationDto | null;

  @ApiPropertyOptional({ type: [RoiDto], nullable: true, maxItems: 64 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => RoiDto)
  rois?: RoiDto[] | null;

  @ApiPropertyOptional({ type: XmlDto, nullable: true, description: 'Algorithm configuration' })
  @IsOptional()
  @ValidateNested()
  @Type(() => XmlDto)
  config?: XmlDto | null;

  @ApiPropertyOptional({ type: XmlDto, nullable: true, description: 'Basic algorithm configuration' })
  @IsOptional()
  @ValidateNested()
  @Type(() => XmlDto)
  basicConfig?: XmlDto | null;

  @ApiPropertyOptional({
    type: 'array',
    items: sceneLinkItem,
    nullable: true,
    maxItems: 64,
    description: 'Linked scenes (PTZ only): scene ids or preset numbers',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsSceneLinks()
  link_scenes?: unknown[] | null;

  @ApiProperty(sceneAlgoTypeInput)
  @IsCode()
  algo_type: string | number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Algorithm arguments; keys depend on algo_type',
    example: {},
  })
  @IsOptional()
  @IsPlainObject()
  algo_args?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: 'integer', enum: [0, 1], nullable: true, description: '1: record the stream' }) @IsOptional() @IsIn([0, 1]) is_record?:
    number | null;
  @ApiPropertyOptional({ type: 'integer', enum: [0, 1], nullable: true, description: 'Kept, unused' }) @IsOptional() @IsIn([0, 1]) is_active?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: "The video channel this scene belongs to: binds it to that channel's subtask",
    minLength: 1,
    maxLength: 128,
  })
  @IsOptional()
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(128)
  vchan_refid?: string | null;

  @ApiPropertyOptional({ type: PlayUrlsDto, nullable: true, description: 'Kept, unused' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PlayUrlsDto)
  play_urls?: PlayUrlsDto | null;

  @ApiPropertyOptional({ type: 'integer', enum: [0, 1], description: 'Output only; ignored on input', readOnly: true }) @IsOptional() is_running?: unknown;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Output only; ignored on input', readOnly: true }) @IsOptional() status_reason?: unknown;
}

export const MTASK_TYPES = [0, 1, 2] as const;

export class MtaskInputDto {
  @ApiPropertyOptional({ type: String, description: 'Mtask id; generated when absent', minLength: 1, maxLength: 64 })
  @IsOptional()
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(64)
  mtask_unid?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'polling' }) @IsOptional() @IsText() @MaxLength(255) name?: string | null;

  @ApiPropertyOptional({ type: 'integer', enum: MTASK_TYPES, default: 0, description: '0 polling, 1 time period, 2 batch; non-PTZ cameras support only 0' })
  @IsOptional()
  @IsIn(MTASK_TYPES)
  type?: number;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'Polling interval in minutes (type 0)', minimum: 1, maximum: 10080, example: 5 })
  @IsOptional()
  @IsInt()
  @Max(10080)
  time_interval?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, pattern: TIME_OF_DAY_PATTERN, example: '00:00:00', description: 'HH:mm:ss (type 1)' })
  @IsOptional()
  @IsTimeOfDay()
  start_time?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, pattern: TIME_OF_DAY_PATTERN, example: '22:01:20', description: 'HH:mm:ss (type 1)' })
  @IsOptional()
  @IsTimeOfDay()
  end_time?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'Output only; ignored on input', readOnly: true }) @IsOptional() progress?: unknown;

  @ApiPropertyOptional({ type: [SceneInputDto], nullable: true, maxItems: 256 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => SceneInputDto)
  scenes?: SceneInputDto[] | null;
}
