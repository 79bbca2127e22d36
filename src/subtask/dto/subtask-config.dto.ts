import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { MtaskInputDto } from '../../scene/dto/mtask.dto';

/** PUT /subtasks/{id}/config: the subtask's whole configuration draft, in the task body's mtask shape. */
export class SubtaskConfigDto {
  @ApiProperty({
    type: [MtaskInputDto],
    description:
      "The subtask's mtasks and scenes. For a channel subtask, scenes leave vchan_refid out or name the subtask's channel, " +
      "and mtasks are matched to the task's by mtask_unid; an empty list removes the subtask's scenes.",
  })
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => MtaskInputDto)
  mtasks: MtaskInputDto[];
}
