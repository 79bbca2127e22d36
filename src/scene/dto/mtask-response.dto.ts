import { ApiProperty } from '@nestjs/swagger';
import { sceneAlgoTypeOutput, sceneLinkItem } from '../../common/http/api-schema';
import { CalibrationDto, PlayUrlsDto, RoiDto, XmlDto } from './mtask.dto';

export class SceneResponseDto {
  @ApiProperty({ type: String }) scene_unid: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: 'integer', description: 'PTZ preset position' }) preset: number | null;
  @ApiProperty({ type: CalibrationDto, nullable: true }) callibration: CalibrationDto | null;
  @ApiProperty({ type: [RoiDto] }) rois: RoiDto[];
  @ApiProperty({ type: XmlDto, nullable: true }) config: XmlDto | null;
  @ApiProperty({ type: XmlDto, nullable: true }) basicConfig: XmlDto | null;
  @ApiProperty({ type: 'array', items: sceneLinkItem, description: 'Linked scenes (PTZ only): scene ids or preset numbers' }) link_scenes: unknown[];
  @ApiProperty(sceneAlgoTypeOutput) algo_type: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Algorithm arguments; keys depend on algo_type' }) algo_args: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: 'integer', enum: [0, 1] }) is_record: number | null;
  @ApiProperty({ nullable: true, type: 'integer', enum: [0, 1] }) is_active: number | null;
  @ApiProperty({ nullable: true, type: String }) vchan_refid: string | null;
  @ApiProperty({ type: PlayUrlsDto, nullable: true }) play_urls: PlayUrlsDto | null;
  @ApiProperty({ type: 'integer', enum: [0, 1], description: 'Whether the subtask running this scene is running' }) is_running: number;
  @ApiProperty({ nullable: true, type: String, description: "The subtask's reported reason" }) status_reason: string | null;
}

export class MtaskResponseDto {
  @ApiProperty({ type: String }) mtask_unid: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ type: 'integer', enum: [0, 1, 2], description: '0 polling, 1 time period, 2 batch' }) type: number;
  @ApiProperty({ nullable: true, type: 'integer', description: 'Polling interval in minutes' }) time_interval: number | null;
  @ApiProperty({ nullable: true, type: String, pattern: '^([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d$', example: '00:00:00' }) start_time: string | null;
  @ApiProperty({ nullable: true, type: String, pattern: '^([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d$', example: '22:01:20' }) end_time: string | null;
  @ApiProperty({ nullable: true, type: 'integer', minimum: 0, maximum: 100, description: 'Reported progress (0–100) of the subtasks running it' }) progress:
    number | null;
  @ApiProperty({ type: [SceneResponseDto] }) scenes: SceneResponseDto[];
}
