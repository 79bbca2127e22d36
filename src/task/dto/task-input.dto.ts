import { applyDecorators } from '@nestjs/common';
import { PagingQueryDto } from '../../common/http/paging-query.dto';
import { ScheduleDto } from '../../schedule/dto/schedule.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsStreamUrl, IsText, IsWireDateTime, Trim } from '../../common/validation/decorators';
import { algoTypeCode, ALGO_TYPE_DESCRIPTION, wireDateTimeInput } from '../../common/http/api-schema';
import { MtaskInputDto } from '../../scene/dto/mtask.dto';
import { TASK_STATUSES, TaskStatus } from '../domain/task-status';
import { SOURCE_TYPES, SourceType } from '../../subtask/domain/decompose';

export class VchanDto {
  @ApiProperty({ type: String, description: 'Unique id of the video channel', minLength: 1, maxLength: 128, example: 'cam-1' })
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(128)
  vchan_refid: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'Camera 1' }) @IsOptional() @IsText() @MaxLength(255) name?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    nullable: true,
    maxLength: 2048,
    description: "The channel's stream (rtsp, rtsps, rtmp, http or https); the task's play_url when absent",
  })
  @IsOptional()
  @IsStreamUrl()
  play_url?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, description: 'A PTZ (dome) camera: supports mtask types 1 and 2', default: false })
  @IsOptional()
  @IsBoolean()
  is_ptz?: boolean | null;
}

/** Fields a task can change after creation (PUT); the source and its split are fixed at creation. */
/** A task's optional schedule, the same on create and edit. */
const ScheduleField = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: ScheduleDto,
      nullable: true,
      description: 'Weekly windows the subtasks run in after a start (API.md section 8); null or absent means always',
    }),
    IsOptional(),
    ValidateNested(),
    Type(() => ScheduleDto),
  );

export class UpdateTaskDto {
  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 255, example: 'North gate traffic' })
  @IsOptional()
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(255)
  task_name?: string;

  @ApiPropertyOptional({ ...wireDateTimeInput, description: 'YYYY-MM-DD HH:mm:ss.SSS (configured time zone) or ISO-8601 with offset' })
  @IsOptional()
  @IsWireDateTime()
  run_dt?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    maxLength: 2048,
    example: 'rtsp://192.168.9.155:8554/live/1',
    description: 'rtsp, rtsps, rtmp, http or https',
  })
  @IsOptional()
  @IsStreamUrl()
  play_url?: string;

  @ApiPropertyOptional({ type: String, maxLength: 128, nullable: true, example: 'store-1', description: 'The storage configuration in use' })
  @IsOptional()
  @IsText()
  @MaxLength(128)
  store_conf_unid?: string | null;

  @ApiPropertyOptional({ type: [MtaskInputDto], nullable: true, maxItems: 64 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => MtaskInputDto)
  mtasks?: MtaskInputDto[] | null;

  @ScheduleField()
  schedule?: ScheduleDto | null;
}

export class CreateTaskDto {
  @ApiProperty({ type: String, minLength: 1, maxLength: 255, example: 'North gate traffic' })
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(255)
  task_name: string;

  @ApiProperty(algoTypeCode)
  @IsText()
  @Trim()
  @IsNotEmpty()
  @MaxLength(32)
  algo_type: string;

  @ApiProperty({
    ...wireDateTimeInput,
    description: 'YYYY-MM-DD HH:mm:ss.SSS (configured time zone) or ISO-8601 with offset; a start before it waits until then',
  })
  @IsWireDateTime()
  run_dt: string;

  @ApiProperty({ type: String, format: 'uri', maxLength: 2048, example: 'rtsp://192.168.9.155:8554/live/1', description: 'rtsp, rtsps, rtmp, http or https' })
  @IsStreamUrl()
  play_url: string;

  @ApiPropertyOptional({ type: String, maxLength: 128, nullable: true, example: 'store-1', description: 'The storage configuration in use' })
  @IsOptional()
  @IsText()
  @MaxLength(128)
  store_conf_unid?: string | null;

  @ApiPropertyOptional({ type: String, enum: SOURCE_TYPES, default: 'pull_video_stream' })
  @IsOptional()
  @IsIn(SOURCE_TYPES)
  source_type?: SourceType;

  @ApiPropertyOptional({ type: [VchanDto], nullable: true, maxItems: 1024, description: 'Video channels: one subtask each' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1024)
  @ValidateNested({ each: true })
  @Type(() => VchanDto)
  vchans?: VchanDto[] | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 1024, description: 'Picture sources: number of worker nodes (subtasks)' })
  @IsOptional()
  @IsInt()
  @Max(1024)
  node_count?: number | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    nullable: true,
    maxLength: 2048,
    description: 'pull_pic_files: where the nodes pull pictures from (http, https, ftp, sftp or s3)',
  })
  @IsOptional()
  @IsStreamUrl(['http', 'https', 'ftp', 'sftp', 's3'])
  pull_source_url?: string | null;

  @ApiPropertyOptional({ type: [MtaskInputDto], nullable: true, maxItems: 64 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => MtaskInputDto)
  mtasks?: MtaskInputDto[] | null;

  @ScheduleField()
  schedule?: ScheduleDto | null;
}

export class ListTasksQueryDto extends PagingQueryDto {
  @ApiPropertyOptional({ type: String, maxLength: 32, description: `Only tasks of this algorithm type. ${ALGO_TYPE_DESCRIPTION}` })
  @IsOptional()
  @IsText()
  @MaxLength(32)
  algo_type?: string;

  @ApiPropertyOptional({ type: String, enum: TASK_STATUSES, description: 'Only tasks with this derived status' })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ type: String, maxLength: 255, description: 'Substring of the task name' })
  @IsOptional()
  @IsText()
  @MaxLength(255)
  keyword?: string;
}

/** GET /tasks/{id}/schedule/preview */
export class SchedulePreviewQueryDto {
  @ApiPropertyOptional({ ...wireDateTimeInput, description: 'From when (default: now); YYYY-MM-DD HH:mm:ss.SSS or ISO-8601 with offset' })
  @IsOptional()
  @IsWireDateTime()
  from?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'How many openings and closings' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  count?: number;
}
