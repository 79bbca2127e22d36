import { ApiProperty } from '@nestjs/swagger';

/** The standard structure every response carries. */
export class EnvelopeDto {
  @ApiProperty({ example: 200, description: 'Equals the HTTP status' }) ecode: number;
  @ApiProperty({ example: 'OK' }) enote: string;
}

export class FieldErrorDto {
  @ApiProperty({ example: 'mtasks[0].scenes[1].rois[0].roi' }) field: string;
  @ApiProperty({ example: '必须是格式正确的 XML' }) message: string;
}

export class ErrorResponseDto extends EnvelopeDto {
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code' }) error: string;
  @ApiProperty({ example: '0b6f7d4e-2b1c-4c4e-9a59-0d1b8e0f6a11' }) request_id: string;
  @ApiProperty({ type: [FieldErrorDto], required: false }) errors?: FieldErrorDto[];
}

export class ListEnvelopeDto extends EnvelopeDto {
  @ApiProperty({ example: 4 }) total_num: number;
  @ApiProperty({ example: 0 }) offset: number;
  @ApiProperty({ example: 4 }) list_size: number;
}
