/**
 * Schema fragments the DTOs share, so that a date-time, an algorithm type or a count is described
 * the same way everywhere in the OpenAPI document.
 */

/** Date-times as the service writes them: `YYYY-MM-DD HH:mm:ss.SSS` in the configured time zone. */
export const WIRE_DATETIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}$';

/** What input accepts: the wire format (milliseconds optional) or ISO-8601 with an offset. */
export const WIRE_DATETIME_INPUT_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?|T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:?\\d{2}))$';

export const WIRE_DATETIME_EXAMPLE = '2018-12-03 10:27:30.999';

/** An output date-time (spread into `@ApiProperty`). */
export const wireDateTime = {
  type: String,
  pattern: WIRE_DATETIME_PATTERN,
  example: WIRE_DATETIME_EXAMPLE,
} as const;

/** An input date-time (spread into `@ApiProperty`). */
export const wireDateTimeInput = {
  type: String,
  pattern: WIRE_DATETIME_INPUT_PATTERN,
  example: WIRE_DATETIME_EXAMPLE,
} as const;

/** The codes the algo_type dictionary ships with: '0' traffic, '1' passenger flow, '2' security, '3' illegal parking, '4' face. */
export const ALGO_TYPE_CODES = ['0', '1', '2', '3', '4'] as const;

export const ALGO_TYPE_DESCRIPTION =
  "A code of the algo_type dictionary: '0' traffic 交通, '1' passenger flow 客流, '2' security 安防, '3' illegal parking 违停, " +
  "'4' face 人脸. The dictionary is editable (POST /dicts): GET /dicts?dict_type=algo_type lists the codes in use.";

/** A task's algorithm type: a dictionary code as a string. */
export const algoTypeCode = {
  type: String,
  enum: [...ALGO_TYPE_CODES],
  example: '1',
  description: ALGO_TYPE_DESCRIPTION,
} as const;

/** A scene's algorithm type, written as the original does (a number) or as the task's string code. */
export const sceneAlgoTypeInput = {
  oneOf: [
    { type: 'string', enum: [...ALGO_TYPE_CODES] },
    { type: 'integer', enum: ALGO_TYPE_CODES.map(Number) },
  ],
  example: 1,
  description: `Equal to the task's. ${ALGO_TYPE_DESCRIPTION}`,
};

/** A scene's algorithm type on output: the code as a number, like the original. */
export const sceneAlgoTypeOutput = {
  type: 'integer',
  enum: ALGO_TYPE_CODES.map(Number),
  example: 1,
  description: `The algorithm type code as a number, like the original. ${ALGO_TYPE_DESCRIPTION}`,
} as const;

/** One entry of link_scenes: a scene id or a PTZ preset number. */
export const sceneLinkItem = {
  oneOf: [
    { type: 'string', minLength: 1, maxLength: 64, description: 'A scene_unid' },
    { type: 'integer', minimum: 0, maximum: 100000, description: 'A PTZ preset' },
  ],
};
