import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { EnvelopeDto } from '../../common/http/envelope.dto';
import { IsText, IsWireDateTime } from '../../common/validation/decorators';
import { isWellFormedReportBatch, REPORT_LIMITS } from '../domain/report-shape';
import { REPORTED_STATES } from '../domain/transitions';

export const MAX_REPORTS_PER_BATCH = REPORT_LIMITS.maxReports;

export class SubtaskReportDto {
  @ApiProperty() @IsText() @IsNotEmpty() @MaxLength(REPORT_LIMITS.subtaskIdMax) subtask_id: string;
  @ApiProperty({ minimum: 1, description: 'The generation the ops service was started with' }) @IsInt() @Min(1) generation: number;
  @ApiProperty({ enum: REPORTED_STATES }) @IsIn(REPORTED_STATES) state: (typeof REPORTED_STATES)[number];
  @ApiPropertyOptional({ nullable: true, maxLength: REPORT_LIMITS.reasonMax })
  @IsOptional()
  @IsString()
  @MaxLength(REPORT_LIMITS.reasonMax)
  status_reason?: string | null;
  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 100 }) @IsOptional() @IsInt() @Min(0) @Max(100) progress?: number | null;
  @ApiProperty({
    example: '2026-11-26T08:00:00.000Z',
    description: 'When the ops service observed this state; ISO-8601 with offset or YYYY-MM-DD HH:mm:ss.SSS',
  })
  @IsWireDateTime()
  reported_at: string;
}

export class SubtaskReportsDto {
  /** A batch this accepts is valid as it stands: the validation pipe takes it without transforming and validating each report. */
  static isPlainlyValid(body: unknown): boolean {
    return isWellFormedReportBatch(body);
  }

  @ApiProperty({ type: [SubtaskReportDto], maxItems: MAX_REPORTS_PER_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REPORTS_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => SubtaskReportDto)
  reports: SubtaskReportDto[];
}

export const REPORT_IGNORE_REASONS = ['unknown_subtask', 'stale_generation', 'unknown_generation', 'stale', 'not_dispatched', 'clock_ahead'] as const;

export class ReportResultDto {
  @ApiProperty() subtask_id: string;
  @ApiProperty() applied: boolean;
  @ApiPropertyOptional({ enum: REPORT_IGNORE_REASONS, description: 'Why it was not applied' }) reason?: string;
}

export class ReportsResponseDto extends EnvelopeDto {
  @ApiProperty() applied: number;
  @ApiProperty() ignored: number;
  @ApiProperty({ type: [ReportResultDto], description: 'One per report, in request order' }) results: ReportResultDto[];
}
