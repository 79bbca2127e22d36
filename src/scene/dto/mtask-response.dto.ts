import { ApiProperty } from '@nestjs/swagger';
import { CalibrationDto, PlayUrlsDto, RoiDto, XmlDto } from './mtask.dto';

export class SceneResponseDto {
  @ApiProperty() scene_unid: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: Number }) preset: number | null;
  @ApiProperty({ type: CalibrationDto, nullable: true }) callibration: CalibrationDto | null;
  @ApiProperty({ type: [RoiDto] }) rois: RoiDto[];
  @ApiProperty({ type: XmlDto, nullable: true }) config: XmlDto | null;
  @ApiProperty({ type: XmlDto, nullable: true }) basicConfig: XmlDto | null;
  @ApiProperty({ type: 'array', items: {} }) link_scenes: unknown[];
  @ApiProperty({ example: 1, description: 'The algorithm type code, as a number like the original' }) algo_type: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) algo_args: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: Number }) is_record: number | null;
  @ApiProperty({ nullable: true, type: Number }) is_active: number | null;
  @ApiProperty({ nullable: true, type: String }) vchan_refid: string | null;
  @ApiProperty({ type: PlayUrlsDto, nullable: true }) play_urls: PlayUrlsDto | null;
  @ApiProperty({ enum: [0, 1], description: 'Whether the subtask running this scene is running' }) is_running: number;
  @ApiProperty({ nullable: true, type: String, description: "The subtask's reported reason" }) status_reason: string | null;
}

export class MtaskResponseDto {
  @ApiProperty() mtask_unid: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ enum: [0, 1, 2] }) type: number;
  @ApiProperty({ nullable: true, type: Number }) time_interval: number | null;
  @ApiProperty({ nullable: true, type: String, example: '00:00:00' }) start_time: string | null;
  @ApiProperty({ nullable: true, type: String, example: '22:01:20' }) end_time: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Reported progress (0–100) of the subtasks running it' }) progress: number | null;
  @ApiProperty({ type: [SceneResponseDto] }) scenes: SceneResponseDto[];
}
