import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { Matches, MaxLength, ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { isWireDateTime, TIME_OF_DAY, parseWireDateTime } from '../time/datetime';

export const STREAM_SCHEMES = ['rtsp', 'rtsps', 'rtmp', 'http', 'https'] as const;

/** Trims strings so that "  " fails `IsNotEmpty` and names are stored without stray blanks. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));


export function isStreamUrl(value: unknown, schemes: readonly string[] = STREAM_SCHEMES): boolean {
  if (typeof value !== 'string' || value.length > 2048) return false;
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol.slice(0, -1)) && url.host !== '';
  } catch {
    return false;
  }
}

/** An absolute URL with one of the streaming schemes (rtsp, rtsps, rtmp, http, https). */
export const IsStreamUrl = (schemes: readonly string[] = STREAM_SCHEMES, options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isStreamUrl',
      constraints: [schemes],
      validator: {
        validate: (value) => isStreamUrl(value, schemes),
        defaultMessage: buildMessage((each) => `${each}$property must be a URL with scheme ${schemes.join(', ')}`),
      },
    },
    { ...options, context: { schemes: schemes.join(', ') } },
  );

/** `YYYY-MM-DD HH:mm:ss[.SSS]` or ISO-8601 with an offset. */
export const IsWireDateTime = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isWireDateTime',
      validator: {
        // A real calendar instant, not only the right shape (2026-02-30 has the shape).
        validate: (value) => isWireDateTime(value) && parseWireDateTime(value, 'UTC') !== null,
        defaultMessage: buildMessage((each) => `${each}$property must be YYYY-MM-DD HH:mm:ss.SSS or ISO-8601 with an offset`),
      },
    },
    options,
  );

export const IsTimeOfDay = () =>
  applyDecorators(Matches(TIME_OF_DAY, { message: '$property must be HH:mm:ss', context: {} }), MaxLength(8));

/** A dictionary code given as a string or, as the original's scenes do, a number. */
export const IsCode = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isCode',
      validator: {
        validate: (value) =>
          (typeof value === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(value)) || (Number.isInteger(value) && (value as number) >= 0),
        defaultMessage: buildMessage((each) => `${each}$property must be a dictionary code`),
      },
    },
    options,
  );

/** A plain JSON object (not an array, not null). */
export const IsPlainObject = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isPlainObject',
      validator: {
        validate: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
        defaultMessage: buildMessage((each) => `${each}$property must be an object`),
      },
    },
    options,
  );
