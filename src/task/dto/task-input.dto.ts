import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsStreamUrl, IsText, IsWireDateTime, Trim } from '../../common/validation/decorators';
import { MtaskInputDto } from '../../scene/dto/mtask.dto';
import { TASK_STATUSES, TaskStatus } from '../domain/task-status';
import { SOURCE_TYPES, SourceType } from '../../subtask/domain/decompose';

export class VchanDto {
  @ApiProperty({ description: 'Unique id of the video channel', maxLength: 128 })
  @IsText() @Trim() @IsNotEmpty() @MaxLength(128)
  vchan_refid: string;

  @ApiPropertyOptional({ maxLength: 255 }) @IsOptional() @IsText() @MaxLength(255) name?: string | null;

  @ApiPropertyOptional({ description: "The channel's stream; the task's play_url when absent" })
  @IsOptional() @IsStreamUrl()
  play_url?: string | null;

  @ApiPropertyOptional({ description: 'A PTZ (dome) camera: supports mtask types 1 and 2', default: false })
  @IsOptional() @IsBoolean()
  is_ptz?: boolean | null;
}

/** Fields a task can change after creation (PUT); the source and its split are fixed at creation. */
export class UpdateTaskDto {
  @ApiPropertyOptional({ maxLength: 255 }) @IsOptional() @IsText() @Trim() @IsNotEmpty() @MaxLength(255) task_name?: string;

  @ApiPropertyOptional({ example: '2018-12-03 10:27:30.999', description: 'YYYY-MM-DD HH:mm:ss.SSS (configured time zone) or ISO-8601 with offset' })
  @IsOptional() @IsWireDateTime()
  run_dt?: string;

  @ApiPropertyOptional({ example: 'rtsp://192.168.9.155:8554/live/1' }) @IsOptional() @IsStreamUrl() play_url?: string;

  @ApiPropertyOptional({ maxLength: 128, nullable: true }) @IsOptional() @IsText() @MaxLength(128) store_conf_unid?: string | null;

  @ApiPropertyOptional({ type: [MtaskInputDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(64) @ValidateNested({ each: true }) @Type(() => MtaskInputDto)
  mtasks?: MtaskInputDto[] | null;
}

export class CreateTaskDto {
  @ApiProperty({ maxLength: 255, example: 'North gate traffic' })
  @IsText() @Trim() @IsNotEmpty() @MaxLength(255)
  task_name: string;

  @ApiProperty({ example: '0', description: "A code of the algo_type dictionary ('0' traffic … '4' face)" })
  @IsText() @Trim() @IsNotEmpty() @MaxLength(32)
  algo_type: string;

  @ApiProperty({ example: '2018-12-03 10:27:30.999', description: 'YYYY-MM-DD HH:mm:ss.SSS (configured time zone) or ISO-8601 with offset' })
  @IsWireDateTime()
  run_dt: string;

  @ApiProperty({ example: 'rtsp://192.168.9.155:8554/live/1', description: 'rtsp, rtsps, rtmp, http or https' })
  @IsStreamUrl()
  play_url: string;

  @ApiPropertyOptional({ maxLength: 128, nullable: true }) @IsOptional() @IsText() @MaxLength(128) store_conf_unid?: string | null;

  @ApiPropertyOptional({ enum: SOURCE_TYPES, default: 'pull_video_stream' })
  @IsOptional() @IsIn(SOURCE_TYPES)
  source_type?: SourceType;

  @ApiPropertyOptional({ type: [VchanDto], description: 'Video channels: one subtask each' })
  @IsOptional() @IsArray() @ArrayMaxSize(1024) @ValidateNested({ each: true }) @Type(() => VchanDto)
  vchans?: VchanDto[] | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 1024, description: 'Picture sources: number of worker nodes (subtasks)' })
  @IsOptional() @IsInt() @Max(1024)
  node_count?: number | null;

  @ApiPropertyOptional({ description: 'pull_pic_files: where the nodes pull pictures from' })
  @IsOptional() @IsStreamUrl(['http', 'https', 'ftp', 'sftp', 's3'])
  pull_source_url?: string | null;

  @ApiPropertyOptional({ type: [MtaskInputDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(64) @ValidateNested({ each: true }) @Type(() => MtaskInputDto)
  mtasks?: MtaskInputDto[] | null;
}

export class ListTasksQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000_000)
  offset?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'Only tasks of this algorithm type' })
  @IsOptional() @IsText() @MaxLength(32)
  algo_type?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES, description: 'Only tasks with this derived status' })
  @IsOptional() @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ description: 'Substring of the task name' })
  @IsOptional() @IsText() @MaxLength(255)
  keyword?: string;
}
