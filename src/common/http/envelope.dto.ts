import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_STATUS } from '../errors/error-codes';

const ERROR_CODES = Object.keys(ERROR_STATUS);
const ERROR_STATUSES = [...new Set(Object.values(ERROR_STATUS) as number[])].sort((a, b) => a - b);

/** The standard structure every response carries. */
export class EnvelopeDto {
  @ApiProperty({ type: 'integer', enum: [200], example: 200, description: 'Equals the HTTP status' }) ecode: number;
  @ApiProperty({ type: String, enum: ['OK'], example: 'OK' }) enote: string;
}

export class FieldErrorDto {
  @ApiProperty({ type: String, example: 'mtasks[0].scenes[1].rois[0].roi', description: 'Path of the field in the request' }) field: string;
  @ApiProperty({ type: String, example: '必须是格式正确的 XML', description: "In the request's language" }) message: string;
}

/** Every error answer: the envelope with a localized enote, a stable code, the request id and, for validation, the fields. */
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', enum: ERROR_STATUSES, example: 400, description: 'Equals the HTTP status' }) ecode: number;
  @ApiProperty({ type: String, example: '参数校验失败', description: "What went wrong, in the request's language" }) enote: string;
  @ApiProperty({ type: String, enum: ERROR_CODES, enumName: 'ErrorCode', example: 'VALIDATION_FAILED', description: 'Stable machine-readable code' })
  error: string;
  @ApiProperty({ type: String, example: '0b6f7d4e-2b1c-4c4e-9a59-0d1b8e0f6a11', description: 'Also sent as X-Request-Id; quote it when reporting a problem' })
  request_id: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Validation failures, one per field' }) errors?: FieldErrorDto[];
}

export class ListEnvelopeDto extends EnvelopeDto {
  @ApiProperty({ type: 'integer', minimum: 0, example: 4, description: 'How many items match, over every page' }) total_num: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 0 }) offset: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 4, description: 'How many items this page holds' }) list_size: number;
}
